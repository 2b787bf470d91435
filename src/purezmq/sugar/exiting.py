"""Calls that a daemon thread is left blocked in when the interpreter exits.

The exit hook (``context.py``) closes every socket still open and terminates its
Context, so that what the program queued goes out. Threads other than the main one
that are still blocked in a call by then are daemons (Python joined the others
before the hook ran): the program left them to end with the process. On pyzmq their
calls stay blocked until it does, and so do greenlets; here the hook's close and term
would wake them with ContextTerminated or ENOTSOCK, and Python (or gevent) would
print a traceback at every exit. :func:`stay_blocked_if_exiting` keeps such a call
blocked instead.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

# What a call on a socket the exit hook closed says in the main thread (a __del__ or an
# atexit function that runs after the hook): why a socket the program never closed is.
CLOSED_AT_EXIT = (
    "the socket was closed when the program ended: sockets still open at exit are"
    " closed then, after sending what they had queued (LINGER)"
)
TERMINATED_AT_EXIT = (
    "the context was terminated when the program ended, with the sockets still open"
)


def stay_blocked_if_exiting(context: Any) -> None:
    """Block for ever if ``context`` is being terminated at exit and this is a thread
    other than the main one, or a greenlet; else return at once (the caller raises as
    usual). A greenlet is parked cooperatively (gevent's other greenlets, the exit
    hook's among them, run on); a thread waits on a lock nobody releases."""
    if not getattr(context, "exiting", False):
        return
    if _in_a_spawned_greenlet():
        from gevent.event import Event

        Event().wait()  # set by nobody: the hub never resumes this greenlet
    if threading.current_thread() is not threading.main_thread():
        from ..engine.iothread import os_lock

        lock = os_lock()  # a real lock: a patched one would be a greenlet's
        lock.acquire()
        lock.acquire()  # released by nobody: the process ends around it


def _in_a_spawned_greenlet() -> bool:
    """True in a greenlet that gevent runs (not a thread's own main greenlet)."""
    if "gevent" not in sys.modules:
        return False
    from gevent import getcurrent

    return getcurrent().parent is not None


__all__ = ["CLOSED_AT_EXIT", "TERMINATED_AT_EXIT", "stay_blocked_if_exiting"]
