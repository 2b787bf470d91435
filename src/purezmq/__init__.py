"""purezmq: ZeroMQ in pure Python, with pyzmq's API.

``import purezmq as zmq`` runs pyzmq programs unchanged; ``purezmq.asyncio`` is the
asyncio flavour. Sockets speak ZMTP 3.1 (and 3.0 to older peers) over tcp, ipc and
inproc, so they talk to any libzmq program.
"""

from __future__ import annotations

from typing import Any

from . import constants
from .constants import *  # noqa: F403  (pyzmq exports every constant at top level)
from .error import (
    Again,
    ContextTerminated,
    InterruptedSystemCall,
    NotDone,
    ZMQBaseError,
    ZMQBindError,
    ZMQError,
    ZMQVersionError,
    strerror,
)
from .sugar.context import Context
from .sugar.frame import Frame, Message
from .sugar.poll import Poller, select
from .sugar.socket import Socket
from .sugar.tracker import MessageTracker

Context._socket_class = Socket

__version__ = "0.1.0"
# The libzmq release whose behaviour purezmq follows, and the pyzmq API it mirrors.
_ZMQ_VERSION = (4, 3, 5)
_PYZMQ_API = (27, 3, 0)
COPY_THRESHOLD = 65536
DRAFT_API = False
IPC_PATH_MAX_LEN = 107

_CAPABILITIES = {"ipc": True, "pgm": False, "tipc": False, "norm": False, "curve": False,
                 "gssapi": False, "draft": False}


def zmq_version() -> str:
    """The libzmq version purezmq's behaviour matches, as a string."""
    return ".".join(map(str, _ZMQ_VERSION))


def zmq_version_info() -> tuple[int, int, int]:
    """The libzmq version purezmq's behaviour matches, as a tuple."""
    return _ZMQ_VERSION


def pyzmq_version() -> str:
    """The pyzmq API version purezmq follows."""
    return ".".join(map(str, _PYZMQ_API))


def pyzmq_version_info() -> tuple[int, int, int]:
    return _PYZMQ_API


def has(capability: str) -> bool:
    """Whether a libzmq capability ("ipc", "curve", "draft" ...) is available."""
    return _CAPABILITIES.get(capability, False)


def get_includes() -> list[str]:
    """No C headers: purezmq has no native code."""
    return []


def get_library_dirs() -> list[str]:
    return []


def __getattr__(name: str) -> Any:
    raise AttributeError(f"module 'purezmq' has no attribute {name!r}")


__all__ = [
    "COPY_THRESHOLD",
    "DRAFT_API",
    "IPC_PATH_MAX_LEN",
    "Again",
    "Context",
    "ContextTerminated",
    "Frame",
    "InterruptedSystemCall",
    "Message",
    "MessageTracker",
    "NotDone",
    "Poller",
    "Socket",
    "ZMQBaseError",
    "ZMQBindError",
    "ZMQError",
    "ZMQVersionError",
    "constants",
    "has",
    "pyzmq_version",
    "pyzmq_version_info",
    "select",
    "strerror",
    "zmq_version",
    "zmq_version_info",
    *constants.__all__,
]
