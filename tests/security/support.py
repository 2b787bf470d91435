"""Helpers for the security suite: keys, secured sockets of either library, monitors, a relay.

The relay is a TCP man in the middle written with the standard library alone: it
records what crosses it in each direction, and can be told to flip one octet of, or
to send twice, the next chunk it forwards one way. Nothing here waits by sleeping:
every wait polls a socket with a deadline.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import zmq as pyzmq

import purezmq

from ..interop.support import PURE, configure

DEADLINE = 5.0
_EVENT = struct.Struct("=HI")


@dataclass(frozen=True)
class Keys:
    """CURVE long-term key pairs, as Z85 text: the server's, a client's, and a stranger's."""

    server_public: bytes
    server_secret: bytes
    client_public: bytes
    client_secret: bytes
    other_public: bytes
    other_secret: bytes


def make_keys() -> Keys:
    server = purezmq.curve_keypair()
    client = purezmq.curve_keypair()
    other = purezmq.curve_keypair()
    return Keys(*server, *client, *other)


def curve_server(sock: Any, keys: Keys) -> Any:
    sock.curve_secretkey = keys.server_secret
    sock.curve_publickey = keys.server_public
    sock.curve_server = True
    return sock


def curve_client(sock: Any, keys: Keys, server_public: bytes | None = None) -> Any:
    sock.curve_serverkey = server_public or keys.server_public
    sock.curve_publickey = keys.client_public
    sock.curve_secretkey = keys.client_secret
    return sock


def plain_server(sock: Any) -> Any:
    sock.plain_server = True
    return sock


def plain_client(sock: Any, user: bytes = b"admin", password: bytes = b"secret") -> Any:
    sock.plain_username = user
    sock.plain_password = password
    return sock


def secured(sock: Any, mechanism: str, role: str, keys: Keys) -> Any:
    """``sock`` as the ``role`` ("server" or "client") of ``mechanism`` ("CURVE", "PLAIN")."""
    if mechanism == "CURVE":
        return curve_server(sock, keys) if role == "server" else curve_client(sock, keys)
    return plain_server(sock) if role == "server" else plain_client(sock)


def make(ctx: Any, pctx: pyzmq.Context, lib: str, type_name: str) -> Any:
    """A ``type_name`` socket of ``lib``, linger 0 and timeouts set."""
    if lib == PURE:
        return configure(ctx.socket(getattr(purezmq, type_name)))
    return configure(pctx.socket(getattr(pyzmq, type_name)))


# ------------------------------------------------------------------ monitors


class Events:
    """A socket's monitor (either library), read with deadlines; every event kept."""

    def __init__(self, sock: Any) -> None:
        self.monitor = sock.get_monitor_socket()
        self.seen: list[tuple[int, int]] = []

    def _take(self, timeout_ms: int) -> bool:
        if not self.monitor.poll(timeout_ms):
            return False
        head, _endpoint = self.monitor.recv_multipart()
        self.seen.append(_EVENT.unpack(head))
        return True

    def wait(self, event: int, deadline: float = DEADLINE) -> int:
        """The value of the first ``event`` seen (already, or within ``deadline``)."""
        end = time.monotonic() + deadline
        while True:
            for number, value in self.seen:
                if number == event:
                    return value
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no event {event} within {deadline}s; saw {self.seen}")
            self._take(int(left * 1000) + 1)

    def numbers(self) -> list[int]:
        while self._take(0):
            pass
        return [number for number, _ in self.seen]

    def close(self) -> None:
        self.monitor.close(linger=0)


def lib_monitor_ready(sock: pyzmq.Socket, events: Events) -> None:
    """libzmq drops events until the monitor's pipe is attached: bind spare tcp ports
    (each a LISTENING event) until one is seen."""
    end = time.monotonic() + DEADLINE
    while not events.numbers():
        sock.bind("tcp://127.0.0.1:*")
        events._take(20)
        assert time.monotonic() < end, "the libzmq monitor never reported an event"
    events.seen.clear()


def watch(sock: Any, lib: str) -> Events:
    events = Events(sock)
    if lib != PURE:
        lib_monitor_ready(sock, events)
    return events


def round_trip(client: Any, server: Any, payload: bytes = b"ping") -> None:
    """A DEALER/ROUTER or REQ/REP exchange, asserting both messages arrive."""
    client.send(payload)
    request = server.recv_multipart()
    assert request[-1] == payload
    server.send_multipart([*request[:-1], payload + b"-reply"])
    assert client.recv() == payload + b"-reply"


def receives_nothing(sock: Any, timeout_ms: int = 300) -> bool:
    """Nothing arrives within ``timeout_ms`` (the refusal leaves the socket empty)."""
    return not sock.poll(timeout_ms)


# -------------------------------------------------------------------- relay


@dataclass
class Relay:
    """A TCP relay from ``listen_port`` to ``target``, one connection at a time.

    ``upstream`` holds what the connecting side sent, ``downstream`` what the bound
    side sent. ``tamper("up")`` flips the last octet of the next chunk going up;
    ``replay("up")`` sends the next chunk up twice.
    """

    target: tuple[str, int]
    upstream: bytearray = field(default_factory=bytearray)
    downstream: bytearray = field(default_factory=bytearray)
    listener: socket.socket = field(default_factory=socket.socket)
    actions: dict[str, str] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        host, port = self.listener.getsockname()
        return f"tcp://{host}:{port}"

    def tamper(self, direction: str) -> None:
        with self.lock:
            self.actions[direction] = "flip"

    def replay(self, direction: str) -> None:
        with self.lock:
            self.actions[direction] = "twice"

    def pending(self, direction: str) -> bool:
        with self.lock:
            return direction in self.actions

    def run(self) -> None:
        while not self.stop.is_set():
            ready, _, _ = select.select([self.listener], [], [], 0.05)
            if ready:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.target)
                self._pump(client, server)

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        ends = {client: (server, "up"), server: (client, "down")}
        try:
            while not self.stop.is_set():
                ready, _, _ = select.select(list(ends), [], [], 0.05)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peer, direction = ends[sock]
                    peer.sendall(self._forwarded(direction, data))
        except OSError:
            return
        finally:
            client.close()
            server.close()

    def _forwarded(self, direction: str, data: bytes) -> bytes:
        (self.upstream if direction == "up" else self.downstream).extend(data)
        with self.lock:
            action = self.actions.pop(direction, None)
        if action == "flip":
            return data[:-1] + bytes([data[-1] ^ 0x01])
        if action == "twice":
            return data + data
        return data


@contextmanager
def relay_to(endpoint: str) -> Iterator[Relay]:
    """A running relay in front of the tcp ``endpoint``."""
    host, port = endpoint.removeprefix("tcp://").rsplit(":", 1)
    relay = Relay((host, int(port)))
    relay.listener.bind(("127.0.0.1", 0))
    relay.listener.listen(4)
    thread = threading.Thread(target=relay.run, daemon=True)
    thread.start()
    try:
        yield relay
    finally:
        relay.stop.set()
        thread.join(DEADLINE)
        relay.listener.close()
