"""LoadBalancer, FairQueue and Distributor on bare pipes (RFC 28 "round-robin", "fair-queuing").

The strategy's owner is played by a sink that passes each wake-up straight to the
strategy, as a socket's mailbox does when it processes the command.
"""

from __future__ import annotations

import pytest

from purezmq.core.errors import EAGAIN, WouldBlock
from purezmq.core.pipe import Msg, Pipe, pipepair
from purezmq.core.routing import Distributor, FairQueue, LoadBalancer, generated_routing_ids


class Owner:
    """Forwards write_activated to a LoadBalancer and read_activated to a FairQueue."""

    def __init__(self, lb: LoadBalancer | None = None, fq: FairQueue | None = None) -> None:
        self.lb, self.fq = lb, fq
        self.delimited: list[Pipe] = []

    def read_activated(self, pipe: Pipe) -> None:
        if self.fq is not None:
            self.fq.activated(pipe)

    def write_activated(self, pipe: Pipe) -> None:
        if self.lb is not None:
            self.lb.activated(pipe)

    def pipe_delimited(self, pipe: Pipe) -> None:
        self.delimited.append(pipe)


def lb_with(*hwms: int) -> tuple[LoadBalancer, list[Pipe], list[Pipe]]:
    """A LoadBalancer over one pipe per HWM; returns (lb, our ends, far ends)."""
    lb = LoadBalancer()
    owner = Owner(lb=lb)
    ours, theirs = [], []
    for hwm in hwms:
        a, b = pipepair(hwm, 0)
        a.sink = owner
        lb.attach(a)
        ours.append(a)
        theirs.append(b)
    return lb, ours, theirs


def fq_with(n: int) -> tuple[FairQueue, list[Pipe], list[Pipe], Owner]:
    """A FairQueue over ``n`` pipes; returns (fq, our ends, far ends, owner)."""
    fq = FairQueue()
    owner = Owner(fq=fq)
    ours, theirs = [], []
    for _ in range(n):
        a, b = pipepair(0, 0)
        a.sink = owner
        fq.attach(a)
        ours.append(a)
        theirs.append(b)
    return fq, ours, theirs, owner


def take(fq: FairQueue) -> tuple[Msg, Pipe] | None:
    """take(fq) with the pipe it came from (its ``last_pipe``), or None."""
    msg = fq.recv()
    return None if msg is None else (msg, fq.last_pipe)


def received(pipe: Pipe) -> list[bytes]:
    """First frames of everything waiting on ``pipe``."""
    out = []
    while (msg := pipe.read()) is not None:
        out.append(msg[0])
    return out


# -- LoadBalancer ------------------------------------------------------------


def test_lb_round_robin() -> None:
    """Messages go to the pipes in turn."""
    lb, ours, theirs = lb_with(0, 0, 0)
    used = [lb.send([b"%d" % i]) for i in range(6)]
    assert used == ours + ours
    assert [received(p) for p in theirs] == [[b"0", b"3"], [b"1", b"4"], [b"2", b"5"]]


def test_lb_skips_full_pipes() -> None:
    """A pipe at its HWM is skipped; the others share the rest in turn."""
    lb, _ours, theirs = lb_with(0, 1, 0)
    for i in range(7):
        lb.send([b"%d" % i])
    counts = [len(received(p)) for p in theirs]
    assert counts == [3, 1, 3]


def test_lb_all_full_raises_wouldblock_and_writes_nothing() -> None:
    """With every pipe full, send raises WouldBlock (EAGAIN) and queues nothing."""
    lb, _ours, theirs = lb_with(1, 1)
    lb.send([b"a"])
    lb.send([b"b"])
    with pytest.raises(WouldBlock) as info:
        lb.send([b"c"])
    assert info.value.errno == EAGAIN
    assert not lb.has_out()
    assert [p.queued_in() for p in theirs] == [1, 1]


def test_lb_reactivation_when_reader_drains() -> None:
    """A full pipe comes back into the rotation on write_activated."""
    lb, ours, theirs = lb_with(1, 1)
    lb.send([b"a"])
    lb.send([b"b"])
    with pytest.raises(WouldBlock):
        lb.send([b"c"])
    assert lb.active == 0
    assert received(theirs[1]) == [b"b"]  # crosses the LWM: write_activated -> activated
    assert lb.active == 1
    assert lb.send([b"c"]) is ours[1]
    assert received(theirs[1]) == [b"c"]


