"""``Frame``: one message part as an object, with its flags and properties.

Theory of operation
-------------------
Sockets move frames as plain ``bytes``; a ``Frame`` is made only when the user
asks for one (``recv(copy=False)``, ``send(Frame(...))``, ``track=True``), as
pyzmq users expect.  A frame always holds an immutable ``bytes``: a ``bytes``
argument is kept as it is and any other buffer is copied once, at construction.
So the caller may reuse its buffer as soon as the constructor returns, a
tracked frame's tracker is done at once (see ``tracker.py``), and ``copy`` /
``copy_threshold`` have nothing left to decide; they are accepted for pyzmq
compatibility.

What the socket sets on a received frame:

- ``more``: whether more parts of the same message follow (also
  ``get(MORE)``);
- ``properties``: the connection's metadata, as ``zmq_msg_gets`` sees it: the
  ZMTP properties the peer sent in its READY or INITIATE command (RFC 37,
  "Connection Metadata"), such as ``Socket-Type`` and ``Routing-Id``, plus
  ``Peer-Address`` and, with authentication, ``User-Id``.  Frames of one
  connection may share one mapping; it is never mutated through the frame.

Lookups are exact (case-sensitive) as in libzmq, and, as there, the legacy
name ``Identity`` falls back to ``Routing-Id``.  A missing property raises
``ZMQError(EINVAL)``, as pyzmq does.  Draft features (``group`` for
RADIO-DISH, ``routing_id`` for CLIENT-SERVER) are absent, like in a pyzmq
built without draft support.
"""

from __future__ import annotations

import builtins
import weakref
from collections.abc import Mapping
from threading import Event
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, overload

from ..constants import Errno, MessageOption
from ..error import ZMQError
from .tracker import _FINISHED_TRACKER, MessageTracker

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["Frame", "Message"]

_NO_PROPERTIES: Final[Mapping[str, bytes]] = MappingProxyType({})

# Properties libzmq reads under a second name (src/metadata.cpp, metadata_t::get).
_PROPERTY_FALLBACK: Final = {"Identity": "Routing-Id"}


