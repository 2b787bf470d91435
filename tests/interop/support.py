"""Helpers for the interop suite: sockets of either library, PUB/SUB sync, a raw ZMTP peer.

Everything here is test code that talks to purezmq only through its public API
(``import purezmq as zmq``) and to libzmq through pyzmq. The raw peer is written
from RFC 23/37 with ``struct`` alone, so that a bug in purezmq's codec cannot
hide itself by being on both ends of the wire.
"""

from __future__ import annotations

import itertools
import select
import socket
import struct
import time
from collections.abc import Callable, Sequence
from typing import Any

import zmq as pyzmq
from zmq.utils.monitor import recv_monitor_message

import purezmq

from ..helpers.waiting import wait_for

PURE = "purezmq"
LIB = "libzmq"
LIBS = (PURE, LIB)
TRANSPORTS = ("tcp", "ipc")
TIMEOUT_MS = 5000
DEADLINE = 5.0

_names = itertools.count()


def other(lib: str) -> str:
    return LIB if lib == PURE else PURE


class Sockets:
    """Makes sockets of either library: linger 0, RCVTIMEO/SNDTIMEO so nothing hangs."""

    def __init__(self, ctx: Any, pctx: pyzmq.Context, ipc_dir: str) -> None:
        self.ctx = ctx
        self.pctx = pctx
        self.ipc_dir = ipc_dir

    def make(self, lib: str, type_name: str, **options: Any) -> Any:
        """A ``type_name`` socket ("REQ", "XPUB" ...) of ``lib`` (PURE or LIB)."""
        if lib == PURE:
            sock = self.ctx.socket(getattr(purezmq, type_name))
        else:
            sock = self.pctx.socket(getattr(pyzmq, type_name))
        return configure(sock, **options)

    def address(self, transport: str) -> str:
        """An address to bind for ``transport`` (tcp picks a free port)."""
        if transport == "tcp":
            return "tcp://127.0.0.1:*"
        return f"ipc://{self.ipc_dir}/s{next(_names)}"

    def bind(self, sock: Any, transport: str) -> str:
        """Bind ``sock``; returns the endpoint to connect to."""
        sock.bind(self.address(transport))
        return endpoint_of(sock)

    def connect_pair(self, binder: Any, connecter: Any, transport: str) -> str:
        """Bind ``binder``, connect ``connecter`` to it; returns the endpoint."""
        endpoint = self.bind(binder, transport)
        connecter.connect(endpoint)
        return endpoint


def endpoint_of(sock: Any) -> str:
    value = sock.last_endpoint
    return value.decode() if isinstance(value, bytes) else str(value)


def publish_until_received(
    pub: Any, sub: Any, messages: Sequence[list[bytes]], deadline: float = DEADLINE
) -> list[bytes]:
    """Send every message of ``messages`` in turn until ``sub`` has one; return it.

    A subscription travels asynchronously, so the first messages may be dropped
    by design: this is the bounded retry that replaces a sleep.
    """
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        for msg in messages:
            pub.send_multipart(msg)
        if sub.poll(10):
            result: list[bytes] = sub.recv_multipart()
            return result
    raise AssertionError(f"subscriber received nothing within {deadline}s")


def recv_pumping(sock: Any, peer: Any, deadline: float = DEADLINE) -> list[bytes]:
    """``sock.recv_multipart()``, polling ``peer`` meanwhile so that its thread runs.

    Both libraries attach an accepted connection's pipe only when the socket's own
    thread next calls into it (libzmq's mailbox; setsockopt does not count), so a
    bound SUB that is never polled never sends its subscriptions (libzmq issue
    #2267). Applications recv on their SUB; this does the same, bounded.
    """
    end = time.monotonic() + deadline
    while not sock.poll(10):
        peer.poll(0)
        if time.monotonic() > end:
            raise AssertionError(f"nothing to receive within {deadline}s")
    result: list[bytes] = sock.recv_multipart()
    return result


def recv_until(sock: Any, done: Callable[[list[bytes]], bool]) -> list[list[bytes]]:
    """Receive (RCVTIMEO applies) until ``done(msg)``; every message, the last included."""
    received: list[list[bytes]] = []
    while True:
        msg = sock.recv_multipart()
        received.append(msg)
        if done(msg):
            return received


def send_until_routable(router: Any, msg: list[bytes], deadline: float = DEADLINE) -> None:
    """Send from a ROUTER_MANDATORY socket once its peer ``msg[0]`` is known to it."""

    def attempt() -> bool:
        try:
            router.send_multipart(msg)
        except (pyzmq.ZMQError, purezmq.ZMQError) as exc:
            if exc.errno != pyzmq.EHOSTUNREACH:
                raise
            return False
        return True

    wait_for(attempt, deadline)


def armed_monitor(sock: pyzmq.Socket, deadline: float = DEADLINE) -> pyzmq.Socket:
    """A libzmq monitor of ``sock`` that is known to be receiving events.

    libzmq drops events until the monitor's own pipe is attached, so the socket
    binds spare tcp ports (each one a LISTENING event) until one is seen.
    """
    monitor = sock.get_monitor_socket()
    monitor.rcvtimeo = TIMEOUT_MS
    end = time.monotonic() + deadline
    while True:
        sock.bind("tcp://127.0.0.1:*")
        if monitor.poll(20):
            recv_monitor_message(monitor)
            return monitor
        assert time.monotonic() < end, "the libzmq monitor never reported an event"


