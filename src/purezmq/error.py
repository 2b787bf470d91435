"""ZeroMQ exceptions, shaped like pyzmq's ``zmq.error``.

Theory of operation
-------------------
Every failure a ZeroMQ call reports to its caller is a ``ZMQError`` carrying an
``errno`` from ``purezmq.constants.Errno``.  Three errnos get a subclass of
their own, because callers catch them by type: ``Again`` (``EAGAIN``: nothing
to receive, or the high-water mark is reached, with ``NOBLOCK``),
``ContextTerminated`` (``ETERM``) and ``InterruptedSystemCall`` (``EINTR``).

Code inside purezmq turns an errno into an exception in one place,
``error_for_errno`` (or ``raise_for_errno``), so that the subclass chosen for
an errno never depends on who raised it.  ``strerror`` gives libzmq's text for
libzmq's own errors and the C library's text for the rest, so messages read the
same as under pyzmq.
"""

from __future__ import annotations

import importlib
import os
import sys
from errno import EINTR as _EINTR
from typing import Literal, NoReturn

from .constants import Errno

__all__ = [
    "Again",
    "ContextTerminated",
    "DraftFDWarning",
    "InterruptedSystemCall",
    "NotDone",
    "ZMQBaseError",
    "ZMQBindError",
    "ZMQError",
    "ZMQVersionError",
    "error_for_errno",
    "raise_for_errno",
    "strerror",
]

# libzmq's own messages (src/err.cpp, errno_to_string); any other errno reads
# as the C library's strerror.
_LIBZMQ_MESSAGES: dict[int, str] = {
    Errno.EFSM: "Operation cannot be accomplished in current state",
    Errno.ENOCOMPATPROTO: "The protocol is not compatible with the socket type",
    Errno.ETERM: "Context was terminated",
    Errno.EMTHREAD: "No thread available",
    Errno.EHOSTUNREACH: "Host unreachable",
}
if sys.platform.startswith("win"):
    # On Windows libzmq names the errnos the MSVC runtime lacks text for.
    _LIBZMQ_MESSAGES.update(
        {
            Errno.ENOTSUP: "Not supported",
            Errno.EPROTONOSUPPORT: "Protocol not supported",
            Errno.ENOBUFS: "No buffer space available",
            Errno.ENETDOWN: "Network is down",
            Errno.EADDRINUSE: "Address in use",
            Errno.EADDRNOTAVAIL: "Address not available",
            Errno.ECONNREFUSED: "Connection refused",
            Errno.EINPROGRESS: "Operation in progress",
        }
    )


def strerror(errnum: int) -> str:
    """Return the message libzmq's ``zmq_strerror`` gives for `errnum`."""
    message = _LIBZMQ_MESSAGES.get(errnum)
    if message is not None:
        return message
    try:
        return os.strerror(errnum)
    except (ValueError, OverflowError):
        return f"Unknown error {errnum}"


class ZMQBaseError(Exception):
    """Base class of every purezmq exception."""


class ZMQError(ZMQBaseError):
    """An error identified by an errno, as libzmq reports them.

    Parameters
    ----------
    errno : int or None
        The error number, normally a member of ``Errno``.  ``None`` means no
        number is known; ``errno`` then stays ``None``.
    msg : str or None
        The description; by default ``strerror(errno)``.
    """

    errno: int | None = None
    strerror: str

    def __init__(self, errno: int | None = None, msg: str | None = None) -> None:
        if isinstance(errno, int):
            self.errno = errno
            self.strerror = strerror(errno) if msg is None else msg
        elif msg is not None:
            self.strerror = msg
        else:
            # pyzmq tolerates a non-int "errno" and shows it as the message.
            self.strerror = "Unknown error" if errno is None else str(errno)

    def __str__(self) -> str:
        return self.strerror

    def __repr__(self) -> str:
        return f"{type(self).__name__}('{self}')"


class ZMQBindError(ZMQBaseError):
    """``Socket.bind_to_random_port`` found no free port."""


class NotDone(ZMQBaseError):
    """``MessageTracker.wait`` timed out before the message was released."""


class ContextTerminated(ZMQError):
    """The context was terminated (``ETERM``); arguments are ignored."""

    def __init__(
        self, errno: int | Literal["ignored"] = "ignored", msg: str = "ignored"
    ) -> None:
        super().__init__(Errno.ETERM)


class Again(ZMQError):
    """The operation would block (``EAGAIN``); arguments are ignored."""

    def __init__(
        self, errno: int | Literal["ignored"] = "ignored", msg: str = "ignored"
    ) -> None:
        super().__init__(Errno.EAGAIN)


class InterruptedSystemCall(ZMQError, InterruptedError):  # type: ignore[misc]
    """A call was interrupted by a signal (``EINTR``); arguments are ignored.

    purezmq retries interrupted waits itself, so this reaching user code is a bug.
    (The ``type: ignore`` above: ``ZMQError.errno`` may be ``None`` where
    ``OSError.errno`` is an ``int``; here it is always ``EINTR``.)
    """

    def __init__(
        self, errno: int | Literal["ignored"] = "ignored", msg: str = "ignored"
    ) -> None:
        super().__init__(_EINTR)

    def __str__(self) -> str:
        return (
            f"{super().__str__()}: This call should have been retried. "
            "Please report this to purezmq."
        )


class ZMQVersionError(NotImplementedError):
    """A feature needs a newer libzmq than the one purezmq stands in for.

    Attributes ``min_version``, ``msg`` and ``version`` (the libzmq version
    purezmq reports) are set as in pyzmq.
    """

    msg: str
    min_version: str
    version: str

    def __init__(self, min_version: str, msg: str = "Feature") -> None:
        self.msg = msg
        self.min_version = min_version
        self.version = _reported_libzmq_version()

    def __repr__(self) -> str:
        return f"ZMQVersionError('{self}')"

    def __str__(self) -> str:
        return f"{self.msg} requires libzmq >= {self.min_version}, have {self.version}"


class DraftFDWarning(RuntimeWarning):
    """Warning about ``socket.FD`` on a thread-safe (draft) socket, as in pyzmq."""

    def __init__(self, msg: str = "") -> None:
        super().__init__(msg or "socket.FD on thread-safe sockets is experimental")


def error_for_errno(errno: int, msg: str | None = None) -> ZMQError:
    """Return the exception pyzmq would raise for `errno`.

    ``Again`` for ``EAGAIN``, ``ContextTerminated`` for ``ETERM``,
    ``InterruptedSystemCall`` for ``EINTR``, a plain ``ZMQError`` otherwise.
    A `msg` replaces the standard description (``strerror``) in every case.
    """
    error: ZMQError
    if errno == Errno.EAGAIN:
        error = Again()
    elif errno == Errno.ETERM:
        error = ContextTerminated()
    elif errno == _EINTR:
        error = InterruptedSystemCall()
    else:
        return ZMQError(errno) if msg is None else ZMQError(errno, msg)
    if msg is not None:
        error.strerror = msg
    return error


def raise_for_errno(errno: int, msg: str | None = None) -> NoReturn:
    """Raise ``error_for_errno(errno, msg)``."""
    raise error_for_errno(errno, msg)


def _reported_libzmq_version() -> str:
    # Looked up when needed: the package's version functions live in modules
    # that import this one.
    package = importlib.import_module(__package__ or "purezmq")
    zmq_version = getattr(package, "zmq_version", None)
    return str(zmq_version()) if callable(zmq_version) else "unknown"

