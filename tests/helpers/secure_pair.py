"""PLAIN and CURVE connections back to back, with the test as their ZAP handler.

`exchange` moves octets both ways until quiet, cut whole, byte by byte or at
random places (SPLIT_MODES), and answers each ZapRequest with `reply` (RFC 27
frames) or, when `reply` is None, leaves it pending. `zap_reply` builds such
frames; `Keys` holds CURVE long-term key pairs made from a seed, so that tests
are repeatable without touching the crypto.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from purezmq.zmtp import (
    ConnectionClosed,
    Received,
    State,
    ZapRequest,
    ZmtpConnection,
    encode_properties,
    socket_properties,
)

from .messages import as_lists
from .peer_pair import PeerPair, chunks

OK = (b"200", b"OK")


def zap_reply(
    status: bytes = b"200",
    text: bytes = b"OK",
    user_id: bytes = b"alice",
    metadata: dict[str, bytes] | None = None,
    *,
    request_id: bytes = b"1",
    version: bytes = b"1.0",
) -> list[bytes]:
    """A ZAP reply's six frames (RFC 27), metadata in ZMTP property encoding."""
    return [version, request_id, status, text, user_id, encode_properties(metadata or {})]


def props(socket_type: str, identity: bytes = b"") -> dict[str, bytes]:
    """Our metadata for a socket of that type, as the connection builds it."""
    return socket_properties(socket_type, identity)


def seeded_random(seed: int) -> Callable[[int], bytes]:
    """A repeatable random source for a CURVE mechanism."""
    rng = random.Random(seed)
    return lambda size: rng.randbytes(size)


@dataclass(frozen=True)
class Keys:
    """A Curve25519 key pair (32 binary octets each)."""

    public: bytes
    secret: bytes

    @classmethod
    def make(cls, seed: int) -> Keys:
        import nacl.bindings

        secret = random.Random(seed).randbytes(32)
        return cls(nacl.bindings.crypto_scalarmult_base(secret), secret)


def exchange(
    pair: PeerPair,
    mode: str = "whole",
    *,
    reply: Sequence[bytes] | None = None,
    seed: int = 0,
) -> tuple[list[Received], list[Received]]:
    """Move octets both ways until quiet; return (left's, right's) events.

    Every ZapRequest either side emits is answered with `reply` (if given).
    """
    left: list[Received] = []
    right: list[Received] = []
    moved = True
    while moved:
        moved = _transfer(pair.left, pair.right, right, mode, seed, reply)
        moved = _transfer(pair.right, pair.left, left, mode, seed + 1, reply) or moved
    return as_lists(left), as_lists(right)


def _transfer(
    source: ZmtpConnection,
    sink: ZmtpConnection,
    events: list[Received],
    mode: str,
    seed: int,
    reply: Sequence[bytes] | None,
) -> bool:
    data = source.data_to_send()
    for piece in chunks(data, mode, seed) if data else []:
        sink.receive_data(piece)
        if not _closed(events):  # a closed connection repeats ConnectionClosed
            events += sink.next_events()
    if not data and sink.state in (State.GREETING, State.HANDSHAKE, State.READY):
        events += sink.next_events()
    answered = _answer(sink, events, reply)
    return bool(data) or answered


def _closed(events: list[Received]) -> bool:
    return bool(events) and isinstance(events[-1], ConnectionClosed)


def _answer(conn: ZmtpConnection, events: list[Received], reply: Sequence[bytes] | None) -> bool:
    """Answer a pending ZapRequest; its events join `events`. True if one was answered."""
    if reply is None or not conn.zap_pending:
        return False
    conn.zap_reply(reply)
    events += conn.next_events()
    return True


def zap_requests(events: Sequence[Received]) -> list[ZapRequest]:
    """The ZapRequest events among `events`."""
    return [event for event in events if isinstance(event, ZapRequest)]
