"""``@context()`` and ``@socket(zmq.PUSH)``: a Context or socket for the length of a call.

As pyzmq's ``zmq.decorators``::

    @context()
    @socket(zmq.PUSH)
    def work(ctx, push):
        ...

Each call of ``work`` gets a new Context and a new socket made in it, used as context
managers: the socket is closed and the Context terminated when the call returns or
raises. The object is passed by keyword when the decorator was given a name (its first
argument if that is a str, or ``name=``), else appended to the positional arguments.
The other arguments of the decorator go to the factory: ``Context(*args, **kwargs)``
or ``ctx.socket(*args, **kwargs)``.

``@socket`` finds its Context at call time: the keyword argument named
``context_name`` (default ``"context"``) if it holds a Context, else the first
positional argument that is one (an enclosing ``@context()`` puts it there), else
``Context.instance()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from .sugar.context import Context

__all__ = ["context", "socket"]

F = TypeVar("F", bound=Callable[..., Any])
# Makes the object a call gets, from the call's own arguments.
Factory = Callable[[tuple[Any, ...], dict[str, Any]], AbstractContextManager[Any]]


def _split_name(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[str | None, tuple[Any, ...], dict[str, Any]]:
    """(the keyword to pass the object by, or None; the factory's args and kwargs)."""
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("name"), str):
        return kwargs.pop("name"), args, kwargs
    if args and isinstance(args[0], str):
        return args[0], args[1:], kwargs
    return None, args, kwargs


def _injecting(name: str | None, factory: Factory) -> Callable[[F], F]:
    """A decorator that runs each call inside ``with factory(...) as obj`` and passes obj."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            with factory(args, kwargs) as obj:
                if name is None:
                    return func(*args, obj, **kwargs)
                if name in kwargs:
                    raise TypeError(
                        f"{func.__name__}() got multiple values for argument {name!r}"
                    )
                return func(*args, **{**kwargs, name: obj})

        return call  # type: ignore[return-value]

    return decorate


def context(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Decorator: each call gets a new ``Context(*args, **kwargs)``, terminated after it.

    Other Parameters
    ----------------
    name : str, optional
        The keyword argument to pass the Context by (also accepted as the first
        positional argument); without one it is appended to the positional arguments.
    """
    name, ctx_args, ctx_kwargs = _split_name(args, kwargs)
    return _injecting(name, lambda _args, _kwargs: Context(*ctx_args, **ctx_kwargs))


def socket(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Decorator: each call gets a new ``ctx.socket(*args, **kwargs)``, closed after it.

    Other Parameters
    ----------------
    name : str, optional
        The keyword argument to pass the socket by (also accepted as the first
        positional argument); without one it is appended to the positional arguments.
    context_name : str, optional
        The keyword argument that may hold the Context to use (default "context").
    """
    name, sock_args, sock_kwargs = _split_name(args, kwargs)
    context_name = sock_kwargs.pop("context_name", "context")

    def make(call_args: tuple[Any, ...], call_kwargs: dict[str, Any]) -> Any:
        ctx = _find_context(context_name, call_args, call_kwargs)
        return ctx.socket(*sock_args, **sock_kwargs)

    return _injecting(name, make)


def _find_context(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Context[Any]:
    """The Context a call carries (by keyword, then position), else the shared instance."""
    given = kwargs.get(name)
    if isinstance(given, Context):
        return given
    for arg in args:
        if isinstance(arg, Context):
            return arg
    return Context.instance()
