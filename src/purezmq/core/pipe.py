"""Pipes: the bounded message queues between a socket and each of its peers.

Theory of operation (after libzmq's ``pipe_t`` and ``ypipe_t``):

A pipe pair joins two owners, a socket and a session, or two sockets for
inproc. Each direction is a :class:`Flow`: a deque that one thread appends to
and one thread pops from, a high-water mark (HWM) counted in whole messages,
and two flags that make wake-ups happen only on transitions:

- ``reader_asleep``: the reader found the deque empty and will not look again
  until it is told. The writer clears it after an append and tells the reader's
  owner (``read_activated``). The reader sets the flag *before* its final look at
  the deque, and the writer checks it *after* its append, so no wake-up is lost.
- ``writer_blocked``: the writer found the deque at its HWM. The reader clears
  it when the deque falls to the low-water mark and tells the writer's owner
  (``write_activated``). Same ordering rule.

Either race can produce a spurious activation (a wake-up for a pipe that is
already active); owners must treat activations as idempotent.

Termination is in-band, as libzmq's delimiter: the end that leaves appends
:data:`DELIMITER` to its outgoing flow, so the other end still reads every
message sent before it. Reading the delimiter marks the pipe ``delimited`` and
tells the owner through ``pipe_delimited``, which must only record the fact:
it is called from inside ``read``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

# The HWM of a conflated flow (socket option CONFLATE): it keeps only the newest message.
CONFLATE = -1

# The largest gap between HWM and LWM (libzmq pipe.cpp max_wm_delta): with a big
# HWM the writer is woken well before the queue runs dry.
MAX_WM_DELTA = 1024

# A message: its frames in order. The facades send tuples and the decoder hands out
# tuples: CPython keeps a free list of them, so a message in flight costs no allocation
# the cyclic GC counts (a list per message set off a collection every 700 messages,
# scanning the queue). Code that builds on a message makes a new one ((*a, *msg)),
# never mutates it; a list is still a message (subscriptions, tests).
Msg = list[bytes] | tuple[bytes, ...]


class _Delimiter:
    __slots__ = ()

    def __repr__(self) -> str:
        return "DELIMITER"


DELIMITER: Any = _Delimiter()


class _EndOfBatch(tuple):  # type: ignore[type-arg]
    """Marks where :meth:`Pipe.read_all` stops. A tuple subclass with no items: comparing a
    message (a tuple) with it costs one length check in C."""

    __slots__ = ()


_END_OF_BATCH = _EndOfBatch()


def _take_conflated(queue: deque[Any]) -> list[Msg]:
    """What waits in a conflated flow, whose writer may pop from the right meanwhile."""
    batch = []
    while queue:
        try:
            batch.append(queue.popleft())
        except IndexError:
            break
    return batch


class PipeSink(Protocol):
    """The owner of a pipe end: told when the end becomes readable or writable."""

    def read_activated(self, pipe: Pipe) -> None: ...
    def write_activated(self, pipe: Pipe) -> None: ...
    def pipe_delimited(self, pipe: Pipe) -> None: ...


def compute_lwm(hwm: int) -> int:
    """Low-water mark for ``hwm`` (libzmq ``compute_lwm``)."""
    if hwm < 0:
        return 0
    if hwm > MAX_WM_DELTA * 2:
        return hwm - MAX_WM_DELTA
    return (hwm + 1) // 2


class Flow:
    """One direction of a pipe pair: deque, HWM (0 = unlimited) and wake-up flags."""

    __slots__ = (
        "hwm", "lwm", "queue", "reader_asleep", "reader_wakeups", "writer_blocked",
        "writer_wakeups",
    )

    def __init__(self, hwm: int) -> None:
        self.queue: deque[Any] = deque()
        self.hwm = hwm
        self.lwm = compute_lwm(hwm)
        # The reader starts asleep: the first append must wake it.
        self.reader_asleep = True
        self.writer_blocked = False
        # How often each side was woken (each counter has one writing thread): batching
        # shows as far fewer wake-ups than messages.
        self.reader_wakeups = 0
        self.writer_wakeups = 0

    def __repr__(self) -> str:
        return f"<Flow queued={len(self.queue)} hwm={self.hwm}>"


class Pipe:
    """One end of a pipe pair: reads its inbound flow, writes its outbound flow."""

    __slots__ = (
        "_in",
        "_out",
        "delimited",
        "direct",
        "in_active",
        "in_slot",
        "open",
        "out_active",
        "out_slot",
        "peer",
        "probed",
        "properties",
        "refill",
        "routing_id",
        "sink",
        "terminated",
        "user_data",
    )

    def __init__(self, inbound: Flow, outbound: Flow) -> None:
        self._in = inbound
        self._out = outbound
        self.peer: Pipe = self
        self.sink: PipeSink | None = None
        # Owned by the sink's strategies: is this pipe in their active set?
        self.in_active = False
        self.out_active = False
        self.in_slot = self.out_slot = -1  # their places in those strategies' lists
        self.routing_id = b""
        self.properties: dict[str, bytes] = {}
        # The peer sent its delimiter: nothing more will arrive.
        self.delimited = False
        # This end sent its delimiter: nothing more may be written.
        self.terminated = False
        # Neither of the above: writes may go through.
        self.open = True
        self.user_data: Any = None
        # PROBE_ROUTER's empty message was already written (by the engine, at handshake).
        self.probed = False
        # Set by a session that can take a message straight from the writer's thread.
        self.direct: Callable[[Msg], bool] | None = None
        # Set by a session holding undecoded input: the reader calls it on finding this
        # end empty, and it writes the next messages from the reader's thread (True if
        # it did). Pipe.read and check_read call it before the reader goes to sleep.
        self.refill: Callable[[], bool] | None = None

    def __repr__(self) -> str:
        state = "delimited" if self.delimited else "terminated" if self.terminated else "open"
        return (
            f"<Pipe {state} in={len(self._in.queue)} out={len(self._out.queue)}"
            f" routing_id={self.routing_id!r}>"
        )

    # -- reading ---------------------------------------------------------

    def read(self) -> Msg | None:
        """Take the next message, or ``None`` if there is none (the reader then sleeps)."""
        flow = self._in
        queue = flow.queue
        if not queue and not self._refilled():
            flow.reader_asleep = True
            # Look again now that the flag is visible: a writer that appended before
            # seeing the flag did not wake us.
            if not queue:
                return None
            flow.reader_asleep = False
        msg = queue.popleft()
        if msg is DELIMITER:
            self._on_delimiter()
            return None
        if flow.writer_blocked and len(queue) <= flow.lwm:
            flow.writer_blocked = False
            self._wake_writer()
        return msg  # type: ignore[no-any-return]

    def read_all(self) -> list[Msg]:
        """Take every waiting message at once (the session's drain).

        The reader stays awake after a batch: the caller reads again until it gets
        ``[]``, and only that empty look puts the reader to sleep. A writer that goes on
        appending while the batch is written out then wakes nobody: the next read takes
        what it added (without this, a sync sender and the I/O thread fell into a
        ping-pong of one-message batches, each with a wake-up, a loop turn and a write).
        """
        flow = self._in
        queue = flow.queue
        if not queue:
            flow.reader_asleep = True
            if not queue:
                return []
            flow.reader_asleep = False
        if flow.hwm != CONFLATE:
            # The writer only appends: a marker appended now comes after everything
            # already here and before whatever the writer adds meanwhile, and popping up
            # to it takes the batch in C rather than in a Python loop.
            queue.append(_END_OF_BATCH)
            batch = list(iter(queue.popleft, _END_OF_BATCH))
        else:
            batch = _take_conflated(queue)
            if not batch:
                return self.read_all()  # the writer replaced the one message meanwhile
        if batch[-1] is DELIMITER:
            batch.pop()
            self._on_delimiter()
        if flow.writer_blocked and len(queue) <= flow.lwm:
            flow.writer_blocked = False
            self._wake_writer()
        return batch

    def unread(self, msgs: list[Msg]) -> None:
        """Put messages taken by :meth:`read_all` back at the front, in order (reader only)."""
        self._in.queue.extendleft(reversed(msgs))

    def _refilled(self) -> bool:
        """Ask the writer's refill hook for more (reader only); True if the queue has some."""
        refill = self.refill
        return refill is not None and refill() and bool(self._in.queue)

    def check_read(self) -> bool:
        """True if a message is waiting; if not, the reader sleeps until woken."""
        flow = self._in
        queue = flow.queue
        if not queue and not self._refilled():
            flow.reader_asleep = True
            if not queue:
                return False
            flow.reader_asleep = False
        if queue[0] is DELIMITER:
            queue.popleft()
            self._on_delimiter()
            return False
        return True

    def has_pending(self) -> bool:
        """True if a message (not just the delimiter) waits to be read on this end."""
        queue = self._in.queue
        return bool(queue) and queue[0] is not DELIMITER

    def queued_in(self) -> int:
        """Messages waiting to be read on this end."""
        return len(self._in.queue)

    def _on_delimiter(self) -> None:
        self.delimited = True
        self.open = False
        self._in.reader_asleep = False
        sink = self.sink
        if sink is not None:
            sink.pipe_delimited(self)

    def _wake_writer(self) -> None:
        self._in.writer_wakeups += 1
        peer = self.peer
        sink = peer.sink
        if sink is not None:
            sink.write_activated(peer)

    # -- writing ---------------------------------------------------------

    def check_write(self) -> bool:
        """True if one more message fits under the HWM; if not, ask to be woken."""
        if not self.open:
            return False
        flow = self._out
        hwm = flow.hwm
        if hwm > 0 and len(flow.queue) >= hwm:
            flow.writer_blocked = True
            if len(flow.queue) >= hwm:
                return False
            flow.writer_blocked = False
        return True

    def write(self, msg: Msg) -> None:
        """Append ``msg`` (the caller checked :meth:`check_write`) and wake a sleeping reader."""
        direct = self.direct
        if direct is not None and direct(msg):
            return
        flow = self._out
        if flow.hwm == CONFLATE and msg is not DELIMITER:
            # CONFLATE: the newest message replaces whatever still waits.
            queue = flow.queue
            while queue and queue[-1] is not DELIMITER:
                try:
                    queue.pop()
                except IndexError:
                    break  # the reader took it meanwhile
        flow.queue.append(msg)
        if flow.reader_asleep:
            flow.reader_asleep = False
            self._wake_reader()

    def try_write(self, msg: Msg) -> bool:
        """:meth:`check_write` and :meth:`write` in one call (the socket's hot path)."""
        direct = self.direct
        if direct is not None and self.open and direct(msg):
            return True
        flow = self._out
        queue = flow.queue
        hwm = flow.hwm
        if (hwm and len(queue) >= hwm) or not self.open:
            return self.check_write() and self._append(msg)
        queue.append(msg)
        if flow.reader_asleep:
            flow.reader_asleep = False
            self._wake_reader()
        return True

    def _append(self, msg: Msg) -> bool:
        self.write(msg)
        return True

    def write_batch(self, msgs: list[Msg]) -> int:
        """Write as many of ``msgs`` as fit under the HWM, in order; returns how many."""
        if not self.open:
            return 0
        flow = self._out
        queue = flow.queue
        hwm = flow.hwm
        if hwm == CONFLATE:
            self.write(msgs[-1])  # only the newest one survives anyway
            return len(msgs)
        room = hwm - len(queue) if hwm else len(msgs)
        if room < len(msgs):
            if room <= 0 or self.terminated or self.delimited:
                return 1 if self.try_write(msgs[0]) else 0
            msgs = msgs[:room]
        queue.extend(msgs)
        if flow.reader_asleep:
            flow.reader_asleep = False
            self._wake_reader()
        return len(msgs)

    def room(self) -> int:
        """How many more messages fit under the HWM now (-1: no limit).

        At 0 the writer is registered to be woken (``write_activated``), as by
        :meth:`check_write`; a closed pipe has no room.
        """
        flow = self._out
        hwm = flow.hwm
        if hwm <= 0:
            return -1 if self.open else 0  # unlimited, or CONFLATE (write_batch keeps one)
        room = hwm - len(flow.queue)
        if room > 0 and self.open:
            return room
        return 1 if self.check_write() else 0

    def write_many(self, msgs: list[Msg]) -> None:
        """Append several messages, ignoring the HWM (used for queued inbound backlog)."""
        flow = self._out
        flow.queue.extend(msgs)
        if flow.reader_asleep:
            flow.reader_asleep = False
            self._wake_reader()

    def queued_out(self) -> int:
        """Messages written on this end that the peer has not read yet."""
        return len(self._out.queue)

    def _wake_reader(self) -> None:
        self._out.reader_wakeups += 1
        peer = self.peer
        sink = peer.sink
        if sink is not None:
            sink.read_activated(peer)

    def terminate(self) -> None:
        """Leave the pipe: the peer reads what was written, then the delimiter."""
        if self.terminated:
            return
        self.terminated = True
        self.open = False
        self.direct = None  # the delimiter goes through the queue, after everything else
        # The peer may not write any more either (libzmq refuses writes at once).
        self.peer.open = False
        self._in.reader_asleep = False
        self.write(DELIMITER)

    def drop_inbound(self) -> int:
        """Discard every unread inbound message; returns how many were dropped."""
        queue = self._in.queue
        dropped = 0
        while queue and queue[0] is not DELIMITER:
            queue.popleft()
            dropped += 1
        return dropped

    def set_hwms(self, out_hwm: int, in_hwm: int) -> None:
        """Change the HWMs (an option set after the pipe was made)."""
        for flow, hwm in ((self._out, out_hwm), (self._in, in_hwm)):
            flow.hwm = hwm
            flow.lwm = compute_lwm(hwm)
        # A writer waiting for room on our inbound side may have some now.
        if self._in.writer_blocked and (not in_hwm or len(self._in.queue) < in_hwm):
            self._in.writer_blocked = False
            self._wake_writer()

    def statistics(self) -> dict[str, int | bool]:
        """Queue depths and state, for tests and debugging."""
        return {
            "queued_in": len(self._in.queue),
            "queued_out": len(self._out.queue),
            "out_hwm": self._out.hwm,
            "in_hwm": self._in.hwm,
            "delimited": self.delimited,
            "terminated": self.terminated,
            # Wake-ups this end's reader (inbound flow) and the peer's reader received.
            "in_reader_wakeups": self._in.reader_wakeups,
            "out_reader_wakeups": self._out.reader_wakeups,
            "in_writer_wakeups": self._in.writer_wakeups,
            "out_writer_wakeups": self._out.writer_wakeups,
        }


def pipepair(hwm_a_to_b: int, hwm_b_to_a: int) -> tuple[Pipe, Pipe]:
    """Make two joined pipe ends ``(a, b)``; ``a`` writes what ``b`` reads and back."""
    a_to_b = Flow(hwm_a_to_b)
    b_to_a = Flow(hwm_b_to_a)
    a = Pipe(b_to_a, a_to_b)
    b = Pipe(a_to_b, b_to_a)
    a.peer = b
    b.peer = a
    return a, b
