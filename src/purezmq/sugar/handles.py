"""``underlying`` handles: ints that ``shadow`` turns back into the same context or socket.

pyzmq's ``ctx.underlying`` and ``sock.underlying`` are addresses of libzmq objects, and
``Context.shadow(address)`` / ``Socket.shadow(address)`` wrap them again, possibly in
another class (an asyncio socket seen as a sync one, as jupyter_client does). purezmq's
objects have no C address; the handle is the object's ``id()``, remembered here
weakly, and resolves only in this process and only while the object lives.
"""

from __future__ import annotations

import errno
import threading
import weakref
from typing import Any, TypeVar

from ..error import ZMQError

T = TypeVar("T")

_lock = threading.Lock()
_objects: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


def register(obj: object) -> int:
    """The handle of ``obj``: its id, from which :func:`resolve` finds it again."""
    key = id(obj)
    with _lock:
        _objects[key] = obj
    return key


def resolve(handle: Any, kind: type[T]) -> T:
    """The object of kind ``kind`` that ``handle`` stands for: the object itself, or
    an int from :func:`register`. ZMQError(EINVAL) (also a ValueError) otherwise."""
    if isinstance(handle, kind):
        return handle
    if isinstance(handle, int) and not isinstance(handle, bool):
        with _lock:
            obj = _objects.get(handle)
        if isinstance(obj, kind):
            return obj
        raise _InvalidHandle(errno.EINVAL, f"no live {kind.__name__} has handle {handle:#x}")
    raise TypeError(f"expected a {kind.__name__} or its underlying handle, not {handle!r}")


class _InvalidHandle(ZMQError, ValueError):
    """A handle that stands for no live object (a ZMQError that is also a ValueError)."""
