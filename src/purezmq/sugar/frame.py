"""``Frame``: one message part as an object, with its flags and properties.

Theory of operation
-------------------
Sockets move frames as plain ``bytes``; a ``Frame`` is made only when the user
asks for one (``recv(copy=False)``, ``send(Frame(...))``, ``track=True``), as
pyzmq users expect.  A frame always holds an immutable ``bytes``: a ``bytes``
argument is kept as it is and any other buffer is copied once, at construction,
so the caller may reuse its buffer as soon as the constructor returns.

``copy`` and ``copy_threshold`` decide only what they decide in pyzmq that a
program can see: whether a tracked frame's tracker is real.  A frame pyzmq
would copy (``copy=True``, or a size under the threshold) has the finished
tracker; one it would share with libzmq has a tracker that is done once the
frame, its ``fast_copy`` twins and every send of it have let go of its
content (a ``TrackedBytes``, see ``tracker.py``).

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

A frame is a buffer
~~~~~~~~~~~~~~~~~~~
``memoryview(frame)``, ``struct.unpack_from(fmt, frame)``,
``numpy.frombuffer(frame)`` and every other buffer consumer read the frame's
``bytes`` in place: one dimension of format ``"B"``, whatever the frame was
made from, as with pyzmq.  The view is read-only where pyzmq's is writable:
pyzmq's is libzmq's own memory, ours an immutable ``bytes`` that the sender
may still hold (inproc hands over the very object).  ``frame.buffer`` is such
a view, kept weakly as pyzmq keeps it.

Python code can export a buffer only from 3.12 on (PEP 688, ``__buffer__``);
before, only a type written in C can, through its ``bf_getbuffer`` slot.  The
candidates, measured with timeit on CPython 3.11 (3.10 alike): nanoseconds to
make a frame from a received ``bytes``, then for one ``memoryview(frame)``.

    ==========================  ==========  ==========  ==========  ===========
    frame made as                     16 B       1 KiB      64 KiB        1 MiB
    ==========================  ==========  ==========  ==========  ===========
    object (before: no buffer)      94 / -      93 / -      92 / -       94 / -
    subclass of bytes              80 / 66    104 / 67    929 / 67   22329 / 67
    subclass of bytearray          71 / 70     82 / 71    741 / 71   17102 / 69
    subclass of array('B')        128 / 71    180 / 68    820 / 71   18568 / 72
    subclass of mmap            13193 / 74  12703 / 74  57065 / 74  706024 / 70
    ctypes from_buffer_copy       227 / 79    275 / 77   1414 / 78   25069 / 78
    ctypes callback as slot       98 / 549    99 / 553    98 / 552     96 / 544
    PickleBuffer's slot            96 / 70     97 / 69     98 / 70      96 / 70
    ==========================  ==========  ==========  ==========  ===========

The builtins that can be subclassed export their own memory, so each costs a
second copy of every frame: about 1 us more at 64 KiB and 20 us at 1 MiB,
where a whole ``recv(copy=False)`` over inproc takes 0.3 us (and a ``bytes``
subclass cannot even have ``__slots__``).  ``memoryview`` and
``pickle.PickleBuffer``, which view another object's memory, cannot be
subclassed; ctypes arrays share only writable memory and need a type per
length.  Nor can the decoder make frames of such a type for us: it sits in
``zmtp/``, it cannot know that ``recv`` will ask for ``copy=False``, and an
inproc frame is the sender's own ``bytes``, which no decoder touches.

So on CPython 3.10 and 3.11, ``Frame`` derives from a base type made once at
import by ``PyType_FromSpecWithBases`` (called through ctypes: nothing is
compiled or shipped) with a single slot, the ``bf_getbuffer`` of
``PickleBuffer``.  That C function hands out the buffer of the object a
PickleBuffer keeps in the ``obj`` field of its ``Py_buffer``; the base type
reserves the word before that field, so that a frame's first field, its
``bytes``, lies at the same offset.  A ``memoryview(frame)`` then costs what
``memoryview(bytes)`` costs, its ``obj`` is the frame's ``bytes`` (from 3.12
a wrapper of CPython's), and refusals are CPython's own (a writable view
raises ``BufferError``).  The offset is checked at import on a real PickleBuffer;
if the check fails or ctypes is missing, frames are no buffers on these
versions, as before.  A ctypes callback as the slot works too, but runs
Python code for every view (550 ns) and cannot raise a proper exception back
into C.  From 3.12, ``__buffer__`` does it (about 220 ns a view).
"""

