"""purezmq.green: purezmq for gevent, as pyzmq's ``zmq.green``.

Usage::

    import purezmq.green as zmq     # or ``import zmq.green as zmq`` under the alias

Blocking calls of its sockets and pollers (send, recv and their forms, recv_into,
poll) block only the calling greenlet; everything else is purezmq's.

How purezmq runs under gevent (the decision, and why):

- Green sockets wait on the socket's ``FD`` in gevent's hub, as pyzmq's do: one
  watcher per socket drains the FD and wakes every greenlet waiting on that socket,
  and each tries its operation again (``_wakeups.py``). RCVTIMEO and SNDTIMEO are
  honoured (``Again``) -- pyzmq's green sockets ignore them, with a warning -- and
  ``gevent.Timeout`` or ``kill()`` interrupt a wait without losing a message.
- The engine keeps a real OS thread running an asyncio loop, with or without
  ``gevent.monkey.patch_all()``, called before or after ``import purezmq`` (but
  before the first Context starts its I/O thread, as gevent asks of all threads). Under
  patching that thread is started with the original ``_thread``, and its loop is
  built of originals (selector, self-pipe, executor threads, its sockets and
  address lookups): a loop run as a
  greenlet would be the running asyncio loop of every greenlet in its OS thread and
  would stall whenever one of them computes, and gevent's selector and sockets need
  a running hub, which that thread does not have. This is libzmq's model: pyzmq's
  green sockets also sit on a native I/O thread.
- What a greenlet may wait on while that thread acts is a real lock, not gevent's
  (``engine/iothread.py``): gevent cannot wake a waiting greenlet from a thread without
  a hub reliably (an idle hub ends the wait with ``LoopExit``). The I/O thread only
  writes to the FD's socket pair, which the hub's own poll sees.
- A *plain* purezmq socket used from a greenlet behaves as a pyzmq one does: its
  blocking call blocks the whole thread, hub included, until the I/O thread delivers
  (a message from another process, a timeout), and then returns. It never waits on
  a gevent primitive, so patching cannot make it hang. Use purezmq.green's sockets
  in greenlets.

Importing this module without gevent raises ImportError naming the extra to install.
"""

from __future__ import annotations

try:
    import gevent as _gevent  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without gevent installed
    raise ImportError(
        "purezmq.green needs gevent: pip install 'purezmq[green]'"
    ) from exc

from .. import *  # noqa: F403  (pyzmq: zmq.green has every name of zmq)
from .. import __all__ as _all
from .core import Context as Context
from .core import Socket as Socket
from .device import device as device
from .poll import Poller as Poller

__all__ = list(_all)
