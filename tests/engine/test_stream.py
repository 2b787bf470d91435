"""StreamTransport: an asyncio transport whose protocol does the reading.

engine/stream.py: on readability the transport calls ``protocol.socket_readable()``
and the protocol calls ``transport.receive()`` (under its own lock, from any thread),
then ``transport.end_of_stream()`` on b"". Writes, flow control and closing are
asyncio's, and ``connection_lost`` runs before the socket is closed.

Every wait is on a future that the fake protocol (or the peer) resolves; the
deadlines are a safety net only.
"""

from __future__ import annotations

import array
import asyncio
import errno
import functools
import select
import socket
import struct
import sys
import threading
from collections.abc import Awaitable, Iterator
from typing import Any, TypeVar

import pytest

from purezmq.engine.stream import HIGH_WATER, LOW_WATER, LOWAT_MAX, MAX_READ, StreamTransport

T = TypeVar("T")

DEADLINE = 5.0
BIG = 8 * 1024 * 1024  # far more than the kernel takes at once


# -- the fake protocol -------------------------------------------------------


class RecordingProtocol(asyncio.BaseProtocol):
    """Reads through ``transport.receive()`` under a lock, and records every call."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        eof_keeps_open: bool = False,
        close_on_made: bool = False,
    ) -> None:
        self.loop = loop
        self.loop_thread = threading.get_ident()
        self.eof_keeps_open = eof_keeps_open
        self.close_on_made = close_on_made
        self.transport: StreamTransport | None = None
        self.sock: socket.socket | None = None
        self.lock = threading.Lock()
        # Notified (under the lock) on every chunk, for a waiter on another thread.
        self.progress = threading.Condition(self.lock)
        self.received = bytearray()
        # (reader, chunk) in the order the lock was taken: "loop" or "thread".
        self.chunks: list[tuple[str, bytes]] = []
        self.expected_total: int | None = None
        self.all_received = threading.Event()
        self.events: list[str] = []
        self.made = 0
        self.readable_calls = 0
        self.eof_calls = 0
        self.lost: list[tuple[Exception | None, bool]] = []
        self.paused = 0
        self.resumed = 0
        self.buffer_at_pause: list[int] = []
        self.buffer_at_resume: list[int] = []
        self.lost_future: asyncio.Future[Exception | None] = loop.create_future()
        self.eof_future: asyncio.Future[None] = loop.create_future()
        self.resumed_future: asyncio.Future[None] = loop.create_future()
        self.done_future: asyncio.Future[None] = loop.create_future()
        self._byte_waiters: list[tuple[int, asyncio.Future[None]]] = []

    # asyncio's protocol calls

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, StreamTransport)
        self.made += 1
        self.events.append("made")
        self.transport = transport
        self.sock = transport.get_extra_info("socket")
        if self.close_on_made:
            transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        assert self.sock is not None
        self.events.append("lost")
        self.lost.append((exc, self.sock.fileno() != -1))
        if not self.lost_future.done():
            self.lost_future.set_result(exc)

    def eof_received(self) -> bool | None:
        self.eof_calls += 1
        self.events.append("eof")
        if not self.eof_future.done():
            self.eof_future.set_result(None)
        return True if self.eof_keeps_open else None

    def pause_writing(self) -> None:
        assert self.transport is not None
        self.paused += 1
        self.events.append("pause")
        self.buffer_at_pause.append(self.transport.get_write_buffer_size())

    def resume_writing(self) -> None:
        assert self.transport is not None
        self.resumed += 1
        self.events.append("resume")
        self.buffer_at_resume.append(self.transport.get_write_buffer_size())
        if not self.resumed_future.done():
            self.resumed_future.set_result(None)

    # the reading protocol's call

    def socket_readable(self) -> None:
        assert self.transport is not None
        self.readable_calls += 1
        chunk = self.read("loop")
        if chunk == b"":
            self.transport.end_of_stream()

    # helpers

    def read(self, reader: str) -> bytes | None:
        """One ``receive()`` under the lock; the chunk is kept in lock order."""
        assert self.transport is not None
        with self.lock:
            chunk = self.transport.receive()
            if chunk:
                self.received += chunk
                self.chunks.append((reader, chunk))
                self.progress.notify_all()
                if self.expected_total is not None and len(self.received) >= self.expected_total:
                    self.all_received.set()
                    if threading.get_ident() == self.loop_thread:
                        self._finish()
                    else:
                        self.loop.call_soon_threadsafe(self._finish)
        if chunk:
            if threading.get_ident() == self.loop_thread:
                self._check_byte_waiters()
            else:
                self.loop.call_soon_threadsafe(self._check_byte_waiters)
        return chunk

    def _finish(self) -> None:
        if not self.done_future.done():
            self.done_future.set_result(None)

    def _check_byte_waiters(self) -> None:
        for n, fut in self._byte_waiters:
            if len(self.received) >= n and not fut.done():
                fut.set_result(None)

    def bytes_received(self, n: int) -> asyncio.Future[None]:
        """A future resolved once ``n`` bytes have been read in all."""
        fut: asyncio.Future[None] = self.loop.create_future()
        self._byte_waiters.append((n, fut))
        self._check_byte_waiters()
        return fut


# -- fixtures and helpers ------------------------------------------------------


def _new_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        new_loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        return new_loop
    return asyncio.new_event_loop()


@pytest.fixture(params=["asyncio", "uvloop"])
def loop(request: pytest.FixtureRequest) -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh loop per test (the transport claims to run on uvloop too), closed after."""
    new_loop = _new_loop(str(request.param))
    try:
        yield new_loop
    finally:
        new_loop.close()


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """(transport's end, peer's end) of a socketpair; the peer is non-blocking."""
    ours, peer = socket.socketpair()
    peer.setblocking(False)
    yield ours, peer
    ours.close()
    peer.close()


