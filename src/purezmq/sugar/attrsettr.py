"""Options as attributes (pyzmq's ``zmq.sugar.attrsettr``): ``sock.linger = 0``, ``ctx.IPV6``.

pyzmq's rule for an attribute write: a name the class declares (defined or annotated
on it or a base) is a plain attribute; any other name must be a constant's name (in
any case) and sets that option; anything else raises AttributeError, so a typo such
as ``sock.lingr = 0`` is an error rather than an attribute nobody reads.

Sockets read options through properties made for every option name (see
:func:`add_option_properties`) rather than through ``__getattr__``: a class with a
``__getattr__`` makes every attribute lookup on its instances slower, the hot paths'
``self._core`` included.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any

from .. import constants
from ..error import ZMQError

_declared_cache: dict[tuple[type, str], bool] = {}


def declared(cls: type, name: str) -> bool:
    """Whether ``name`` is declared (defined or annotated) on ``cls`` or a base."""
    key = (cls, name)
    found = _declared_cache.get(key)
    if found is None:
        found = any(
            name in klass.__dict__ or name in getattr(klass, "__annotations__", {})
            for klass in cls.__mro__
        )
        _declared_cache[key] = found
    return found


class AttributeSetter:
    """Attribute writes of undeclared names set the option of that name."""

    def _set_attribute(self, name: str, value: Any) -> None:
        """``self.name = value``: a declared attribute, or the option called ``name``."""
        if declared(type(self), name):
            object.__setattr__(self, name, value)
            return
        upper = name.upper()
        option = getattr(constants, upper, None)
        if not isinstance(option, int):
            raise AttributeError(f"{type(self).__name__} has no such option: {upper}")
        self._set_attr_opt(upper, option, value)

    if not TYPE_CHECKING:
        # Out of the type checker's sight, which then rejects ``sock.lingr = 0`` as the
        # run time does; it knows the options from typed declarations instead
        # (sugar/_option_attributes.py).
        __setattr__ = _set_attribute

    def _set_attr_opt(self, name: str, option: int, value: Any) -> None:
        """Set option ``option`` (called ``name``) from an attribute write."""
        self.set(option, value)

    def set(self, option: int, value: Any) -> None:
        raise NotImplementedError


def option_property(option: int, name: str) -> property:
    """A property that gets and sets ``option``. Reading an option that cannot be read
    (write-only, or not one of this socket type's) raises AttributeError, as pyzmq's
    attributes do (``mock.Mock(spec=sock)`` relies on it)."""

    def fget(self: Any) -> Any:
        try:
            return self.get(option)
        except ZMQError as exc:
            if exc.errno in (errno.EINVAL, errno.EFAULT):
                raise AttributeError(f"{name} attribute is write-only") from None
            raise

    def fset(self: Any, value: Any) -> None:
        self.set(option, value)

    return property(fget, fset, doc=f"The {name.upper()} option.")


_option_attributes: dict[type, dict[str, int]] = {}


def add_option_properties(cls: type, options: dict[str, int]) -> None:
    """Every option as an attribute in lower and upper case (``sock.rcvhwm``,
    ``sock.RCVHWM``), unless the class has the name already."""
    added = _option_attributes.setdefault(cls, {})
    for name, option in options.items():
        for spelling in (name.lower(), name.upper()):
            if not hasattr(cls, spelling):
                setattr(cls, spelling, option_property(option, spelling))
                added[spelling] = option
    _declared_cache.clear()


def option_attributes(cls: type) -> dict[str, int]:
    """The option properties :func:`add_option_properties` gave ``cls``: name -> option."""
    return dict(_option_attributes.get(cls, {}))


__all__ = [
    "AttributeSetter", "add_option_properties", "declared", "option_attributes",
    "option_property",
]
