"""The pyzmq-shaped classes users touch: frames, trackers, sockets, contexts, pollers.

Laid out as pyzmq's ``zmq.sugar`` (the same module names), since programs import
them by those names: ``from zmq.sugar import version``, ``zmq.sugar.context.Context``.
"""

from __future__ import annotations

from .. import error
from ..error import *  # noqa: F403
from . import context as context
from . import frame as frame
from . import poll as poll
from . import socket as socket
from . import stopwatch as stopwatch
from . import tracker as tracker
from . import version
from .context import Context, SyncContext
from .frame import Frame, Message
from .poll import Poller, select
from .proxy import device
from .socket import Socket, SyncSocket
from .stopwatch import Stopwatch
from .tracker import _FINISHED_TRACKER, MessageTracker
from .version import *  # noqa: F403

__all__ = [
    "Context",
    "Frame",
    "Message",
    "MessageTracker",
    "Poller",
    "Socket",
    "Stopwatch",
    "SyncContext",
    "SyncSocket",
    "_FINISHED_TRACKER",
    "device",
    "select",
    *error.__all__,
    *version.__all__,
]
