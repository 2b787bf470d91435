"""Calls that a daemon thread is left blocked in when the interpreter exits.

The exit hook (``context.py``) closes every socket still open and terminates its
Context, so that what the program queued goes out. Threads other than the main one
that are still blocked in a call by then are daemons (Python joined the others
before the hook ran): the program left them to end with the process. On pyzmq their
calls stay blocked until it does; here the hook's close and term would wake them
with ContextTerminated or ENOTSOCK, and Python would print "Exception in thread" at
every exit. :func:`stay_blocked_if_exiting` keeps such a call blocked instead.
"""

from __future__ import annotations

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
    other than the main one (not a greenlet); else return at once (the caller raises
    as usual)."""
    if getattr(context, "exiting", False) and threading.current_thread() is not (
        threading.main_thread()
    ):
        from ..engine.iothread import gevent_patched, os_lock

        if gevent_patched():
            # A greenlet (threading patched): a real lock would block every greenlet
            # of the thread, the exit hook's included. It raises, as documented for
            # green sockets closed under their waiters.
            return
        lock = os_lock()  # a real lock
        lock.acquire()
        lock.acquire()  # released by nobody: the process ends around it


__all__ = ["CLOSED_AT_EXIT", "TERMINATED_AT_EXIT", "stay_blocked_if_exiting"]
