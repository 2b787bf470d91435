"""``MessageTracker``: has ZeroMQ let go of a message's buffer yet?

Theory of operation
-------------------
In pyzmq a zero-copy send hands the caller's buffer to libzmq, and the caller
must not modify it until libzmq has let go of the message: written it to the
kernel, dropped it (socket closed, LINGER expired), or, over inproc, seen the
receiver release it.  A ``MessageTracker`` reports that moment (``done``) and
lets the caller wait for it (``wait``).

purezmq keeps pyzmq's rules for when a tracker is real (``Frame(track=True)``
made without copying, ``send(copy=False, track=True)`` at or above
``copy_threshold``) and when it is ``_FINISHED_TRACKER`` (a copied message).
A real tracker's content is a ``TrackedBytes``: ``bytes`` whose release sets
the tracker's event.  Everything that holds the message holds that object and
nothing else: the frame and its ``fast_copy`` twins, each pipe it was queued
in, the transport buffer of a big frame not yet taken by the kernel (small
frames are joined into one write, a copy), the inproc receiver's hands.  So
CPython's reference counting tells when the last holder lets go, whatever the
path (written, dropped with a pipe, received), without a count kept in the
engine.  Untracked messages stay plain ``bytes``: only ``track=True`` pays.
"""

from __future__ import annotations

import time
from threading import Event
from typing import TYPE_CHECKING, Final

from ..error import NotDone

if TYPE_CHECKING:
    from .frame import Frame

__all__ = ["_FINISHED_TRACKER", "MessageTracker", "TrackedBytes", "tracked_bytes"]


class MessageTracker:
    """Track whether ZeroMQ is done with one or more messages.

    Parameters
    ----------
    *towatch : threading.Event, MessageTracker or Frame
        What to track: an event that is set when done, another tracker, or a
        frame created with ``track=True``.

    Raises
    ------
    ValueError
        If a frame was not created with ``track=True``.
    TypeError
        If an object is none of the above.
    """

    events: set[Event]
    peers: set[MessageTracker]

    def __init__(self, *towatch: MessageTracker | Event | Frame) -> None:
        self.events = set()
        self.peers = set()
        for obj in towatch:
            if isinstance(obj, Event):
                self.events.add(obj)
            elif isinstance(obj, MessageTracker):
                self.peers.add(obj)
            else:
                self.peers.add(_tracker_of(obj))

    @property
    def done(self) -> bool:
        """Whether ZeroMQ is done with every tracked message."""
        return all(event.is_set() for event in self.events) and all(
            peer.done for peer in self.peers
        )

    def wait(self, timeout: float = -1) -> None:
        """Wait until ``done``, for at most `timeout` seconds.

        Parameters
        ----------
        timeout : float
            Seconds to wait; a negative value (the default) waits forever.

        Raises
        ------
        NotDone
            If `timeout` passes first.
        """
        forever = timeout is False or timeout < 0
        deadline = None if forever else time.monotonic() + timeout
        for event in self.events:
            if not event.wait(_remaining(deadline)):
                raise NotDone
        for peer in self.peers:
            remaining = _remaining(deadline)
            peer.wait(-1 if remaining is None else remaining)

    def __repr__(self) -> str:
        state = "done" if self.done else "pending"
        counts = f"{len(self.events)} events, {len(self.peers)} peers"
        return f"<{type(self).__name__} {state}: {counts}>"


def _tracker_of(frame: object) -> MessageTracker:
    from .frame import Frame  # imported here: frame.py imports this module

    if not isinstance(frame, Frame):
        raise TypeError(f"Require Events or Message Frames, not {type(frame)}")
    if frame.tracker is None:
        raise ValueError("Not a tracked message")
    return frame.tracker


def _remaining(deadline: float | None) -> float | None:
    """Seconds left until `deadline` (never negative), or None for no deadline."""
    if deadline is None:
        return None
    return max(0.0, deadline - time.monotonic())


# The tracker of a tracked message that was copied (pyzmq's name): done from the start.
_FINISHED_TRACKER: Final[MessageTracker] = MessageTracker()


class TrackedBytes(bytes):
    """The content of a tracked message: sets ``released`` when the last reference goes."""

    released: Event

    def __del__(self) -> None:
        self.released.set()

    def __reduce__(self) -> tuple[type[bytes], tuple[bytes]]:
        # Pickled (or copied) as the plain bytes it holds: a copy tracks nothing.
        return bytes, (bytes(self),)


def tracked_bytes(content: bytes) -> tuple[TrackedBytes, MessageTracker]:
    """A tracked copy of `content`, and the tracker that is done once it is released."""
    tracked = TrackedBytes(content)
    tracked.released = Event()
    return tracked, MessageTracker(tracked.released)