def tcp_pair() -> tuple[socket.socket, socket.socket]:
    """A connected TCP pair over loopback: (ours, peer)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        peer = socket.create_connection(server.getsockname())
        ours, _ = server.accept()
    peer.setblocking(False)
    return ours, peer


def run(loop: asyncio.AbstractEventLoop, aw: Awaitable[T]) -> T:
    """Run ``aw`` to completion on ``loop``, with a deadline as a safety net."""

    async def bounded() -> T:
        return await asyncio.wait_for(aw, DEADLINE)

    return loop.run_until_complete(bounded())


async def spin(iterations: int = 20) -> None:
    """Let the loop go round ``iterations`` times (each polls for I/O): no waiting."""
    for _ in range(iterations):
        await asyncio.sleep(0)


async def recv_until_eof(loop: asyncio.AbstractEventLoop, peer: socket.socket) -> bytes:
    out = bytearray()
    while chunk := await loop.sock_recv(peer, 1 << 20):
        out += chunk
    return bytes(out)


async def recv_exactly(loop: asyncio.AbstractEventLoop, peer: socket.socket, n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        chunk = await loop.sock_recv(peer, min(1 << 20, n - len(out)))
        if not chunk:
            break
        out += chunk
    return bytes(out)


@functools.lru_cache(maxsize=4)
def payload(n: int) -> bytes:
    """``n`` bytes in which a lost, repeated or moved block shows (a 4-byte counter)."""
    return array.array("I", range(n // 4 + 1)).tobytes()[:n]


def start(
    loop: asyncio.AbstractEventLoop, sock: socket.socket, **options: bool
) -> tuple[StreamTransport, RecordingProtocol]:
    proto = RecordingProtocol(loop, **options)
    transport = StreamTransport(loop, sock, proto)
    return transport, proto


def finish(
    loop: asyncio.AbstractEventLoop, transport: StreamTransport, proto: RecordingProtocol
) -> None:
    """Abort the transport if the test left it open, so the loop closes clean."""
    if not proto.lost_future.done():
        transport.abort()
        run(loop, proto.lost_future)


# -- construction and extra info -------------------------------------------------


def test_connection_made_then_reading(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """The constructor calls connection_made once with the transport, then reads."""
    ours, _peer = pair
    transport, proto = start(loop, ours)
    assert proto.made == 1
    assert proto.transport is transport
    assert transport.get_protocol() is proto
    assert transport.is_reading()
    assert not transport.is_closing()
    assert not ours.getblocking()
    finish(loop, transport, proto)


def test_close_in_connection_made(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """A protocol that closes in connection_made: no reading, connection_lost(None)."""
    ours, peer = pair
    peer.send(b"ignored")
    transport, proto = start(loop, ours, close_on_made=True)
    assert transport.is_closing()
    assert not transport.is_reading()
    assert run(loop, proto.lost_future) is None
    assert proto.readable_calls == 0
    assert proto.lost == [(None, True)]
    assert ours.fileno() == -1


def test_extra_info_and_is_closing(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """get_extra_info("socket") is the socket; is_closing() turns true on close()."""
    ours, _peer = pair
    transport, proto = start(loop, ours)
    assert transport.get_extra_info("socket") is ours
    assert transport.get_extra_info("sockname") == ours.getsockname()
    assert transport.get_extra_info("no such thing", 42) == 42
    assert not transport.is_closing()
    transport.close()
    assert transport.is_closing()
    assert not transport.is_reading()
    assert run(loop, proto.lost_future) is None
    assert proto.lost == [(None, True)]
    assert ours.fileno() == -1


# -- reading --------------------------------------------------------------------


def test_peer_bytes_arrive_in_order(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """Bytes from several peer writes reach socket_readable/receive whole and in order."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    peer.send(b"alpha")
    run(loop, proto.bytes_received(5))
    assert bytes(proto.received) == b"alpha"
    peer.send(b"beta")
    peer.send(b"gamma")
    run(loop, proto.bytes_received(14))
    assert bytes(proto.received) == b"alphabetagamma"
    # More than one receive() takes (MAX_READ), written in pieces by the loop.
    big = payload(3 * MAX_READ + 123)

    async def send_big() -> None:
        for i in range(0, len(big), 100_000):
            await loop.sock_sendall(peer, big[i : i + 100_000])
        await proto.bytes_received(14 + len(big))

    run(loop, send_big())
    assert bytes(proto.received) == b"alphabetagamma" + big
    assert len(proto.chunks) >= 4
    assert all(len(chunk) <= MAX_READ for _, chunk in proto.chunks)
    assert proto.eof_calls == 0
    assert proto.lost == []
    finish(loop, transport, proto)