class Frame:
    """A message part, for zero-copy-style sends and receives and for properties.

    Parameters
    ----------
    data : bytes-like, optional
        The content; ``None`` means empty.  ``str`` is refused: encode it first.
    track : bool
        Give the frame a ``MessageTracker`` (``tracker``), which purezmq creates
        already done because it never shares the caller's buffer.
    copy, copy_threshold
        Accepted for pyzmq compatibility; purezmq always keeps its own
        immutable copy (and a ``bytes`` argument needs none).

    Message properties read like a mapping: ``frame["Socket-Type"]``.
    """

    __slots__ = ("_bytes", "_shared", "_view", "more", "properties", "tracker", "tracker_event")

    # Inside this class ``bytes`` names the property below, hence ``builtins.bytes``.
    more: bool
    tracker: MessageTracker | None
    tracker_event: Event | None
    properties: Mapping[str, builtins.bytes]

    def __init__(
        self,
        data: ReadableBuffer | None = None,
        track: bool = False,
        copy: bool | None = None,
        copy_threshold: int | None = None,
    ) -> None:
        self._bytes = _frozen(data)
        self._shared = False
        self._view: weakref.ref[memoryview] | None = None
        self.more = False
        self.properties = _NO_PROPERTIES
        self.tracker = _FINISHED_TRACKER if track else None
        # Only a frame sharing memory with an I/O thread needs an event; none does.
        self.tracker_event = None

    @property
    def bytes(self) -> builtins.bytes:
        """The content, as ``bytes`` (no copy is made)."""
        return self._bytes

    @property
    def buffer(self) -> memoryview:
        """A read-only ``memoryview`` of the content (no copy is made).

        As pyzmq's, it is cached weakly: the same view while any is in use.
        """
        view = self._view() if self._view is not None else None
        if view is None:
            view = memoryview(self._bytes)
            self._view = weakref.ref(view)
        return view

    def __len__(self) -> int:
        return len(self._bytes)

    def __bytes__(self) -> builtins.bytes:
        return self._bytes

    def __buffer__(self, flags: int) -> memoryview:
        # Python 3.12+ (PEP 688): lets memoryview(frame) work as in pyzmq.
        return memoryview(self._bytes)

    def fast_copy(self) -> Frame:
        """Return a new frame sharing this one's content, flags and tracker."""
        twin = object.__new__(type(self))
        twin._bytes = self._bytes
        twin._view = self._view
        twin.more = self.more
        twin.properties = self.properties
        twin.tracker = self.tracker
        twin.tracker_event = self.tracker_event
        # libzmq marks both messages as sharing one buffer after zmq_msg_copy.
        twin._shared = self._shared = True
        return twin

    __copy__ = fast_copy

    @overload
    def get(self, option: int) -> int: ...
    @overload
    def get(self, option: str | builtins.bytes) -> str: ...
    def get(self, option: int | str | builtins.bytes) -> int | str:
        """Return a message option (an ``int`` option) or property (a name).

        ``MORE`` is 1 if more parts follow; ``SHARED`` is 1 once the content
        is shared with a ``fast_copy``.  A property is returned as ``str``.

        Raises
        ------
        ZMQError
            ``EINVAL`` for an unknown option, ``SRCFD`` (purezmq frames have
            no source file descriptor) or a property the frame lacks.
        TypeError
            If `option` is neither an ``int``, ``str`` nor ``bytes``.
        """
        if isinstance(option, int):
            return self._get_option(option)
        if option in ("routing_id", "group"):
            raise _draft_error(option)
        if isinstance(option, builtins.bytes):
            option = option.decode("utf-8")
        if not isinstance(option, str):
            raise TypeError(f"expected str, got: {option!r}")
        return self._get_property(option)

    def __getitem__(self, key: int | str | builtins.bytes) -> int | str:
        return self.get(key)

    def set(self, option: int | str, value: int | str | builtins.bytes) -> None:
        """Set a message option: libzmq defines none that can be set.

        Raises
        ------
        ZMQError
            ``EINVAL``, always (``RuntimeError`` for the draft ``routing_id``
            and ``group``).
        """
        if option in ("routing_id", "group"):
            raise _draft_error(str(option))
        raise ZMQError(Errno.EINVAL, f"Invalid argument: frame option {option!r} cannot be set")

    @property
    def group(self) -> str:
        """The RADIO-DISH group; purezmq has no draft API, so this raises."""
        raise _draft_error("group")

    @group.setter
    def group(self, group: str | builtins.bytes) -> None:
        raise _draft_error("group")

    @property
    def routing_id(self) -> int:
        """The CLIENT-SERVER routing id; purezmq has no draft API, so this raises."""
        raise _draft_error("routing_id")

    @routing_id.setter
    def routing_id(self, routing_id: int) -> None:
        raise _draft_error("routing_id")

    if not TYPE_CHECKING:
        # pyzmq reads message options as attributes too (frame.shared); kept out
        # of the type checker's view so attribute typos still get reported.
        def __getattr__(self, name: str) -> int:
            option = MessageOption.__members__.get(name.upper())
            if option is None or name == "more":
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            return self.get(option)

    def __repr__(self) -> str:
        module = type(self).__module__
        if module == __name__:
            module = "purezmq"
        return f"<{module}.{type(self).__name__}({_preview(self._bytes)})>"

    def _get_option(self, option: int) -> int:
        if option == MessageOption.MORE:
            return int(self.more)
        if option == MessageOption.SHARED:
            return int(self._shared)
        raise ZMQError(Errno.EINVAL, f"Invalid argument: frame option {option} is not available")

    def _get_property(self, name: str) -> str:
        value = self.properties.get(name)
        if value is None and name in _PROPERTY_FALLBACK:
            value = self.properties.get(_PROPERTY_FALLBACK[name])
        if value is None:
            raise ZMQError(Errno.EINVAL, f"Invalid argument: frame has no property {name!r}")
        return value.decode("utf-8")


# Deprecated pyzmq name.
Message = Frame


def _frozen(data: ReadableBuffer | None) -> bytes:
    """Return `data` as ``bytes``, copying it unless it is ``bytes`` already.

    The octets are taken in memory order, as libzmq takes them from pyzmq: a
    Fortran-ordered array is not reordered.

    Raises
    ------
    TypeError
        If `data` is a ``str`` or not a buffer.
    BufferError
        If `data` is not contiguous in memory (pyzmq refuses it too).
    """
    if data is None:
        return b""
    if type(data) is bytes:
        return data
    if isinstance(data, str):
        raise TypeError("Str objects not allowed. Only: bytes, buffer interfaces.")
    # memoryview() refuses non-buffers (int, list...) where bytes() would not.
    with memoryview(data) as view:
        if not view.contiguous:
            kind = type(data).__name__
            raise BufferError(f"a Frame needs a contiguous buffer, not a strided {kind}")
        return view.tobytes("A")


def _preview(content: bytes) -> str:
    """The content as pyzmq's Frame repr shows it: short, or cut with its size."""
    size = len(content)
    if size <= 16:
        return repr(content)
    if size >= 10**9:
        amount, unit = size // 10**9, "GB"
    elif size >= 2**20:
        amount, unit = size // 10**6, "MB"
    elif size >= 10**3:
        amount, unit = size // 10**3, "kB"
    else:
        amount, unit = size, "B"
    return f"{content[:12]!r}...{amount}{unit}"


def _draft_error(feature: str) -> RuntimeError:
    pattern = "RADIO-DISH" if feature == "group" else "CLIENT-SERVER"
    return RuntimeError(f"purezmq has no draft API: {feature!r} needs {pattern} sockets")