def test_lb_spurious_activation_does_not_duplicate_a_pipe() -> None:
    """Activating an active pipe again changes nothing: each pipe still gets its turn once."""
    lb, ours, theirs = lb_with(0, 0)
    lb.activated(ours[0])
    lb.activated(ours[0])
    lb.activated(ours[1])
    assert lb.pipes.count(ours[0]) == 1
    assert lb.active == 2
    for i in range(4):
        lb.send([b"%d" % i])
    assert [len(received(p)) for p in theirs] == [2, 2]


def test_lb_spurious_activation_of_a_full_pipe_does_not_overfill_it() -> None:
    """A wake-up for a pipe that is still full puts it back, but send skips it again."""
    lb, ours, theirs = lb_with(1, 0)
    lb.send([b"a"])
    lb.send([b"b"])
    lb.send([b"c"])  # pipe 0 found full, deactivated
    lb.activated(ours[0])  # spurious: still full
    for i in range(3):
        lb.send([b"%d" % i])
    assert theirs[0].queued_in() == 1
    assert theirs[1].queued_in() == 5


def test_lb_terminated_pipe_is_not_used_and_not_reactivated() -> None:
    """A terminated pipe leaves the rotation for good."""
    lb, ours, _theirs = lb_with(0, 0)
    lb.terminated(ours[0])
    lb.terminated(ours[0])  # twice is harmless
    lb.activated(ours[0])  # a late wake-up for it is ignored
    assert lb.pipes == [ours[1]]
    for i in range(3):
        assert lb.send([b"%d" % i]) is ours[1]


def test_lb_no_pipes() -> None:
    """An empty LoadBalancer has no room and raises WouldBlock."""
    lb = LoadBalancer()
    assert not lb.has_out()
    with pytest.raises(WouldBlock):
        lb.send([b"x"])


# -- FairQueue ----------------------------------------------------------------


def test_fq_alternates_between_pipes() -> None:
    """Each readable pipe gives one message in turn."""
    fq, ours, theirs, _ = fq_with(3)
    for i, peer in enumerate(theirs):
        for j in range(3):
            peer.write([b"%d%d" % (i, j)])
    got = [take(fq) for _ in range(9)]
    assert [ours.index(pipe) for _, pipe in got] == [0, 1, 2] * 3
    assert [msg[0] for msg, _ in got] == [b"00", b"10", b"20", b"01", b"11", b"21",
                                          b"02", b"12", b"22"]


def test_fq_takes_whole_messages() -> None:
    """Fair queueing is per whole message: the frames of one message stay together."""
    fq, ours, theirs, _ = fq_with(2)
    theirs[0].write([b"a1", b"a2", b"a3"])
    theirs[0].write([b"a4"])
    theirs[1].write([b"b1", b"b2"])
    assert take(fq) == ([b"a1", b"a2", b"a3"], ours[0])
    assert take(fq) == ([b"b1", b"b2"], ours[1])
    assert take(fq) == ([b"a4"], ours[0])


def test_fq_deactivates_empty_pipes() -> None:
    """A pipe found empty leaves the active set; the others keep being served."""
    fq, ours, theirs, _ = fq_with(2)
    theirs[0].write([b"a"])
    for i in range(3):
        theirs[1].write([b"b%d" % i])
    order = [take(fq)[0][0] for _ in range(4)]
    assert order == [b"a", b"b0", b"b1", b"b2"]
    assert fq.active == 1 and not ours[0].in_active
    assert take(fq) is None
    assert fq.active == 0


def test_fq_reactivates_on_read_activated() -> None:
    """A new message on a deactivated pipe wakes it back into the queue."""
    fq, ours, theirs, _ = fq_with(2)
    assert take(fq) is None
    assert fq.active == 0
    theirs[1].write([b"late"])
    assert fq.active == 1
    assert take(fq) == ([b"late"], ours[1])


def test_fq_spurious_activation_does_not_duplicate_a_pipe() -> None:
    """Activating an active pipe again does not give it two turns per round."""
    fq, ours, theirs, _ = fq_with(2)
    for peer in theirs:
        for j in range(3):
            peer.write([b"%d" % j])
    fq.activated(ours[0])
    fq.activated(ours[0])
    assert fq.pipes.count(ours[0]) == 1
    assert fq.active == 2
    assert [ours.index(take(fq)[1]) for _ in range(6)] == [0, 1] * 3