from __future__ import annotations

import builtins
import sys
import weakref
from collections.abc import Mapping
from threading import Event
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, NoReturn, overload

from ..constants import Errno, MessageOption
from ..error import ZMQError
from .tracker import _FINISHED_TRACKER, MessageTracker, tracked_bytes

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["Frame", "Message"]

_NO_PROPERTIES: Final[Mapping[str, bytes]] = MappingProxyType({})

# pyzmq's zmq.COPY_THRESHOLD: below it a frame is copied into libzmq, not shared.
_COPY_THRESHOLD: Final = 65536

# Properties libzmq reads under a second name (src/metadata.cpp, metadata_t::get).
_PROPERTY_FALLBACK: Final = {"Identity": "Routing-Id"}

# CPython's C API, as ctypes reaches it: Include/typeslots.h and Include/object.h.
_PY_BF_GETBUFFER: Final = 1
_PY_TPFLAGS_BASETYPE: Final = 1 << 10
_PY_TPFLAGS_HAVE_VERSION_TAG: Final = 1 << 18  # all of Py_TPFLAGS_DEFAULT before 3.12


def _buffer_exporter() -> type:
    """The base class of frames: one whose instances export their first field's buffer.

    On CPython 3.10 and 3.11, a type with the ``bf_getbuffer`` of
    ``pickle.PickleBuffer`` (see "A frame is a buffer" above).  Elsewhere, or
    without ctypes, or if a PickleBuffer is not laid out as expected:
    ``object`` (3.12 and later need nothing more than ``Frame.__buffer__``).
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return object
    try:
        import ctypes
    except ImportError:
        return object
    from pickle import PickleBuffer

    # PyObject_HEAD, then a Py_buffer, whose second member (after `buf`) is `obj`.
    obj_offset = object.__basicsize__ + ctypes.sizeof(ctypes.c_void_p)
    if not _picklebuffer_keeps_obj_at(obj_offset):
        return object
    get_slot = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_int)(
        ("PyType_GetSlot", ctypes.pythonapi)
    )
    forward = get_slot(PickleBuffer, _PY_BF_GETBUFFER)
    return _type_with_buffer_slot(b"purezmq.sugar.frame._BufferExporter", obj_offset, forward)


def _picklebuffer_keeps_obj_at(offset: int) -> bool:
    """Whether a PickleBuffer holds the object it views at `offset` from its start."""
    import ctypes
    from pickle import PickleBuffer

    if PickleBuffer.__basicsize__ < offset + ctypes.sizeof(ctypes.c_void_p):
        return False
    viewed = b"viewed"
    probe = PickleBuffer(viewed)
    # A read inside the probe (its size was checked above), where obj should be.
    return ctypes.c_void_p.from_address(id(probe) + offset).value == id(viewed)


def _type_with_buffer_slot(name: bytes, basicsize: int, getbuffer: int) -> type:
    """A new subclass of ``object``, of `basicsize` octets, with `getbuffer` as its slot."""
    import ctypes

    class Slot(ctypes.Structure):  # PyType_Slot
        _fields_ = [("slot", ctypes.c_int), ("pfunc", ctypes.c_void_p)]

    class Spec(ctypes.Structure):  # PyType_Spec
        _fields_ = [
            ("name", ctypes.c_char_p),
            ("basicsize", ctypes.c_int),
            ("itemsize", ctypes.c_int),
            ("flags", ctypes.c_uint),
            ("slots", ctypes.POINTER(Slot)),
        ]

    slots = (Slot * 2)(Slot(_PY_BF_GETBUFFER, getbuffer), Slot(0, None))
    flags = _PY_TPFLAGS_HAVE_VERSION_TAG | _PY_TPFLAGS_BASETYPE
    spec = Spec(name, basicsize, 0, flags, slots)
    from_spec = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.POINTER(Spec), ctypes.py_object)(
        ("PyType_FromSpecWithBases", ctypes.pythonapi)
    )
    # ctypes keeps the new reference it is handed: the type is never freed, nor may it be.
    exporter: type = from_spec(ctypes.byref(spec), (object,))
    # Before 3.12 the type's name points into the spec's: that string must outlive it too.
    keep = ctypes.PYFUNCTYPE(None, ctypes.py_object)(("Py_IncRef", ctypes.pythonapi))
    keep(name)
    return exporter


if TYPE_CHECKING:
    _BufferExporter = object
else:
    _BufferExporter = _buffer_exporter()


class _Content(_BufferExporter):
    """Where a frame keeps its ``bytes``: the field right after the exporter's word,
    where the borrowed buffer slot looks for the object to export."""

    __slots__ = ("_bytes",)

    _bytes: bytes


class Frame(_Content):
    """A message part, for zero-copy-style sends and receives and for properties.

    Parameters
    ----------
    data : bytes-like, optional
        The content; ``None`` means empty.  ``str`` is refused: encode it first.
    track : bool
        Give the frame a ``MessageTracker`` (``tracker``): done once the frame,
        its copies and every send of it are released, or done from the start
        if pyzmq would have copied the content (see `copy`).
    copy : bool, optional
        With `track`, True gives the finished tracker; None (the default)
        decides by `copy_threshold`.  The content is kept immutable either way.
    copy_threshold : int, optional
        Contents shorter than this count as copied (default ``COPY_THRESHOLD``,
        65536; 0 means never).

    Raises
    ------
    TypeError
        If `data` is a ``str`` or does not support the buffer interface.
    BufferError
        If `data` is not contiguous in memory.

    A frame is a read-only buffer of its content (``memoryview(frame)``,
    ``numpy.frombuffer(frame)``...), shared, not copied.  Message properties
    read like a mapping: ``frame["Socket-Type"]``.
    """

    __slots__ = ("_shared", "_view", "more", "properties", "tracker", "tracker_event")

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
        content = _frozen(data)
        self._shared = False
        self._view: weakref.ref[memoryview] | None = None
        self.more = False
        self.properties = _NO_PROPERTIES
        self.tracker_event = None
        if not track:
            self.tracker = None
        elif data is None or _copied(len(content), copy, copy_threshold):
            self.tracker = _FINISHED_TRACKER
        else:
            content, self.tracker = tracked_bytes(content)
            self.tracker_event = content.released
        self._bytes = content

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
        # PEP 688 (3.12+); on CPython 3.10 and 3.11 the base type exports the buffer.
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

    def __reduce__(self) -> NoReturn:
        # As pyzmq's, on every Python (what failed first used to depend on the version).
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")

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
        # pyzmq's words, as Socket's and Context's reprs: "zmq.Frame", a subclass by its module.
        module = type(self).__module__
        if module == __name__:
            module = "zmq"
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


def received_frame(
    data: builtins.bytes, more: bool, properties: Mapping[str, builtins.bytes] | None = None
) -> Frame:
    """A frame of received `data` (kept, not copied), as ``recv(copy=False)`` returns it,
    with its connection's `properties` (metadata: see the module docstring).

    What ``Frame(data)`` makes, with `more` set, minus the checks and the call of
    ``__init__``: received data is ``bytes`` already, and a socket makes one frame
    per part.
    """
    frame: Frame = object.__new__(Frame)
    frame._bytes = data
    frame._shared = False
    frame._view = None
    frame.more = more
    frame.properties = properties if properties is not None else _NO_PROPERTIES
    frame.tracker = None
    frame.tracker_event = None
    return frame


def _copied(size: int, copy: bool | None, threshold: int | None) -> bool:
    """Whether pyzmq would copy a frame of `size` octets (rather than share it)."""
    if copy is not None:
        return copy
    if threshold is None:
        threshold = _COPY_THRESHOLD
    return bool(threshold) and size < threshold


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
