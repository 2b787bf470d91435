"""The transport of a sync socket's connections: one that two threads may read.

Theory of operation (DESIGN.md "Threads, loops and wake-ups"; the measurements are
in the README's performance section):

A sync socket's sessions live on the context's I/O thread, and a message from the
network normally reaches the user's thread in two hand-offs: the kernel wakes the
I/O thread, which decodes and then wakes the user's thread. In a request/reply
exchange that is most of the round trip. So a user's thread blocked in ``recv``
also watches the connection's descriptor, and when it turns readable it reads and
decodes the bytes itself (:meth:`Session.owner_read`), while the I/O thread keeps
watching too, for the time the user's thread is elsewhere.

asyncio's own transports cannot be shared like that: they read in their callback
and hand the bytes over afterwards, so a read by the other thread could slip in
between and reorder the stream. This transport leaves the reading to its protocol:
on readability it calls ``protocol.socket_readable()``, and the protocol calls
:meth:`StreamTransport.receive` under its own lock and feeds the bytes to its
decoder under the same lock, whichever thread it is on. Everything else (writes,
flow control, closing) happens on the loop's thread, as with asyncio's transports,
and ``connection_lost`` runs before the socket is closed, so a thread that checks
the protocol's state under its lock never touches a closed descriptor.

It uses only ``add_reader``/``add_writer``, so it runs on any loop (uvloop too).
"""

from __future__ import annotations

import asyncio
import collections
import socket
import sys
import threading
from collections.abc import Iterable
from typing import Any, Protocol

# asyncio's defaults for the write buffer's flow control.
HIGH_WATER = 64 * 1024
LOW_WATER = 16 * 1024
# One recv() takes at most this much. recv(n) allocates n bytes and then shrinks
# them to what arrived; at 128 KiB or more glibc's malloc serves that with a fresh
# mmap (then mremap, munmap), page faults included, for every read, however small:
# strace showed three extra syscalls per message and a request/reply round trip
# 70 us slower. Below it the buffer comes from the heap. (asyncio's transports read
# 256 KiB; SocketEngine.configure_transport lowers that too.)
MAX_READ = 128 * 1024 - 1024
# After a read that filled its buffer (a stream is coming), reads take this much:
# fewer calls per megabyte, the allocation's cost shared by many messages. (1 MiB
# reads were slower for 1 MiB messages: half the rate in `purezmq bench`.)
STREAM_READ = 256 * 1024
# The most one read asks for of a large frame's body: the whole body in one read is
# the bytes object the socket hands out, with no copy to join chunks. recv() allocates
# this much before the kernel fills it (address space only, until written).
BODY_READ = 16 * 1024 * 1024
# A large frame's body of at least this many octets is read in one piece: the socket's
# SO_RCVLOWAT is raised to the body's size (at most LOWAT_MAX), so that the loop (or a
# waiting thread's poll) sees the socket readable only once the whole body is there.
# One recv() then returns the body as the bytes object the socket hands out: no
# chunks to join, and no half-filled allocations for malloc to shrink and trim.
# Linux TCP only: the kernel raises the receive buffer to fit the mark, and its
# poll honours the mark (a Unix socket's does not).
LOWAT_MIN = 64 * 1024
LOWAT_MAX = 4 * 1024 * 1024
# Chunks handed to one sendmsg() (Linux's IOV_MAX is 1024).
MAX_CHUNKS = 512