def test_peer_close_ends_in_eof_received_and_close(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """receive() gives b"" when the peer closes; end_of_stream() calls eof_received,
    then the transport closes: connection_lost(None), then the socket is closed."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    peer.send(b"last words")
    peer.close()
    assert run(loop, proto.lost_future) is None
    assert bytes(proto.received) == b"last words"
    assert proto.eof_calls == 1
    assert proto.events == ["made", "eof", "lost"]
    assert proto.lost == [(None, True)]
    assert transport.error is None
    assert transport.is_closing()
    assert ours.fileno() == -1


def test_receive_gives_empty_bytes_at_eof_and_none_when_nothing(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """receive() itself: None with nothing to read, the bytes, then b"" at the end."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    transport.pause_reading()
    assert transport.receive() is None
    peer.send(b"xyz")
    assert transport.receive() == b"xyz"
    peer.shutdown(socket.SHUT_WR)
    assert transport.receive() == b""
    assert transport.error is None
    finish(loop, transport, proto)


def test_receive_with_a_hint_reads_at_most_that_much(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """receive(hint) asks for ``hint`` octets alone (a frame header, a body's rest)."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    transport.pause_reading()
    peer.sendall(b"header..." + b"b" * 1000)
    assert transport.receive(9) == b"header..."
    assert transport.receive(1000) == b"b" * 1000
    finish(loop, transport, proto)


def _lowat(sock: socket.socket) -> int:
    return sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT)


def _readable(sock: socket.socket, timeout_s: float) -> bool:
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(timeout_s * 1000))


@pytest.mark.skipif(sys.platform != "linux", reason="SO_RCVLOWAT is used on Linux TCP only")
def test_a_large_body_is_awaited_whole_over_tcp(loop: asyncio.AbstractEventLoop) -> None:
    """receive(hint) for a large body first raises SO_RCVLOWAT to it and reads nothing:
    the socket polls readable only once the whole body is there, and one recv() then
    returns it. The mark is back to 1 right after, for the small frames that follow."""
    ours, peer = tcp_pair()
    try:
        transport, proto = start(loop, ours)
        transport.pause_reading()
        body = payload(1 << 20)
        assert transport.receive(len(body)) is None
        assert _lowat(ours) == len(body)
        peer.setblocking(True)
        peer.sendall(body[:1000])
        assert not _readable(ours, 0)  # 1000 octets are not the body
        sender = threading.Thread(target=peer.sendall, args=(body[1000:] + b"next",))
        sender.start()
        assert _readable(ours, DEADLINE)
        assert transport.receive(len(body)) == body  # one read, one piece
        assert _lowat(ours) == 1
        sender.join(DEADLINE)
        assert _readable(ours, DEADLINE)  # 4 octets wake the reader again
        assert transport.receive() == b"next"
        finish(loop, transport, proto)
    finally:
        peer.close()


@pytest.mark.skipif(sys.platform != "linux", reason="SO_RCVLOWAT is used on Linux TCP only")
def test_a_body_beyond_lowat_max_comes_in_marked_pieces(loop: asyncio.AbstractEventLoop) -> None:
    """A body larger than LOWAT_MAX: each read takes at least the mark's worth, the mark
    follows what is still missing, and it is back to 1 once the body is in."""
    ours, peer = tcp_pair()
    try:
        transport, proto = start(loop, ours)
        transport.pause_reading()
        body = payload(LOWAT_MAX + 300 * 1024)
        peer.setblocking(True)
        sender = threading.Thread(target=peer.sendall, args=(body,))
        sender.start()
        got = bytearray()
        while len(got) < len(body):
            missing = len(body) - len(got)
            chunk = transport.receive(missing)
            if chunk is None:
                assert 1 < _lowat(ours) <= min(missing, LOWAT_MAX)
                assert _readable(ours, DEADLINE)
                continue
            got += chunk
        sender.join(DEADLINE)
        assert bytes(got) == body
        assert _lowat(ours) == 1
        finish(loop, transport, proto)
    finally:
        peer.close()


def test_bodies_as_they_come_with_heartbeats_or_off_tcp(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """Where the mark is not used (a Unix socket, or after read_bodies_as_they_come(),
    which a heartbeat asks for), receive(hint) reads what is there at once."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    transport.pause_reading()
    peer.sendall(b"p" * 1000)
    assert transport.receive(1 << 20) == b"p" * 1000
    finish(loop, transport, proto)
    ours, peer = tcp_pair()
    try:
        transport, proto = start(loop, ours)
        transport.pause_reading()
        assert transport.receive(1 << 20) is None  # the mark is up
        transport.read_bodies_as_they_come()
        assert _lowat(ours) == 1
        peer.sendall(b"q" * 1000)
        assert _readable(ours, DEADLINE)
        assert transport.receive(1 << 20) == b"q" * 1000
        assert _lowat(ours) == 1
        finish(loop, transport, proto)
    finally:
        peer.close()


def test_receive_error_is_kept_and_closes_with_it(loop: asyncio.AbstractEventLoop) -> None:
    """A reset connection: receive() gives b"" and keeps the error; end_of_stream()
    then closes with it (connection_lost(exc), no eof_received)."""
    ours, peer = tcp_pair()
    try:
        transport, proto = start(loop, ours)
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        peer.close()  # RST
        exc = run(loop, proto.lost_future)
        assert isinstance(exc, ConnectionResetError)
        assert transport.error is exc
        assert proto.eof_calls == 0
        assert proto.lost == [(exc, True)]
        assert ours.fileno() == -1
    finally:
        ours.close()
        peer.close()


def test_eof_received_true_keeps_the_transport_open(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """eof_received() returning true: not closing, reading stopped, writing still works."""
    ours, peer = pair
    transport, proto = start(loop, ours, eof_keeps_open=True)
    peer.send(b"question")
    peer.shutdown(socket.SHUT_WR)
    run(loop, proto.eof_future)
    calls = proto.readable_calls
    run(loop, spin())  # an EOF stays readable: a reader left in place would be called
    assert proto.readable_calls == calls
    assert proto.eof_calls == 1
    assert bytes(proto.received) == b"question"
    assert not transport.is_closing()
    assert not transport.is_reading()
    assert proto.lost == []
    transport.write(b"answer")
    assert run(loop, recv_exactly(loop, peer, 6)) == b"answer"
    transport.close()
    assert run(loop, proto.lost_future) is None
    assert run(loop, recv_until_eof(loop, peer)) == b""
    assert proto.lost == [(None, True)]
    assert proto.eof_calls == 1


def test_pause_reading_holds_data_until_resume(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """With reading paused, the peer's bytes do not reach socket_readable; resume
    reading and they do."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    transport.pause_reading()
    assert not transport.is_reading()
    # A second pair, written after the data: when its reader runs, the loop has polled
    # with the data already readable.
    mark_r, mark_w = socket.socketpair()
    try:
        polled: asyncio.Future[None] = loop.create_future()

        def marked() -> None:
            loop.remove_reader(mark_r.fileno())
            polled.set_result(None)

        loop.add_reader(mark_r.fileno(), marked)
        peer.send(b"held back")
        mark_w.send(b"!")
        run(loop, polled)
        run(loop, spin())
        assert proto.readable_calls == 0
        assert proto.received == b""
        transport.resume_reading()
        assert transport.is_reading()
        run(loop, proto.bytes_received(9))
        assert bytes(proto.received) == b"held back"
    finally:
        mark_r.close()
        mark_w.close()
    finish(loop, transport, proto)


def test_receive_from_another_thread_loses_and_repeats_nothing(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """The loop and a second thread both read, each under the protocol's lock: the
    chunks, joined in lock order, are exactly the stream (200 000 numbered records).

    Three phases, so that both readers surely take part: the thread alone (the loop is
    not running), the loop alone (the thread is held at a gate, after at most one more
    read), then both at once.
    """
    ours, peer = pair
    records = 200_000
    stream = b"".join(struct.pack(">Q", i) for i in range(records))
    end_a = 50_000 * 8
    end_b = end_a + 80_000 * 8  # more than MAX_READ: the thread's one read can't take it
    assert end_b - end_a > MAX_READ
    transport, proto = start(loop, ours)
    proto.expected_total = len(stream)
    gate = threading.Event()
    gate.set()
    stop = threading.Event()
    wake_r, wake_w = socket.socketpair()
    errors: list[BaseException] = []

    def other_reader() -> None:
        try:
            while gate.wait(DEADLINE) and not stop.is_set():
                readable, _, _ = select.select([ours, wake_r], [], [], DEADLINE)
                if wake_r in readable or not readable:
                    return
                chunk = proto.read("thread")
                assert chunk != b"", "the peer never closes"
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=other_reader, daemon=True)
    thread.start()

    async def send(part: bytes, piece: int = 16_000) -> None:
        for i in range(0, len(part), piece):
            await loop.sock_sendall(peer, part[i : i + piece])

    async def phase_b() -> None:
        await send(stream[end_a:end_b])
        await proto.bytes_received(end_b)

    def writer() -> None:
        try:
            for i in range(end_b, len(stream), 800):  # many small arrivals, each a race
                peer.sendall(stream[i : i + 800])
        except BaseException as exc:
            errors.append(exc)

    try:
        # A: only the thread reads (the loop is not running).
        peer.settimeout(DEADLINE)
        peer.sendall(stream[:end_a])
        peer.setblocking(False)
        with proto.progress:
            assert proto.progress.wait_for(lambda: len(proto.received) >= end_a, DEADLINE)
        assert {reader for reader, _ in proto.chunks} == {"thread"}
        # B: the thread stops at its gate; the loop reads.
        gate.clear()
        run(loop, phase_b())
        assert "loop" in {reader for reader, _ in proto.chunks}
        # C: both, while a third thread writes.
        gate.set()
        peer.settimeout(DEADLINE)
        write_thread = threading.Thread(target=writer, daemon=True)
        switch = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # threads change hands often: races show
        try:
            write_thread.start()
            run(loop, proto.done_future)
        finally:
            sys.setswitchinterval(switch)
            write_thread.join(DEADLINE)
    finally:
        stop.set()
        gate.set()
        wake_w.send(b"stop")
        thread.join(DEADLINE)
        wake_r.close()
        wake_w.close()
    assert not thread.is_alive()
    assert errors == []
    joined = b"".join(chunk for _, chunk in proto.chunks)
    assert len(joined) == len(stream)
    assert joined == stream
    finish(loop, transport, proto)


# -- writing and flow control ----------------------------------------------------


def test_large_write_arrives_whole_with_flow_control(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """An 8 MiB write: the peer gets every byte in order; pause_writing once the buffer
    passed 64 KiB, resume_writing once it fell to 16 KiB; the buffer ends empty."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    assert transport.get_write_buffer_limits() == (LOW_WATER, HIGH_WATER)
    data = payload(BIG)
    transport.write(data)
    assert 0 < transport.get_write_buffer_size() < BIG  # the kernel took a part
    assert proto.paused == 1
    assert proto.buffer_at_pause[0] > HIGH_WATER
    got = run(loop, recv_exactly(loop, peer, BIG))
    assert len(got) == BIG
    assert got == data
    run(loop, proto.resumed_future)
    assert proto.events == ["made", "pause", "resume"]
    assert proto.buffer_at_resume[0] <= LOW_WATER
    assert transport.get_write_buffer_size() == 0
    assert proto.lost == []
    finish(loop, transport, proto)


def test_pause_writing_exactly_when_the_buffer_passes_high_water(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """Small writes to a peer that does not read: no pause while the buffer is at or
    below 64 KiB, one pause as soon as it is above; then a resume when drained."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    data = payload(4 * HIGH_WATER)
    piece = 1000
    sizes = []
    for i in range(0, len(data), piece):
        transport.write(data[i : i + piece])
        size = transport.get_write_buffer_size()
        sizes.append(size)
        assert proto.paused == (1 if max(sizes) > HIGH_WATER else 0), size
    assert proto.paused == 1
    assert max(sizes) > HIGH_WATER
    assert run(loop, recv_exactly(loop, peer, len(data))) == data
    run(loop, proto.resumed_future)
    assert proto.resumed == 1
    assert proto.buffer_at_resume[0] <= LOW_WATER
    assert transport.get_write_buffer_size() == 0
    finish(loop, transport, proto)


def test_set_write_buffer_limits(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """set_write_buffer_limits: the limits given, low defaulting to high // 4; and the
    protocol is paused above the new high mark and resumed at the new low one."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    transport.set_write_buffer_limits(high=4000)
    assert transport.get_write_buffer_limits() == (1000, 4000)
    transport.set_write_buffer_limits()
    assert transport.get_write_buffer_limits() == (LOW_WATER, HIGH_WATER)
    transport.set_write_buffer_limits(high=0)
    assert transport.get_write_buffer_limits() == (0, 0)
    data = payload(BIG)
    transport.write(data)
    assert proto.paused == 1
    got = run(loop, recv_exactly(loop, peer, BIG))
    assert got == data
    run(loop, proto.resumed_future)
    assert proto.buffer_at_resume == [0]
    finish(loop, transport, proto)


def test_close_flushes_the_buffer_then_eof(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """close() with data buffered: the peer gets all of it, then EOF; connection_lost(None)
    once, with the socket still open then, and closed afterwards."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    data = payload(BIG)
    transport.write(data)
    assert transport.get_write_buffer_size() > 0
    transport.close()
    assert transport.is_closing()
    assert not transport.is_reading()
    got = run(loop, recv_until_eof(loop, peer))
    assert len(got) == BIG
    assert got == data
    assert run(loop, proto.lost_future) is None
    transport.close()  # again: nothing more
    transport.abort()
    run(loop, spin())
    assert proto.lost == [(None, True)]
    assert ours.fileno() == -1
    assert transport.get_write_buffer_size() == 0


def test_abort_drops_the_buffer(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """abort(): buffered data is dropped, connection_lost(None) once, socket closed."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    data = payload(BIG)
    transport.write(data)
    assert transport.get_write_buffer_size() > 0
    transport.abort()
    assert transport.is_closing()
    assert transport.get_write_buffer_size() == 0
    assert run(loop, proto.lost_future) is None
    got = run(loop, recv_until_eof(loop, peer))
    assert len(got) < BIG
    assert got == data[: len(got)]
    transport.abort()
    transport.close()
    run(loop, spin())
    assert proto.lost == [(None, True)]
    assert ours.fileno() == -1


def test_close_then_abort_reports_once(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """close() and then abort() before the loop ran (both schedule the report): the
    protocol still hears connection_lost(None) once."""
    ours, _peer = pair
    transport, proto = start(loop, ours)
    transport.close()
    transport.abort()
    assert run(loop, proto.lost_future) is None
    run(loop, spin())
    assert proto.lost == [(None, True)]
    assert ours.fileno() == -1


def test_abort_during_close_flush(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """close() then abort() before the buffer drained: one connection_lost(None), the
    rest of the buffer dropped."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    data = payload(BIG)
    transport.write(data)
    transport.close()
    transport.abort()
    assert transport.get_write_buffer_size() == 0
    assert run(loop, proto.lost_future) is None
    got = run(loop, recv_until_eof(loop, peer))
    assert len(got) < BIG
    assert got == data[: len(got)]
    run(loop, spin())
    assert proto.lost == [(None, True)]


def test_write_to_a_closed_peer_is_connection_lost_with_the_error(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """write() when the peer has gone: the send fails (EPIPE) and the transport ends in
    connection_lost(exc), with the socket still open then."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    peer.close()
    transport.write(b"into the void")
    assert transport.is_closing()
    exc = run(loop, proto.lost_future)
    assert isinstance(exc, OSError)
    assert exc.errno in (errno.EPIPE, errno.ECONNRESET)
    assert proto.lost == [(exc, True)]
    assert proto.eof_calls == 0
    assert ours.fileno() == -1
    transport.write(b"more")  # after the end: ignored, no second report
    run(loop, spin())
    assert len(proto.lost) == 1


def test_write_error_while_flushing_the_buffer(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """The peer goes while data is buffered: the loop's next send fails and the
    transport ends in connection_lost(exc) with an OSError, the buffer dropped."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    transport.pause_reading()  # only the write side can notice
    transport.write(payload(BIG))
    assert transport.get_write_buffer_size() > 0
    peer.close()
    exc = run(loop, proto.lost_future)
    assert isinstance(exc, OSError)
    assert exc.errno in (errno.EPIPE, errno.ECONNRESET)
    assert proto.lost == [(exc, True)]
    assert transport.get_write_buffer_size() == 0
    assert ours.fileno() == -1


def test_write_after_reset_over_tcp(loop: asyncio.AbstractEventLoop) -> None:
    """TCP, peer closed with SO_LINGER 0 (a reset): a write fails with ECONNRESET or
    EPIPE and the transport ends in connection_lost(exc)."""
    ours, peer = tcp_pair()
    try:
        transport, proto = start(loop, ours)
        transport.pause_reading()
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        peer.close()
        transport.write(b"x" * 1000)
        exc = run(loop, proto.lost_future)
        assert isinstance(exc, OSError)
        assert exc.errno in (errno.EPIPE, errno.ECONNRESET)
        assert proto.lost == [(exc, True)]
        assert ours.fileno() == -1
    finally:
        ours.close()
        peer.close()


# -- memoryviews of items wider than a byte -------------------------------------------


def test_write_of_a_memoryview_with_4_byte_items_is_sent_whole(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """write(memoryview(array("i", ...))) more than the kernel takes: the peer gets every
    byte, the buffer size is the unsent byte count and returns to 0, no callback fails."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    items = array.array("i", range(BIG // 4))
    raw = items.tobytes()
    failure: asyncio.Future[dict[str, object]] = loop.create_future()

    def on_error(_: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        if not failure.done():
            failure.set_result(context)

    loop.set_exception_handler(on_error)
    transport.write(memoryview(items))
    buffered = transport.get_write_buffer_size()

    async def receive_or_fail() -> bytes:
        receiving = asyncio.ensure_future(recv_exactly(loop, peer, len(raw)))
        either: set[asyncio.Future[Any]] = {receiving, failure}
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if failure.done():
            receiving.cancel()
            raise AssertionError(f"a loop callback failed: {failure.result()!r}")
        return receiving.result()

    try:
        assert 0 < buffered < len(raw)
        got = run(loop, receive_or_fail())
        assert got == raw
        assert transport.get_write_buffer_size() == 0
    finally:
        finish(loop, transport, proto)


def test_writelines_sends_the_pieces_whole_and_in_order(
    loop: asyncio.AbstractEventLoop, pair: tuple[socket.socket, socket.socket]
) -> None:
    """writelines() of a header, a big body (more than the kernel takes at once), empty
    pieces and a memoryview of wide items, then a write(): the peer gets every byte in
    order, and the buffer empties."""
    ours, peer = pair
    transport, proto = start(loop, ours)
    body = bytes(range(256)) * (BIG // 256)
    wide = array.array("i", range(1000))
    pieces: list[bytes | bytearray | memoryview] = [
        b"\x02" + len(body).to_bytes(8, "big"),
        body,
        b"",
        memoryview(wide),
        bytearray(b"tail"),
    ]
    expected = b"".join(bytes(p) for p in pieces) + b"after"
    try:
        transport.writelines(pieces)
        assert 0 < transport.get_write_buffer_size() < len(expected)
        transport.write(b"after")
        got = run(loop, recv_exactly(loop, peer, len(expected)))
        assert got == expected
        assert transport.get_write_buffer_size() == 0
    finally:
        finish(loop, transport, proto)