def pending_events(monitor: pyzmq.Socket) -> list[int]:
    """The libzmq monitor events already queued, without waiting."""
    events = []
    while monitor.poll(0):
        events.append(recv_monitor_message(monitor)["event"])
    return events


def try_send(sock: Any, data: bytes) -> bool:
    """Send ``data`` if the socket takes it now; False on EAGAIN."""
    try:
        sock.send(data, pyzmq.NOBLOCK)
    except (pyzmq.Again, purezmq.Again):
        return False
    return True


def monitor_events(
    monitor: pyzmq.Socket, wanted: set[int], deadline: float = DEADLINE
) -> list[int]:
    """libzmq monitor events until one in ``wanted`` arrives; all of them, in order."""
    seen: list[int] = []
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if not monitor.poll(50):
            continue
        event = recv_monitor_message(monitor)["event"]
        seen.append(event)
        if event in wanted:
            return seen
    raise AssertionError(f"none of the events {wanted} within {deadline}s; saw {seen}")


# ------------------------------------------------------------- raw ZMTP peer

SIGNATURE = b"\xff" + bytes(8) + b"\x7f"
FLAG_MORE, FLAG_LONG, FLAG_COMMAND = 0x01, 0x02, 0x04


def raw_greeting(version: tuple[int, int] = (3, 0), mechanism: bytes = b"NULL") -> bytes:
    """signature (10) + version (2) + mechanism (20) + as-server (1) + filler (31)."""
    return SIGNATURE + bytes(version) + mechanism.ljust(20, b"\x00") + b"\x00" + bytes(31)


def raw_frame(body: bytes, *, more: bool = False, command: bool = False) -> bytes:
    flags = (FLAG_MORE if more else 0) | (FLAG_COMMAND if command else 0)
    if len(body) > 255:
        return struct.pack(">BQ", flags | FLAG_LONG, len(body)) + body
    return struct.pack(">BB", flags, len(body)) + body


def raw_ready(socket_type: bytes, identity: bytes | None = None) -> bytes:
    """A NULL READY command: name, then properties as name-len, name, value-len(4), value."""
    props = [(b"Socket-Type", socket_type)]
    if identity is not None:
        props.append((b"Identity", identity))
    body = b"\x05READY" + b"".join(
        struct.pack(">B", len(k)) + k + struct.pack(">I", len(v)) + v for k, v in props
    )
    return raw_frame(body, command=True)


def parse_properties(data: bytes) -> dict[bytes, bytes]:
    props: dict[bytes, bytes] = {}
    i = 0
    while i < len(data):
        n = data[i]
        name = data[i + 1 : i + 1 + n]
        i += 1 + n
        (size,) = struct.unpack(">I", data[i : i + 4])
        props[name.lower()] = data[i + 4 : i + 4 + size]
        i += 4 + size
    return props


class RawPeer:
    """A plain socket speaking hand-written ZMTP: the peer purezmq cannot influence."""

    def __init__(self, endpoint: str) -> None:
        scheme, _, address = endpoint.partition("://")
        if scheme == "tcp":
            host, _, port = address.rpartition(":")
            self.sock = socket.create_connection((host, int(port)), timeout=DEADLINE)
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(DEADLINE)
            self.sock.connect(address)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def read_exact(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not self._fill():
                raise EOFError(f"peer closed with {len(self.buffer)} of {n} octets read")
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_frame(self) -> tuple[int, bytes]:
        """(flags, body) of the next frame."""
        flags = self.read_exact(1)[0]
        if flags & FLAG_LONG:
            (size,) = struct.unpack(">Q", self.read_exact(8))
        else:
            size = self.read_exact(1)[0]
        return flags, self.read_exact(size)

    def read_command(self) -> tuple[bytes, bytes]:
        flags, body = self.read_frame()
        assert flags & FLAG_COMMAND, f"expected a command, got flags {flags:#x} {body!r}"
        n = body[0]
        return body[1 : 1 + n], body[1 + n :]

    def read_message(self) -> list[bytes]:
        """The next message (commands such as PING are skipped)."""
        frames: list[bytes] = []
        while True:
            flags, body = self.read_frame()
            if flags & FLAG_COMMAND:
                continue
            frames.append(body)
            if not flags & FLAG_MORE:
                return frames

    def has_data(self, timeout: float) -> bool:
        if self.buffer:
            return True
        readable, _, _ = select.select([self.sock], [], [], timeout)
        return bool(readable)

    def closed_by_peer(self, deadline: float = DEADLINE) -> bool:
        """Read (and discard) until EOF; True if the peer closed within ``deadline``."""
        self.buffer = b""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            readable, _, _ = select.select([self.sock], [], [], 0.05)
            if not readable:
                continue
            try:
                if not self.sock.recv(65536):
                    return True
            except ConnectionResetError:
                return True
        return False

    def handshake(
        self, socket_type: bytes, version: tuple[int, int] = (3, 0)
    ) -> tuple[bytes, dict[bytes, bytes]]:
        """Greeting and NULL READY both ways; returns (peer greeting, peer properties)."""
        self.send(raw_greeting(version))
        greeting = self.read_exact(64)
        self.send(raw_ready(socket_type))
        name, data = self.read_command()
        assert name == b"READY", name
        return greeting, parse_properties(data)


def configure(sock: Any, **options: Any) -> Any:
    """linger 0, send/receive timeouts (a failure raises Again, never hangs), then ``options``."""
    sock.linger = 0
    sock.rcvtimeo = TIMEOUT_MS
    sock.sndtimeo = TIMEOUT_MS
    for name, value in options.items():
        setattr(sock, name, value)
    return sock
