"""Two ZmtpConnections back to back, and hand-made peer bytes.

PeerPair moves octets both ways and drains events until nothing moves, so a
round trip through the real encoder and decoder is one call. The byte helpers
(greeting, frame, command, ready) build what a peer would send, from RFC 37's
grammar, for tests that talk to a single connection. `feed` is the one harness
that delivers those bytes whole, byte by byte, or at random splits.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Iterable, Mapping

from purezmq.zmtp import (
    ConnectionClosed,
    Received,
    RemoteProtocolError,
    State,
    ZmtpConnection,
    encode_properties,
)

from .messages import as_lists

SPLIT_MODES = ("whole", "bytewise", "random")


class PeerPair:
    """`left` and `right` wired to each other through their byte queues."""

    def __init__(self, left: ZmtpConnection, right: ZmtpConnection) -> None:
        self.left = left
        self.right = right

    @classmethod
    def connected(cls, left_type: str, right_type: str, **kwargs: bytes) -> PeerPair:
        """Return a pair that has completed its handshake (both READY)."""
        left_identity = kwargs.get("left_identity", b"")
        right_identity = kwargs.get("right_identity", b"")
        pair = cls(
            ZmtpConnection(left_type, identity=left_identity),
            ZmtpConnection(right_type, identity=right_identity),
        )
        pair.pump()
        assert pair.left.state is State.READY, pair.left
        assert pair.right.state is State.READY, pair.right
        return pair

    def pump(self, chunk: int | None = None) -> tuple[list[Received], list[Received]]:
        """Move octets both ways until quiet; return (left's, right's) events, each
        message as a list of its frames (the codec's tuples, made comparable to literals).

        `chunk` delivers the octets in pieces of at most that size.
        """
        left_events: list[Received] = []
        right_events: list[Received] = []
        moved = True
        while moved:
            moved = _transfer(self.left, self.right, right_events, chunk)
            moved = _transfer(self.right, self.left, left_events, chunk) or moved
        return as_lists(left_events), as_lists(right_events)


def _transfer(
    source: ZmtpConnection, sink: ZmtpConnection, events: list[Received], chunk: int | None
) -> bool:
    data = source.data_to_send()
    step = chunk or len(data) or 1
    for start in range(0, len(data), step):
        sink.receive_data(data[start : start + step])
        events += sink.next_events()
    if not data and sink.state in (State.GREETING, State.HANDSHAKE, State.READY):
        events += sink.next_events()
    return bool(data)


# ---------------------------------------------------------------- peer bytes


def greeting(
    version: tuple[int, int] = (3, 1), mechanism: bytes = b"NULL", as_server: bool = False
) -> bytes:
    """A 64-octet greeting as RFC 37 draws it (signature, version, mechanism...)."""
    signature = b"\xff" + bytes(8) + b"\x7f"
    return (
        signature + bytes(version) + mechanism.ljust(20, b"\x00") + bytes((as_server,)) + bytes(31)
    )


def frame(body: bytes, *, more: bool = False, command: bool = False, long: bool = False) -> bytes:
    """One frame; `long` forces the 8-octet size even for a short body."""
    flags = (1 if more else 0) | (4 if command else 0)
    if long or len(body) > 255:
        return struct.pack(">BQ", flags | 2, len(body)) + body
    return bytes((flags, len(body))) + body


def command(name: bytes, data: bytes = b"", *, more: bool = False) -> bytes:
    """One command frame: name length, name, data."""
    return frame(bytes((len(name),)) + name + data, command=True, more=more)


def ready(socket_type: str | None, extra: Mapping[str, bytes] | None = None) -> bytes:
    """A READY command announcing `socket_type` (None: no Socket-Type at all)."""
    properties: dict[str, bytes] = {}
    if socket_type is not None:
        properties["Socket-Type"] = socket_type.encode()
    properties.update(extra or {})
    return command(b"READY", encode_properties(properties))


def handshake(socket_type: str, version: tuple[int, int] = (3, 1)) -> bytes:
    """Everything a NULL peer of `socket_type` sends before its first message."""
    return greeting(version) + ready(socket_type)


# ------------------------------------------------------------------- harness


def chunks(data: bytes, mode: str, seed: int = 0) -> list[bytes]:
    """`data` whole, one octet at a time, or cut at random places."""
    if mode == "whole":
        return [data]
    if mode == "bytewise":
        return [data[i : i + 1] for i in range(len(data))]
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(data)), k=min(len(data) - 1, 1 + len(data) // 7)))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def feed(
    conn: ZmtpConnection, pieces: Iterable[bytes], *, eof: bool = False
) -> tuple[list[Received], RemoteProtocolError | None]:
    """Deliver `pieces`, draining events after each; return (events, error).

    Stops draining after ConnectionClosed (the connection repeats it) and at
    the first RemoteProtocolError, which is returned, not raised.
    """
    events: list[Received] = []
    try:
        for piece in pieces:
            conn.receive_data(piece)
            _drain(conn, events)
        if eof and not _closed(events):
            conn.receive_data(b"")
            _drain(conn, events)
    except RemoteProtocolError as error:
        return events, error
    return events, None


def _closed(events: list[Received]) -> bool:
    return bool(events) and isinstance(events[-1], ConnectionClosed)


def _drain(conn: ZmtpConnection, events: list[Received]) -> None:
    """next_events() until it is empty (surfacing a deferred error) or closed."""
    while not _closed(events):
        batch = conn.next_events()
        if not batch:
            return
        events += batch


def feed_in(
    conn: ZmtpConnection, data: bytes, mode: str, *, eof: bool = False
) -> tuple[list[Received], RemoteProtocolError | None]:
    """feed() with `data` cut according to `mode` (one of SPLIT_MODES)."""
    return feed(conn, chunks(data, mode), eof=eof)


def messages(events: Iterable[Received]) -> list[list[bytes]]:
    """Only the messages among `events`."""
    return [event for event in events if isinstance(event, list)]


def without_closed(events: Iterable[Received]) -> list[Received]:
    """`events` minus ConnectionClosed repeats."""
    return [event for event in events if not isinstance(event, ConnectionClosed)]