def test_fq_spurious_activation_of_an_empty_pipe() -> None:
    """A wake-up for a pipe with nothing in it costs a look, not a message."""
    fq, ours, _, _ = fq_with(2)
    assert take(fq) is None
    fq.activated(ours[0])
    assert not fq.has_in()
    assert fq.active == 0


def test_fq_has_in() -> None:
    """has_in is true while some pipe holds a message, and does not consume it."""
    fq, ours, theirs, _ = fq_with(2)
    assert not fq.has_in()
    theirs[1].write([b"x"])
    assert fq.has_in()
    assert fq.has_in()
    assert take(fq) == ([b"x"], ours[1])
    assert not fq.has_in()


def test_fq_delimiter_deactivates_and_reports() -> None:
    """Messages sent before the peer left are read, then the pipe reports its end."""
    fq, ours, theirs, owner = fq_with(2)
    theirs[0].write([b"bye"])
    theirs[0].terminate()
    assert take(fq) == ([b"bye"], ours[0])
    assert take(fq) is None
    assert owner.delimited == [ours[0]]
    fq.terminated(ours[0])
    assert fq.pipes == [ours[1]]


# -- Distributor ----------------------------------------------------------------


def test_distributor_sends_to_every_target() -> None:
    """Every target with room gets the message; non-targets do not."""
    dist = Distributor()
    pairs = [pipepair(0, 0) for _ in range(3)]
    for a, _ in pairs:
        dist.attach(a)
    assert dist.send_to([b"m"], [pairs[0][0], pairs[2][0]]) == 2
    assert [b.queued_in() for _, b in pairs] == [1, 0, 1]


def test_distributor_drops_for_full_pipes() -> None:
    """A full pipe misses the message; the others still get it; nothing raises."""
    dist = Distributor()
    full, full_peer = pipepair(1, 0)
    room, room_peer = pipepair(0, 0)
    dist.attach(full)
    dist.attach(room)
    assert dist.send_to([b"1"], dist.pipes) == 2
    assert dist.send_to([b"2"], dist.pipes) == 1
    assert not dist.all_writable(dist.pipes)
    assert received(full_peer) == [b"1"]
    assert received(room_peer) == [b"1", b"2"]
    assert dist.all_writable(dist.pipes)


def test_distributor_terminated() -> None:
    """A terminated pipe is forgotten; forgetting twice is harmless."""
    dist = Distributor()
    a, _ = pipepair(0, 0)
    dist.attach(a)
    dist.terminated(a)
    dist.terminated(a)
    assert not dist.pipes


# -- routing ids ------------------------------------------------------------------


def test_generated_routing_ids() -> None:
    """Five octets, a zero then a counter, all distinct (libzmq's generated ids)."""
    next_id = generated_routing_ids(start=0x10)
    ids = [next_id() for _ in range(1000)]
    assert ids[0] == b"\x00\x00\x00\x00\x11"
    assert all(len(i) == 5 and i[0] == 0 for i in ids)
    assert len(set(ids)) == 1000


def test_generated_routing_ids_wrap_without_overflow() -> None:
    """The counter wraps at 32 bits instead of growing a sixth octet."""
    next_id = generated_routing_ids(start=0xFFFFFFFE)
    assert next_id() == b"\x00\xff\xff\xff\xff"
    assert next_id() == b"\x00\x00\x00\x00\x00"


def test_many_pipes_come_and_go_with_their_places_kept() -> None:
    """Each pipe knows its place in the strategy's list: after pipes are attached,
    activated, deactivated and dropped in a mixed order, every place is right, the
    active ones are exactly those flagged, and a dropped pipe is out for good."""
    fq = FairQueue()
    ours = [pipepair(0, 0)[0] for _ in range(50)]
    for pipe in ours:
        fq.attach(pipe)
    for i in range(0, 50, 3):
        fq._deactivate(fq.pipes.index(ours[i]))
    for pipe in ours[::4]:
        fq.terminated(pipe)
    for pipe in ours[1::6]:
        fq.activated(pipe)
    dropped = set(ours[::4])
    assert len(fq.pipes) == 50 - len(dropped)
    for place, pipe in enumerate(fq.pipes):
        assert pipe.in_slot == place
        assert pipe.in_active == (place < fq.active)
    for pipe in dropped:
        assert pipe.in_slot == -1 and not pipe.in_active
        fq.activated(pipe)  # a late wake-up of a dropped pipe changes nothing
        assert pipe not in fq.pipes
