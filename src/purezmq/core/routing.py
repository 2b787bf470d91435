"""The shared routing strategies every socket type is built from.

Theory of operation (libzmq ``lb_t``, ``fq_t``, ``dist_t``; RFC 28 "load-balance",
"fair-queue"): each strategy keeps its pipes in one list whose first ``active``
entries may be used now. A pipe that cannot take (or give) a message is swapped
out of the active region; the pipe's ``write_activated`` (``read_activated``)
wake-up swaps it back. Activation is idempotent, because the pipe's wake-up
protocol may deliver a spurious one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .errors import WouldBlock
from .pipe import DELIMITER, Msg, Pipe


class _ActivePipes:
    """Pipes in a list whose first ``active`` entries are usable; ``current`` is next.

    Each pipe records its membership in the attribute named by ``flag`` (``out_active``
    for sending strategies, ``in_active`` for receiving ones) and its place in the list
    in the one named by ``slot`` (``out_slot``, ``in_slot``; -1 when not in it), so that
    one pipe can sit in one strategy of each kind, and finding, moving or dropping a
    pipe never searches the list: a ROUTER with 10,000 peers activates and drops each
    in constant time (libzmq's array_item_t does the same).
    """

    __slots__ = ("active", "current", "pipes")
    flag = ""
    slot = ""

    def __init__(self) -> None:
        self.pipes: list[Pipe] = []
        self.active = 0
        self.current = 0

    def attach(self, pipe: Pipe) -> None:
        setattr(pipe, self.slot, len(self.pipes))
        self.pipes.append(pipe)
        setattr(pipe, self.flag, False)
        self.activated(pipe)

    def activated(self, pipe: Pipe) -> None:
        if getattr(pipe, self.flag):
            return
        i: int = getattr(pipe, self.slot)
        if i < 0:
            return  # not ours (any more)
        self._swap(i, self.active)
        self.active += 1
        setattr(pipe, self.flag, True)

    def _swap(self, i: int, j: int) -> None:
        pipes, slot = self.pipes, self.slot
        pipes[i], pipes[j] = pipes[j], pipes[i]
        setattr(pipes[i], slot, i)
        setattr(pipes[j], slot, j)

    def _deactivate(self, i: int) -> None:
        self.active -= 1
        setattr(self.pipes[i], self.flag, False)
        self._swap(i, self.active)
        if self.current >= self.active:
            self.current = 0

    def terminated(self, pipe: Pipe) -> None:
        i: int = getattr(pipe, self.slot)
        if i < 0:
            return
        if i < self.active:
            self._deactivate(i)
            i = self.active  # where _deactivate put it: the first inactive place
        self._swap(i, len(self.pipes) - 1)
        self.pipes.pop()
        setattr(pipe, self.slot, -1)
        setattr(pipe, self.flag, False)


class LoadBalancer(_ActivePipes):
    """Round-robin over pipes that have room (RFC 28: DEALER, REQ, PUSH)."""

    __slots__ = ()
    flag = "out_active"
    slot = "out_slot"

    def send(self, msg: Msg) -> Pipe:
        """Write ``msg`` to the next pipe with room and return it; WouldBlock if none has."""
        active = self.active
        if active:
            # The common case first, in one go: the next pipe is open, plain and has room.
            # Pipe.try_write inlined; the flag is read after the append, as pipe.py's
            # wake-up rule requires.
            current = self.current
            pipe = self.pipes[current]
            flow = pipe._out
            queue = flow.queue
            hwm = flow.hwm
            if (not hwm or len(queue) < hwm) and pipe.open and pipe.direct is None:
                queue.append(msg)
                if flow.reader_asleep:
                    flow.reader_asleep = False
                    pipe._wake_reader()
            elif not pipe.try_write(msg):  # a direct send, or no room
                self._deactivate(current)
                return self._send_on(msg)
            if active > 1:
                current += 1
                self.current = current if current < active else 0
            return pipe
        raise WouldBlock("no peer can take a message now")

    def _send_on(self, msg: Msg) -> Pipe:
        """:meth:`send` once the next pipe refused: the others in turn."""
        pipes = self.pipes
        while self.active:
            current = self.current
            pipe = pipes[current]
            if not pipe.try_write(msg):
                self._deactivate(current)
                continue
            current += 1
            self.current = current if current < self.active else 0
            return pipe
        raise WouldBlock("no peer can take a message now")

    def has_out(self) -> bool:
        """True if some pipe has room; full pipes are deactivated on the way."""
        while self.active:
            if self.pipes[self.current].check_write():
                return True
            self._deactivate(self.current)
        return False


class FairQueue(_ActivePipes):
    """Take whole messages from readable pipes in turn (RFC 28: PULL, DEALER, ROUTER)."""

    __slots__ = ("last_pipe",)
    flag = "in_active"
    slot = "in_slot"

    def __init__(self) -> None:
        super().__init__()
        # The pipe of the message recv() returned last (ROUTER's routing id, REQ's check);
        # set by every recv() that returns one, read only after such a recv().
        self.last_pipe: Pipe = None  # type: ignore[assignment]

    def recv(self) -> Msg | None:
        """The next message, its pipe in ``last_pipe``; None if no pipe has one."""
        active = self.active
        if active:
            # The common case first, in one go: a message waits in the next pipe.
            # Pipe.read inlined; the writer's flag is read after the pop, as pipe.py's
            # wake-up rule requires.
            current = self.current
            pipe = self.pipes[current]
            flow = pipe._in
            queue = flow.queue
            if queue:
                msg: Msg = queue.popleft()
                if msg is not DELIMITER:
                    if flow.writer_blocked and len(queue) <= flow.lwm:
                        flow.writer_blocked = False
                        pipe._wake_writer()
                    if active > 1:
                        current += 1
                        self.current = current if current < active else 0
                    self.last_pipe = pipe
                    return msg
                queue.appendleft(msg)  # Pipe.read deals with the end of the pipe
            return self._recv_on()
        return None  # no pipe has a message (each one found empty sleeps until woken)

    def _recv_on(self) -> Msg | None:
        """:meth:`recv` once the next pipe had nothing plain to give: each pipe in turn,
        through Pipe.read (refills, ends of pipes); empty ones are set aside."""
        pipes = self.pipes
        while self.active:
            pipe = pipes[self.current]
            msg = pipe.read()
            if msg is not None:
                self.current += 1
                if self.current >= self.active:
                    self.current = 0
                self.last_pipe = pipe
                return msg
            self._deactivate(self.current)
        return None

    def has_in(self) -> bool:
        """True if some pipe has a message; empty pipes are deactivated on the way."""
        while self.active:
            if self.pipes[self.current].check_read():
                return True
            self._deactivate(self.current)
        return False


class Distributor:
    """Send one message to many pipes (RFC 29: PUB, XPUB); a full pipe misses it.

    ``pipes`` is a dict used as an ordered set: dropping one of 1,000 subscribers does
    not search the others."""

    __slots__ = ("pipes",)

    def __init__(self) -> None:
        self.pipes: dict[Pipe, None] = {}

    def attach(self, pipe: Pipe) -> None:
        self.pipes[pipe] = None

    def terminated(self, pipe: Pipe) -> None:
        self.pipes.pop(pipe, None)

    def send_to(self, msg: Msg, targets: Iterable[Pipe]) -> int:
        """Write ``msg`` to every target with room; returns how many got it."""
        sent = 0
        for pipe in targets:
            if pipe.try_write(msg):
                sent += 1
        return sent

    def all_writable(self, targets: Iterable[Pipe]) -> bool:
        """True if every target has room (XPUB_NODROP)."""
        return all(pipe.check_write() for pipe in targets)


def generated_routing_ids(start: int = 0x006B8B4567) -> Callable[[], bytes]:
    """A generator of ROUTER routing ids: five octets, a zero then a counter (as libzmq)."""
    state = [start]

    def next_id() -> bytes:
        state[0] = (state[0] + 1) & 0xFFFFFFFF
        return b"\x00" + state[0].to_bytes(4, "big")

    return next_id
