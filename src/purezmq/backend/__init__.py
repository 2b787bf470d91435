"""``zmq.backend``: the primitives pyzmq's sugar is built on, for programs that reach for them.

pyzmq picks a compiled backend (Cython or CFFI) here. purezmq has one implementation,
so these are the same objects as the top-level names.
"""

from __future__ import annotations

from .. import (
    IPC_PATH_MAX_LEN,
    PYZMQ_DRAFT_API,
    Context,
    Frame,
    Message,
    Socket,
    curve_keypair,
    curve_public,
    has,
    proxy,
    proxy_steerable,
    strerror,
    zmq_errno,
    zmq_poll,
    zmq_version_info,
)
from ..devices.monitoredqueue import monitored_queue
from .select import public_api as public_api
from .select import select_backend as select_backend

__all__ = [
    "IPC_PATH_MAX_LEN",
    "PYZMQ_DRAFT_API",
    "Context",
    "Frame",
    "Message",
    "Socket",
    "curve_keypair",
    "curve_public",
    "has",
    "monitored_queue",
    "proxy",
    "proxy_steerable",
    "strerror",
    "zmq_errno",
    "zmq_poll",
    "zmq_version_info",
]