class ReadingProtocol(Protocol):
    """What :class:`StreamTransport` needs of its protocol, beyond asyncio's."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None: ...
    def connection_lost(self, exc: Exception | None) -> None: ...
    def socket_readable(self) -> None: ...
    def eof_received(self) -> bool | None: ...
    def pause_writing(self) -> None: ...
    def resume_writing(self) -> None: ...


class StreamTransport(asyncio.Transport):
    """A connected stream socket on ``loop``; made (and mostly used) on the loop's thread."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, sock: socket.socket, protocol: ReadingProtocol
    ) -> None:
        super().__init__()
        sock.setblocking(False)
        self._loop = loop
        self._sock = sock
        self._fd = sock.fileno()
        self._protocol: ReadingProtocol | None = protocol
        self._loop_thread = threading.get_ident()
        self._extra: dict[str, Any] = {"socket": sock}
        try:
            self._extra["peername"] = sock.getpeername()
            self._extra["sockname"] = sock.getsockname()
        except OSError:
            pass
        self._read_size = MAX_READ
        # SO_RCVLOWAT as last set; 0 where it is not used (see LOWAT_MIN).
        self._lowat = 1 if _lowat_works(sock) else 0
        self._chunks: collections.deque[bytes | bytearray | memoryview] = collections.deque()
        self._buffered = 0
        self._high = HIGH_WATER
        self._low = LOW_WATER
        self._protocol_paused = False
        self._reading = False
        self._writing = False
        self._closing = False
        self._lost = False
        # An error met by receive(), reported when the loop sees the end of the stream.
        self.error: OSError | None = None
        protocol.connection_made(self)
        if not self._closing:
            self.resume_reading()

    def __repr__(self) -> str:
        state = "closing" if self._closing else "open"
        return f"<StreamTransport fd={self._fd} {state} buffered={self._buffered}>"

    # -- asyncio.BaseTransport -------------------------------------------

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._extra.get(name, default)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        """Stop reading; close once the write buffer is sent (connection_lost(None))."""
        if self._closing:
            return
        self._closing = True
        self._stop_reading()
        if not self._chunks:
            self._loop.call_soon(self._call_connection_lost, None)

    def abort(self) -> None:
        self._force_close(None)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol  # type: ignore[assignment]

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._protocol  # type: ignore[return-value]

    # -- reading ------------------------------------------------------------

    def is_reading(self) -> bool:
        return self._reading

    def pause_reading(self) -> None:
        self._stop_reading()

    def resume_reading(self) -> None:
        if not self._reading and not self._closing:
            self._reading = True
            self._loop.add_reader(self._fd, self._readable)

    def _stop_reading(self) -> None:
        if self._reading:
            self._reading = False
            self._loop.remove_reader(self._fd)

    def _readable(self) -> None:
        if self._protocol is not None:
            self._protocol.socket_readable()

    def receive(self, hint: int = 0) -> bytes | None:
        """One recv(), from any thread, under the protocol's lock: bytes; b"" at the end
        of the stream or on an error (kept in :attr:`error`); None if nothing is there.

        ``hint``: the octets the protocol wants next (ZmtpConnection.read_hint), read
        alone, up to BODY_READ; 0 for as much as the stream offers.
        """
        lowat = self._lowat
        if hint >= LOWAT_MIN and lowat:
            want = min(hint, LOWAT_MAX)
            if lowat != want:
                self._set_lowat(want)
                return None  # readable again once ``want`` octets are there
        size = min(hint, BODY_READ) if hint else self._read_size
        try:
            data = self._sock.recv(size)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as exc:
            self.error = exc
            return b""
        if not hint:
            self._read_size = STREAM_READ if len(data) == size else MAX_READ
        if lowat > 1:
            # Back to 1 as soon as the body is in: the next frame may be a small one.
            rest = hint - len(data) if hint else 0
            self._set_lowat(min(rest, LOWAT_MAX) if rest >= LOWAT_MIN else 1)
        return data

    def read_bodies_as_they_come(self) -> None:
        """Stop awaiting large bodies whole (LOWAT_MIN) on this connection."""
        if self._lowat > 1:
            self._set_lowat(1)
        self._lowat = 0

    def _set_lowat(self, octets: int) -> None:
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, octets)
        except OSError:
            self._lowat = 0  # read as it comes
            return
        self._lowat = octets

    def end_of_stream(self) -> None:
        """The protocol's read found the end (loop thread): close, as asyncio's do."""
        if self._closing:
            return
        error = self.error
        if error is not None:
            self._force_close(error)
            return
        self._stop_reading()
        protocol = self._protocol
        if protocol is not None and not protocol.eof_received():
            self.close()

    # -- writing ------------------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data or self._closing:
            return
        if isinstance(data, memoryview):
            data = data.cast("B")  # counted in bytes, like everything buffered here
        elif isinstance(data, bytearray):
            data = bytes(data)  # the caller may change it while it waits here
        if not self._chunks:
            try:
                sent = self._sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                self._force_close(exc)
                return
            if sent == len(data):
                return
            data = memoryview(data)[sent:]
            self._writing = True
            self._loop.add_writer(self._fd, self._writable)
        self._chunks.append(data)
        self._buffered += len(data)
        if not self._protocol_paused and self._buffered > self._high:
            self._protocol_paused = True
            if self._protocol is not None:
                self._protocol.pause_writing()

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        """Write the pieces with one sendmsg() when nothing is buffered: a big frame's
        header and body reach the kernel without being joined into a copy first."""
        if self._closing:
            return
        chunks = self._chunks
        was_empty = not chunks
        for data in list_of_data:
            if not data:
                continue
            if isinstance(data, memoryview):
                data = data.cast("B")
            elif isinstance(data, bytearray):
                data = bytes(data)
            chunks.append(data)
            self._buffered += len(data)
        if was_empty and chunks:
            self._writable()
            if chunks and not self._writing and not self._lost:
                self._writing = True
                self._loop.add_writer(self._fd, self._writable)
        if not self._protocol_paused and self._buffered > self._high:
            self._protocol_paused = True
            if self._protocol is not None:
                self._protocol.pause_writing()

    def _writable(self) -> None:
        chunks = self._chunks
        try:
            if len(chunks) == 1:
                sent = self._sock.send(chunks[0])
            else:
                sent = self._sock.sendmsg(_first(chunks, MAX_CHUNKS))
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._force_close(exc)
            return
        self._buffered -= sent
        while sent:
            head = chunks[0]
            if len(head) <= sent:
                sent -= len(head)
                chunks.popleft()
            else:
                chunks[0] = memoryview(head)[sent:]
                sent = 0
        if self._protocol_paused and self._buffered <= self._low:
            self._protocol_paused = False
            if self._protocol is not None:
                self._protocol.resume_writing()
        if not chunks:
            self._stop_writing()
            if self._closing:
                self._loop.call_soon(self._call_connection_lost, None)

    def _stop_writing(self) -> None:
        if self._writing:
            self._writing = False
            self._loop.remove_writer(self._fd)

    def can_write_eof(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return self._buffered

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return (self._low, self._high)

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._high = HIGH_WATER if high is None else high
        self._low = min(self._high, self._high // 4 if low is None else low)

    # -- ending ---------------------------------------------------------------

    def _force_close(self, exc: Exception | None) -> None:
        """Drop the buffer and report ``exc`` (None: aborted) from the loop, soon."""
        if threading.get_ident() != self._loop_thread:
            self._loop.call_soon_threadsafe(self._force_close, exc)
            return
        if self._lost:
            return
        self._lost = True
        self._closing = True
        self._stop_reading()
        self._stop_writing()
        self._chunks.clear()
        self._buffered = 0
        self._loop.call_soon(self._call_connection_lost, exc)

    def _call_connection_lost(self, exc: Exception | None) -> None:
        """Tell the protocol, then close the socket (in that order: see the module doc)."""
        self._lost = True
        protocol, self._protocol = self._protocol, None
        if protocol is None:
            return  # told already (a close and then an abort)
        try:
            protocol.connection_lost(exc)
        finally:
            self._sock.close()


def _first(
    chunks: collections.deque[bytes | bytearray | memoryview], n: int
) -> list[bytes | bytearray | memoryview]:
    if len(chunks) <= n:
        return list(chunks)
    return [chunks[i] for i in range(n)]


def _lowat_works(sock: socket.socket) -> bool:
    """SO_RCVLOWAT is honoured by poll/epoll for this socket (see LOWAT_MIN)."""
    return sys.platform == "linux" and sock.family in (socket.AF_INET, socket.AF_INET6)
