"""Errors raised by the core, each carrying the errno pyzmq's ``ZMQError`` will get.

The facade converts them at one boundary (``purezmq.error.from_core``); the core
itself knows nothing of pyzmq's exception classes.
"""

from __future__ import annotations

import errno as _errno

# libzmq's own errno values (include/zmq.h: ZMQ_HAUSNUMERO = 156384712).
ZMQ_HAUSNUMERO = 156384712
EFSM = ZMQ_HAUSNUMERO + 51
ENOCOMPATPROTO = ZMQ_HAUSNUMERO + 52
ETERM = ZMQ_HAUSNUMERO + 53
EMTHREAD = ZMQ_HAUSNUMERO + 54

EAGAIN = _errno.EAGAIN
EINVAL = _errno.EINVAL
ENOTSUP = _errno.ENOTSUP
EHOSTUNREACH = _errno.EHOSTUNREACH
EADDRINUSE = _errno.EADDRINUSE
EADDRNOTAVAIL = _errno.EADDRNOTAVAIL
ENOENT = _errno.ENOENT
EPROTONOSUPPORT = _errno.EPROTONOSUPPORT
ENOTSOCK = _errno.ENOTSOCK
EMSGSIZE = _errno.EMSGSIZE
ECONNREFUSED = _errno.ECONNREFUSED
ENODEV = _errno.ENODEV
ENAMETOOLONG = _errno.ENAMETOOLONG


class CoreError(Exception):
    """A socket operation failed; ``errno`` says why, as libzmq would."""

    def __init__(self, errno: int, msg: str | None = None) -> None:
        super().__init__(errno, msg)
        self.errno = errno
        self.msg = msg


class WouldBlock(CoreError):
    """The operation cannot complete now (libzmq's EAGAIN).

    Raised by a send that finds no room and by the core's public recv() when nothing
    waits (a type's xrecv returns None instead), often enough that it is made without
    a Python-level ``__init__``: the errno is the class's, the message the one argument.
    """

    errno = EAGAIN
    __init__ = Exception.__init__

    @property
    def msg(self) -> str | None:  # type: ignore[override]
        return self.args[0] if self.args else None

