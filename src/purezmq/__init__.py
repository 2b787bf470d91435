"""purezmq: ZeroMQ in pure Python, with pyzmq's API.

``import purezmq as zmq`` runs pyzmq programs unchanged; ``purezmq.asyncio`` is the
asyncio flavour. Sockets speak ZMTP 3.1 (and 3.0 to older peers) over tcp, ipc and
inproc, so they talk to any libzmq program.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import constants
from .constants import *  # noqa: F403  (pyzmq exports every constant at top level)
from .core.endpoint import IPC_PATH_MAX_LEN
from .error import (
    Again,
    ContextTerminated,
    DraftFDWarning,
    InterruptedSystemCall,
    NotDone,
    ZMQBaseError,
    ZMQBindError,
    ZMQError,
    ZMQVersionError,
    strerror,
)
from .sugar.context import Context, SyncContext
from .sugar.frame import Frame, Message
from .sugar.poll import Poller, select
from .sugar.proxy import device, proxy, proxy_steerable
from .sugar.socket import Socket, SyncSocket
from .sugar.stopwatch import Stopwatch
from .sugar.tracker import _FINISHED_TRACKER as _FINISHED_TRACKER
from .sugar.tracker import MessageTracker
from .sugar.version import pyzmq_version, pyzmq_version_info, zmq_version, zmq_version_info

PYZMQ_DRAFT_API = False
__revision__ = ""

__version__ = "0.1.0"
COPY_THRESHOLD = 65536
DRAFT_API = False

# "curve" is not here: it depends on PyNaCl, checked when asked (see has()).
_CAPABILITIES = {"ipc": True, "pgm": False, "tipc": False, "norm": False,
                 "gssapi": False, "draft": False}


def has(capability: str) -> bool:
    """Whether a libzmq capability ("ipc", "curve", "draft" ...) is available.

    "curve" is True when PyNaCl imports (the ``purezmq[curve]`` extra).
    """
    if capability == "curve":
        from .sugar.curve import curve_available

        return curve_available()
    return _CAPABILITIES.get(capability, False)


def zmq_poll(sockets: list[tuple[Any, int]], timeout: float | None = -1) -> list[tuple[Any, int]]:
    """Poll (socket, flags) pairs for up to ``timeout`` ms (-1: for ever), as pyzmq."""
    poller = Poller()
    for sock, flags in sockets:
        poller.register(sock, flags)
    return poller.poll(None if timeout is None or timeout < 0 else timeout)


def zmq_errno() -> int:
    """libzmq's last error number; purezmq reports errors only as exceptions, so 0."""
    return 0


def get_includes() -> list[str]:
    """No C headers: purezmq has no native code."""
    return []


def get_library_dirs() -> list[str]:
    """No C library to link: purezmq has no native code."""
    return []


def install_as_zmq() -> None:
    """Make ``import zmq`` give purezmq from now on, in this process (see purezmq.alias)."""
    from .alias import install_as_zmq as install

    install()


# Loaded at first use (PEP 562), so that ``import purezmq`` costs only what every
# program needs: the optional parts (asyncio, devices, auth, the command line ...) load
# when a program touches them, as ``purezmq.devices`` or ``import purezmq.devices``.
_LAZY_NAMES = {"curve_keypair": "purezmq.sugar.curve", "curve_public": "purezmq.sugar.curve"}
_LAZY_MODULES = frozenset({
    "alias", "asyncio", "auth", "backend", "bench", "cli", "curve_keygen", "decorators",
    "demo", "devices", "engine", "eventloop", "green", "log", "ssh", "tests", "utils", "zmtp",
})

if TYPE_CHECKING:
    from . import backend as backend
    from .sugar.curve import curve_keypair, curve_public
else:

    def __getattr__(name: str) -> Any:
        """A name or submodule loaded at first use (then kept as a module attribute)."""
        if name in _LAZY_NAMES:
            value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        elif name in _LAZY_MODULES:
            value = importlib.import_module(f"purezmq.{name}")
        else:
            raise AttributeError(f"module 'purezmq' has no attribute {name!r}")
        globals()[name] = value
        return value


from . import sugar as sugar  # noqa: E402

__all__ = [
    "COPY_THRESHOLD",
    "DRAFT_API",
    "IPC_PATH_MAX_LEN",
    "Again",
    "Context",
    "ContextTerminated",
    "DraftFDWarning",
    "Frame",
    "InterruptedSystemCall",
    "Message",
    "MessageTracker",
    "NotDone",
    "PYZMQ_DRAFT_API",
    "Poller",
    "Socket",
    "Stopwatch",
    "SyncContext",
    "SyncSocket",
    "ZMQBaseError",
    "ZMQBindError",
    "ZMQError",
    "ZMQVersionError",
    "constants",
    "curve_keypair",
    "curve_public",
    "device",
    "has",
    "install_as_zmq",
    "proxy",
    "proxy_steerable",
    "pyzmq_version",
    "pyzmq_version_info",
    "select",
    "strerror",
    "zmq_errno",
    "zmq_poll",
    "zmq_version",
    "zmq_version_info",
    *constants.__all__,
]
