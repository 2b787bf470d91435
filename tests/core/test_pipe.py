"""Pipes: HWM/LWM, wake-ups on transitions only, the delimiter, statistics().

Wake-ups are counted with a recording sink (STYLE.md habit 6: "Wake-ups are sent
on transitions only ... never once per message"). Races are played two ways: the
interleaving tests put the other side's step inside a call, deterministically; the
threaded test at the end runs a real writer and reader against each other.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest

from purezmq.core.errors import WouldBlock
from purezmq.core.pipe import CONFLATE, MAX_WM_DELTA, Msg, Pipe, compute_lwm, pipepair
from purezmq.core.routing import FairQueue, LoadBalancer
from tests.core.fakes import RecordingSink, sinked_pair


def fill(pipe: Pipe, n: int, start: int = 0) -> None:
    """Write ``n`` numbered messages, each after a successful check_write."""
    for i in range(start, start + n):
        assert pipe.check_write(), f"check_write refused message {i}"
        pipe.write([b"%d" % i])


def drain(pipe: Pipe, n: int | None = None) -> list[list[bytes]]:
    """Read ``n`` messages (all there are if None)."""
    out = []
    while n is None or len(out) < n:
        msg = pipe.read()
        if msg is None:
            break
        out.append(msg)
    return out


# -- low-water mark -------------------------------------------------------------


@pytest.mark.parametrize(
    ("hwm", "lwm"),
    [(0, 0), (1, 1), (2, 1), (3, 2), (10, 5), (1000, 500), (2048, 1024), (2049, 1025),
     (10000, 10000 - 1024)],
)
def test_compute_lwm(hwm: int, lwm: int) -> None:
    """libzmq compute_lwm: half the HWM, or HWM - 1024 once HWM exceeds 2048."""
    assert MAX_WM_DELTA == 1024
    assert compute_lwm(hwm) == lwm


# -- high-water mark --------------------------------------------------------------


def test_check_write_false_at_hwm() -> None:
    """A writer may queue exactly HWM messages; check_write then says no."""
    a, b = pipepair(10, 10)
    fill(a, 10)
    assert a.check_write() is False
    assert a.queued_out() == 10 == b.queued_in()


def test_check_write_true_again_after_reader_drains_to_lwm() -> None:
    """Once the reader has brought the queue down to the LWM the writer may write again."""
    a, b = pipepair(10, 10)
    fill(a, 10)
    assert not a.check_write()
    drain(b, 10 - compute_lwm(10))
    assert b.queued_in() == compute_lwm(10)
    assert a.check_write() is True
    fill(a, 5, start=10)
    assert not a.check_write()
    assert [int(m[0]) for m in drain(b)] == list(range(5, 15))


def test_hwm_zero_means_no_limit() -> None:
    """HWM 0 never refuses a write."""
    a, b = pipepair(0, 0)
    fill(a, 20_000)
    assert a.check_write()
    assert b.queued_in() == 20_000


def test_hwm_counts_messages_not_frames() -> None:
    """A multi-frame message takes one slot under the HWM."""
    a, b = pipepair(2, 2)
    a.write([b"x"] * 50)
    assert a.check_write()
    a.write([b"y"] * 50)
    assert not a.check_write()
    assert b.read() == [b"x"] * 50


def test_set_hwms_applies_to_the_next_check() -> None:
    """set_hwms changes where check_write stops, and the LWM with it."""
    a, b = pipepair(1000, 1000)
    a.set_hwms(4, 6)
    fill(a, 4)
    assert not a.check_write()
    assert a.statistics()["out_hwm"] == 4
    assert a.statistics()["in_hwm"] == 6
    assert b.statistics()["in_hwm"] == 4


def test_write_many_ignores_the_hwm_and_wakes_once() -> None:
    """write_many (a session's backlog) goes past the HWM with one wake-up."""
    a, _sink_a, b, sink_b = sinked_pair(2, 2)
    a.write_many([[b"%d" % i] for i in range(5)])
    assert b.queued_in() == 5
    assert sink_b.reads == 1
    assert not a.check_write()


# -- wake-ups on transitions only -------------------------------------------------


def test_ten_thousand_writes_to_a_sleeping_reader_wake_it_once() -> None:
    """Writing 10 000 messages to a sleeping reader produces exactly one read_activated."""
    a, sink_a, b, sink_b = sinked_pair(0, 0)
    assert b.read() is None  # the reader looks, finds nothing, and sleeps
    fill(a, 10_000)
    assert sink_b.calls == [("read_activated", b)]
    assert sink_a.calls == []


def test_a_new_pipe_starts_with_its_reader_asleep() -> None:
    """The first message on a fresh pipe wakes the reader (nobody has looked yet)."""
    a, _sink_a, _b, sink_b = sinked_pair(0, 0)
    fill(a, 3)
    assert sink_b.reads == 1


def test_reader_is_woken_again_only_after_it_slept_again() -> None:
    """A reader that has not found the pipe empty is not woken; one that has, is."""
    a, _, b, sink_b = sinked_pair(0, 0)
    fill(a, 3)
    drain(b, 2)  # one left: the reader never saw an empty pipe
    fill(a, 3, start=3)
    assert sink_b.reads == 1
    drain(b)  # empties it and sleeps
    fill(a, 100, start=6)
    assert sink_b.reads == 2


def test_check_read_on_an_empty_pipe_also_sleeps() -> None:
    """check_read that finds nothing arms the wake-up just as read does."""
    a, _, b, sink_b = sinked_pair(0, 0)
    fill(a, 1)
    drain(b)
    assert b.check_read() is False
    before = sink_b.reads
    fill(a, 1, start=1)
    assert sink_b.reads == before + 1
    assert b.check_read() is True


def test_blocked_writer_gets_one_write_activated_when_reader_crosses_lwm() -> None:
    """The writer blocked at HWM is woken exactly once, when the queue falls to the LWM."""
    a, sink_a, b, _ = sinked_pair(10, 10)
    fill(a, 10)
    assert not a.check_write()  # now blocked
    drain(b, 4)
    assert b.queued_in() == 6
    assert sink_a.writes == 0
    drain(b, 1)
    assert b.queued_in() == compute_lwm(10)
    assert sink_a.calls == [("write_activated", a)]
    drain(b)
    assert sink_a.writes == 1


def test_writer_that_never_blocked_is_not_woken() -> None:
    """Reading a full queue wakes nobody if the writer never asked (check_write false)."""
    a, sink_a, b, _ = sinked_pair(10, 10)
    fill(a, 10)
    drain(b)
    assert sink_a.writes == 0


def test_writer_blocks_and_wakes_once_per_cycle() -> None:
    """Each fill-to-HWM / drain-below-LWM cycle costs one write_activated, not one per message."""
    a, sink_a, b, sink_b = sinked_pair(100, 100)
    for cycle in range(1, 6):
        while a.check_write():
            a.write([b"m"])
        drain(b)
        assert sink_a.writes == cycle
        assert sink_b.reads == cycle


def test_large_hwm_wakes_writer_1024_below_it() -> None:
    """With HWM 5000 the writer is woken when 1024 messages have been read (MAX_WM_DELTA)."""
    a, sink_a, b, _ = sinked_pair(5000, 5000)
    fill(a, 5000)
    assert not a.check_write()
    drain(b, 1023)
    assert sink_a.writes == 0
    drain(b, 1)
    assert sink_a.writes == 1


# -- delimiter ----------------------------------------------------------------


def test_messages_before_terminate_are_all_read_then_delimiter() -> None:
    """Every message written before terminate() is read, then read() gives None and delimited."""
    a, _, b, sink_b = sinked_pair(10, 10)
    fill(a, 10)
    a.terminate()
    assert [int(m[0]) for m in drain(b)] == list(range(10))
    assert b.read() is None
    assert b.delimited
    assert sink_b.delimiters == 1
    assert sink_b.calls[-1] == ("pipe_delimited", b)


def test_delimiter_is_reported_once() -> None:
    """Reading past the delimiter again reports nothing new."""
    a, _, b, sink_b = sinked_pair(0, 0)
    a.terminate()
    a.terminate()  # idempotent: one delimiter
    assert b.read() is None
    assert b.read() is None
    assert b.check_read() is False
    assert sink_b.delimiters == 1


def test_terminate_goes_past_a_full_queue() -> None:
    """The delimiter is queued even at the HWM: leaving never blocks."""
    a, _, b, _sink_b = sinked_pair(2, 2)
    fill(a, 2)
    a.terminate()
    assert len(drain(b)) == 2
    assert b.read() is None and b.delimited


def test_terminate_wakes_a_sleeping_reader() -> None:
    """The delimiter is a message: it wakes a reader that sleeps on an empty pipe."""
    a, _, b, sink_b = sinked_pair(0, 0)
    assert b.read() is None
    a.terminate()
    assert sink_b.reads == 1
    assert b.read() is None
    assert sink_b.delimiters == 1


def test_check_read_consumes_the_delimiter() -> None:
    """check_read on a pipe whose next item is the delimiter reports the end."""
    a, _, b, sink_b = sinked_pair(0, 0)
    a.terminate()
    assert b.check_read() is False
    assert b.delimited
    assert sink_b.delimiters == 1


def test_no_writes_after_terminate_or_delimiter() -> None:
    """A terminated end and a delimited end both refuse to write."""
    a, b = pipepair(0, 0)
    a.terminate()
    assert a.check_write() is False
    assert b.read() is None
    assert b.check_write() is False


def test_drop_inbound_keeps_the_delimiter() -> None:
    """drop_inbound discards messages but the end is still seen afterwards."""
    a, _, b, sink_b = sinked_pair(0, 0)
    fill(a, 3)
    a.terminate()
    assert b.drop_inbound() == 3
    assert b.read() is None
    assert sink_b.delimiters == 1


# -- the batch and hot-path calls -------------------------------------------------------


def test_try_write_is_check_write_and_write() -> None:
    """try_write writes under the HWM, refuses at it (and asks to be woken), and after leaving."""
    a, sink_a, b, _ = sinked_pair(2, 2)
    assert a.try_write([b"1"]) and a.try_write([b"2"])
    assert a.try_write([b"3"]) is False
    drain(b)
    assert sink_a.writes == 1
    a.terminate()
    assert a.try_write([b"late"]) is False


def test_write_batch_writes_what_fits_in_order() -> None:
    """write_batch takes as many messages as fit under the HWM, in order, with one wake-up."""
    a, _, b, sink_b = sinked_pair(3, 3)
    assert a.write_batch([[b"%d" % i] for i in range(5)]) == 3
    assert a.write_batch([[b"x"]]) == 0
    assert [m[0] for m in drain(b)] == [b"0", b"1", b"2"]
    assert sink_b.reads == 1


@pytest.mark.parametrize("hwm", [0, 10])
def test_write_batch_after_terminate_writes_nothing(hwm: int) -> None:
    """A terminated end takes nothing more, in a batch or not: the delimiter stays last."""
    a, _, b, _sink_b = sinked_pair(hwm, hwm)
    a.terminate()
    assert a.write_batch([[b"late"]]) == 0
    assert b.read() is None
    assert b.delimited
    assert b.queued_in() == 0


@pytest.mark.parametrize("hwm", [0, 10])
def test_write_batch_on_a_delimited_end_writes_nothing(hwm: int) -> None:
    """An end whose peer has gone (delimiter read) takes nothing more, as check_write says."""
    a, b = pipepair(hwm, hwm)
    a.terminate()
    assert b.read() is None and b.delimited
    assert b.check_write() is False
    assert b.write_batch([[b"late"]]) == 0
    assert a.queued_in() == 0


def test_read_all_takes_everything_then_sleeps() -> None:
    """read_all returns every waiting message; the next write wakes the reader again."""
    a, _, b, sink_b = sinked_pair(0, 0)
    fill(a, 5)
    assert [int(m[0]) for m in b.read_all()] == list(range(5))
    assert b.read_all() == []
    fill(a, 1, start=5)
    assert sink_b.reads == 2


def test_read_all_stops_at_the_delimiter() -> None:
    """read_all returns the messages before the delimiter and reports the end once."""
    a, _, b, sink_b = sinked_pair(0, 0)
    fill(a, 3)
    a.terminate()
    assert len(b.read_all()) == 3
    assert b.delimited
    assert sink_b.delimiters == 1
    assert b.read_all() == []
    assert sink_b.delimiters == 1


def test_read_all_wakes_a_blocked_writer() -> None:
    """Draining a full pipe at once wakes its blocked writer exactly once."""
    a, sink_a, b, _ = sinked_pair(4, 4)
    fill(a, 4)
    assert not a.check_write()
    assert len(b.read_all()) == 4
    assert sink_a.writes == 1


# -- statistics and repr ------------------------------------------------------------


def test_statistics_follow_the_queues() -> None:
    """statistics() shows depths, HWMs and termination state of each end."""
    a, b = pipepair(5, 7)
    fill(a, 3)
    b.write([b"back"])
    # Each first write found its reader asleep: one wake-up per direction, no more.
    wakeups = {
        "in_reader_wakeups": 1, "out_reader_wakeups": 1,
        "in_writer_wakeups": 0, "out_writer_wakeups": 0,
    }
    assert a.statistics() == {
        "queued_in": 1, "queued_out": 3, "out_hwm": 5, "in_hwm": 7,
        "delimited": False, "terminated": False, **wakeups,
    }
    assert b.statistics() == {
        "queued_in": 3, "queued_out": 1, "out_hwm": 7, "in_hwm": 5,
        "delimited": False, "terminated": False, **wakeups,
    }
    a.terminate()
    drain(b)
    assert b.read() is None
    assert a.statistics()["terminated"] is True
    assert b.statistics()["delimited"] is True
    assert b.statistics()["queued_in"] == 0


def test_repr_shows_state() -> None:
    """repr names the state and queue depths."""
    a, b = pipepair(0, 0)
    a.routing_id = b"id"
    fill(a, 2)
    assert repr(a) == "<Pipe open in=0 out=2 routing_id=b'id'>"
    a.terminate()
    assert "terminated" in repr(a)
    drain(b)
    assert "delimited" in repr(b)


# -- interleavings, played deterministically ------------------------------------------
#
# The wake-up protocol is only correct if each side acts, then looks at the other
# side's flag. An Interleaved deque runs the other thread's step at the exact moment
# the call under test touches the queue, which is where a thread switch would hurt.


class Interleaved(deque[Any]):
    """A deque that runs a hook once, just before its next append/extend or popleft."""

    def __init__(self, items: deque[Any]) -> None:
        super().__init__(items)
        self.before_write: Callable[[], None] | None = None
        self.before_pop: Callable[[], None] | None = None

    def _fire(self, name: str) -> None:
        hook = getattr(self, name)
        setattr(self, name, None)
        if hook is not None:
            hook()

    def append(self, item: Any) -> None:
        self._fire("before_write")
        super().append(item)

    def extend(self, items: Any) -> None:
        self._fire("before_write")
        super().extend(items)

    def popleft(self) -> Any:
        self._fire("before_pop")
        return super().popleft()


def interleave(writer: Pipe) -> Interleaved:
    """Swap the writer's outbound deque (the reader's inbound) for an Interleaved one."""
    flow = writer._out
    flow.queue = Interleaved(flow.queue)
    return flow.queue


def _lb_send(pipe: Pipe, msg: Msg) -> None:
    lb = LoadBalancer()
    lb.attach(pipe)
    lb.send(msg)


WRITES: dict[str, Callable[[Pipe, Msg], object]] = {
    "Pipe.write": Pipe.write,
    "Pipe.try_write": Pipe.try_write,
    "Pipe.write_batch": lambda pipe, msg: pipe.write_batch([msg]),
    "Pipe.write_many": lambda pipe, msg: pipe.write_many([msg]),
    "LoadBalancer.send": _lb_send,
}


@pytest.mark.parametrize("write", list(WRITES))
def test_reader_falling_asleep_during_a_write_is_woken(write: str) -> None:
    """A reader that finds the pipe empty while a write is under way still gets read_activated."""
    a, _, b, sink_b = sinked_pair(0, 0)
    a.write([b"first"])
    assert b.read() == [b"first"]  # the reader is awake and the pipe is empty
    queue = interleave(a)
    queue.before_write = lambda: b.read()  # the reader looks now, finds nothing, sleeps
    WRITES[write](a, [b"second"])
    assert sink_b.reads == 2, "the reader sleeps on a message nobody told it about"
    assert b.read() == [b"second"]


def _fq_recv(pipe: Pipe) -> object:
    fq = FairQueue()
    fq.attach(pipe)
    return fq.recv()


READS: dict[str, Callable[[Pipe], object]] = {
    "Pipe.read": Pipe.read,
    "Pipe.read_all": Pipe.read_all,
    "FairQueue.recv": _fq_recv,
}


@pytest.mark.parametrize("read", list(READS))
def test_writer_blocking_during_a_read_is_woken(read: str) -> None:
    """A writer that finds the pipe full while a read is under way still gets write_activated."""
    a, sink_a, b, _ = sinked_pair(1, 1)
    a.write([b"only"])  # HWM 1: full
    queue = interleave(a)
    queue.before_pop = lambda: a.check_write()  # the writer looks now, finds it full, blocks
    READS[read](b)
    assert b.queued_in() == 0
    assert sink_a.writes == 1, "the writer waits on an empty pipe nobody told it about"
    assert a.check_write()


def test_read_all_leaves_what_is_written_during_the_drain() -> None:
    """A message appended while read_all drains stays for the next batch: the batch ends
    where the queue ended when the drain began, and the next read_all takes the rest."""
    a, _, b, sink_b = sinked_pair(0, 0)
    fill(a, 3)
    queue = interleave(a)
    queue.before_pop = lambda: a.write([b"late"])  # the writer appends mid-drain
    assert [m[0] for m in b.read_all()] == [b"0", b"1", b"2"]
    assert b.read_all() == [[b"late"]]
    assert b.read_all() == []
    assert sink_b.reads == 1  # the first write's: the reader never slept in between


def test_read_all_stays_awake_until_it_finds_the_pipe_empty() -> None:
    """After a batch the reader is still awake (its caller reads again), so writes made
    meanwhile wake nobody; the empty look that ends the drain puts it to sleep."""
    a, _, b, sink_b = sinked_pair(0, 0)
    fill(a, 2)
    assert sink_b.reads == 1
    assert len(b.read_all()) == 2
    fill(a, 3, start=2)  # while the batch is written out
    assert sink_b.reads == 1, "a wake-up for a reader that is going to look anyway"
    assert [int(m[0]) for m in b.read_all()] == [2, 3, 4]
    assert b.read_all() == []
    fill(a, 1, start=5)
    assert sink_b.reads == 2, "the reader sleeps on a message nobody told it about"


def test_read_all_of_a_conflated_pipe_while_the_writer_replaces() -> None:
    """A conflating writer pops from the right: a drain it races with returns the newest
    message once, and leaves nothing behind."""
    a, _, b, _ = sinked_pair(CONFLATE, 0)
    a.write([b"old"])
    queue = interleave(a)
    queue.before_pop = lambda: a.write([b"new"])  # replaces "old" as the drain begins
    assert b.read_all() == [[b"new"]]
    assert b.queued_in() == 0
    a.write([b"newer"])
    assert b.read_all() == [[b"newer"]]


# -- threads: no lost wake-up ------------------------------------------------------
#
# A writer thread and a reader thread share one pipe pair and wait only on the
# wake-ups their sinks receive. The writer and reader each come in the flavours the
# code base uses: the plain Pipe calls, the socket's hot paths (LoadBalancer.send,
# FairQueue.recv, which inline parts of the pipe protocol) and the session's
# batch calls (write_batch, read_all). After a wake-up the thread itself
# re-activates the pipe in its strategy, as a socket's process_commands would.


class EventSink(RecordingSink):
    """Sets an Event on each wake-up so a thread can wait for it."""

    def __init__(self) -> None:
        super().__init__()
        self.readable = threading.Event()
        self.writable = threading.Event()

    def read_activated(self, pipe: Pipe) -> None:
        super().read_activated(pipe)
        self.readable.set()

    def write_activated(self, pipe: Pipe) -> None:
        super().write_activated(pipe)
        self.writable.set()


def make_writer(kind: str, pipe: Pipe) -> tuple[Callable[[Msg], bool], Callable[[], None]]:
    """(put(msg) -> written?, on_wake()) for one way of writing."""
    if kind == "pipe":
        def put(msg: Msg) -> bool:
            if not pipe.check_write():
                return False
            pipe.write(msg)
            return True
        return put, lambda: None
    if kind == "try_write":
        return pipe.try_write, lambda: None
    if kind == "write_batch":
        return (lambda msg: pipe.write_batch([msg]) == 1), lambda: None
    lb = LoadBalancer()
    lb.attach(pipe)

    def lb_put(msg: Msg) -> bool:
        try:
            lb.send(msg)
        except WouldBlock:
            return False
        return True
    return lb_put, lambda: lb.activated(pipe)


def make_reader(kind: str, pipe: Pipe) -> tuple[Callable[[], list[Msg]], Callable[[], None]]:
    """(take() -> messages, on_wake()) for one way of reading."""
    if kind == "pipe":
        return (lambda: [m] if (m := pipe.read()) is not None else []), lambda: None
    if kind == "read_all":
        return pipe.read_all, lambda: None
    fq = FairQueue()
    fq.attach(pipe)

    def fq_take() -> list[Msg]:
        msg = fq.recv()
        return [] if msg is None else [msg]
    return fq_take, lambda: fq.activated(pipe)


# Burst sizes: a single message (the reader usually sleeps between bursts), bursts
# below, at and past the HWM (the writer blocks), and long runs.
BURSTS = (1, 2, 7, 999, 1000, 1001, 3, 2500, 1, 64)
PATHS = [
    ("pipe", "pipe", 1000, 200_000),
    ("pipe", "pipe", 2, 10_000),
    ("lb.send", "read_all", 1000, 100_000),  # a socket sending, its session draining
    ("write_batch", "fq.recv", 1, 10_000),  # a session delivering, its socket reading
    ("try_write", "read_all", 1, 10_000),
]


@pytest.mark.parametrize(("writer_kind", "reader_kind", "hwm", "total"), PATHS)
def test_no_lost_wakeup_between_a_writer_and_a_reader_thread(
    writer_kind: str, reader_kind: str, hwm: int, total: int
) -> None:
    """200 000 messages through HWM 1000, each side waiting only on its wake-up.

    Small HWMs (LWM 1) make the writer block all the time, so a race between its
    HWM check and the reader's LWM check has many more chances to show.

    After each burst the writer waits for an acknowledgement sent back through the
    same pipe pair, so a wake-up lost in either direction stalls both threads and
    the test fails at the deadline instead of being rescued by a later write.
    """
    deadline = time.monotonic() + 8.0
    w_end, r_end = pipepair(hwm, hwm)
    w_sink, r_sink = EventSink(), EventSink()
    w_end.sink, r_end.sink = w_sink, r_sink
    put, writer_woken = make_writer(writer_kind, w_end)
    take, reader_woken = make_reader(reader_kind, r_end)
    failures: list[str] = []
    received: list[int] = []

    def wait(event: threading.Event, who: str) -> bool:
        if not event.wait(max(0.0, deadline - time.monotonic())):
            failures.append(f"{who} was never woken: {w_end!r} {r_end!r}")
            return False
        event.clear()  # then look again: a wake-up set before this clear is not lost
        return True

    def write_burst(first: int, n: int) -> bool:
        for i in range(first, first + n):
            msg = [i.to_bytes(4, "big"), b"last" if i == first + n - 1 else b""]
            while not put(msg):
                if not wait(w_sink.writable, "blocked writer"):
                    return False
                writer_woken()
        return True

    def await_ack(last: int) -> bool:
        while (ack := w_end.read()) is None:
            if not wait(w_sink.readable, "writer waiting for its ack"):
                return False
        if ack != [last.to_bytes(4, "big")]:
            failures.append(f"ack {ack!r}, expected {last}")
            return False
        return True

    def writer() -> None:
        sent, burst = 0, 0
        while sent < total:
            n = min(BURSTS[burst % len(BURSTS)], total - sent)
            if not (write_burst(sent, n) and await_ack(sent + n - 1)):
                return
            sent, burst = sent + n, burst + 1
        w_end.terminate()

    def reader() -> None:
        expected = 0
        while True:
            msgs = take()
            if not msgs:
                if r_end.delimited:
                    received.append(expected)
                    return
                if not wait(r_sink.readable, "reader"):
                    return
                reader_woken()
                continue
            for msg in msgs:
                if int.from_bytes(msg[0], "big") != expected:
                    failures.append(f"got {msg!r}, expected {expected}")
                    return
                expected += 1
                if msg[1]:
                    r_end.write([msg[0]])

    threads = [threading.Thread(target=f, daemon=True) for f in (writer, reader)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: more interleavings
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()) + 1.0)
    finally:
        sys.setswitchinterval(interval)
    assert not any(t.is_alive() for t in threads), f"stuck past the deadline: {failures}"
    assert failures == []
    assert received == [total]
    # Each write_activated needs a refill from the LWM to the HWM: at most
    # total / (HWM - LWM) of them, whatever the scheduling.
    assert w_sink.writes <= total // max(1, hwm - compute_lwm(hwm)) + 1
