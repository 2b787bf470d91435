"""Fake peers for core sockets: the far end of a pipe pair, as a session would hold it.

A core socket never sees a connection, only pipe ends. `join(socket)` makes a pipe
pair, gives one end to the socket (as the engine does when a connection is up) and
returns a :class:`Peer` holding the other end, so a test can play the remote side
message by message: no engine, no codec, no threads.

:class:`RecordingSink` is a pipe owner that only counts what it is told, for the
tests that prove wake-ups happen on transitions only.
"""

from __future__ import annotations

from purezmq.core.pipe import Pipe, pipepair
from purezmq.core.socket_base import SocketBase


class RecordingSink:
    """A PipeSink that records every wake-up, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Pipe]] = []

    def read_activated(self, pipe: Pipe) -> None:
        self.calls.append(("read_activated", pipe))

    def write_activated(self, pipe: Pipe) -> None:
        self.calls.append(("write_activated", pipe))

    def pipe_delimited(self, pipe: Pipe) -> None:
        self.calls.append(("pipe_delimited", pipe))

    def count(self, kind: str) -> int:
        """How many wake-ups of ``kind`` (a method name) were recorded."""
        return sum(1 for name, _ in self.calls if name == kind)

    @property
    def reads(self) -> int:
        return self.count("read_activated")

    @property
    def writes(self) -> int:
        return self.count("write_activated")

    @property
    def delimiters(self) -> int:
        return self.count("pipe_delimited")


def sinked_pair(
    hwm_a_to_b: int, hwm_b_to_a: int
) -> tuple[Pipe, RecordingSink, Pipe, RecordingSink]:
    """A pipe pair ``(a, sink_a, b, sink_b)`` whose ends report to recording sinks."""
    a, b = pipepair(hwm_a_to_b, hwm_b_to_a)
    sink_a, sink_b = RecordingSink(), RecordingSink()
    a.sink = sink_a
    b.sink = sink_b
    return a, sink_a, b, sink_b


class Peer:
    """The remote side of one pipe attached to a core socket."""

    def __init__(self, pipe: Pipe) -> None:
        self.pipe = pipe
        self.sink = RecordingSink()
        pipe.sink = self.sink

    def __repr__(self) -> str:
        return f"<Peer {self.pipe!r}>"

    @property
    def socket_end(self) -> Pipe:
        """The pipe end the socket holds."""
        return self.pipe.peer

    def send(self, *frames: bytes) -> None:
        """Queue one message to the socket; the test fails if the queue is full."""
        assert self.pipe.check_write(), f"{self} cannot write: queue to the socket is full"
        self.pipe.write(list(frames))

    def try_send(self, *frames: bytes) -> bool:
        """Queue one message if it fits under the HWM; False if it did not."""
        if not self.pipe.check_write():
            return False
        self.pipe.write(list(frames))
        return True

    def subscribe(self, topic: bytes) -> None:
        self.send(b"\x01" + topic)

    def unsubscribe(self, topic: bytes) -> None:
        self.send(b"\x00" + topic)

    def recv(self) -> list[bytes] | None:
        """The next message the socket sent (as a list, whatever sequence it was), or None."""
        msg = self.pipe.read()
        return None if msg is None else list(msg)

    def recv_all(self) -> list[list[bytes]]:
        """Every message the socket has sent and this peer has not read yet, as lists."""
        out = []
        while (msg := self.pipe.read()) is not None:
            out.append(list(msg))
        return out

    def leave(self) -> None:
        """Disconnect, as a session does: the socket reads what was sent, then the delimiter."""
        self.pipe.terminate()

    @property
    def dropped(self) -> bool:
        """True once this peer has read the socket's delimiter (the socket let it go)."""
        self.pipe.check_read()
        return self.pipe.delimited


def join(
    socket: SocketBase, *, out_hwm: int = 1000, in_hwm: int = 1000, identity: bytes = b""
) -> Peer:
    """Attach a new pipe to ``socket``; return the fake peer at its far end.

    ``out_hwm`` bounds the socket-to-peer queue and ``in_hwm`` the peer-to-socket one.
    ``identity`` becomes the pipe's ``Identity`` property (what a ZMTP peer announces).
    """
    ours, theirs = pipepair(out_hwm, in_hwm)
    if identity:
        ours.properties["Identity"] = identity
    peer = Peer(theirs)  # sink first: the socket may write as soon as it attaches
    socket.attach_pipe(ours)
    return peer


def wire(left: SocketBase, right: SocketBase, hwm: int = 1000) -> tuple[Pipe, Pipe]:
    """Join two core sockets directly, as inproc does; returns (left's end, right's end)."""
    a, b = pipepair(hwm, hwm)
    left.attach_pipe(a)
    right.attach_pipe(b)
    return a, b
