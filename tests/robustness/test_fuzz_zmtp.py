"""Large-budget fuzzing of the ZMTP decoder and NULL handshake, against a reference model.

Every example is a byte stream a peer might send: arbitrary octets, or a valid
greeting (ZMTP 3.0, 3.1 or a later version) and handshake followed by a mix of
well-formed frames, commands, garbage, over-long sizes and a message cut short.
A ZmtpConnection of any socket type, as server or client, with or without
MAXMSGSIZE, is fed the stream whole and in random pieces. Both runs must give
exactly the events of zmtp_model.py (so no message that was not completely
framed, nothing out of order, the same error by code) and queue exactly the
octets it predicts (greeting, READY, one PONG per PING). Anything else raised
fails the test.

The budget: PUREZMQ_FUZZ_EXAMPLES examples per test (300 by default), e.g.
    PUREZMQ_FUZZ_EXAMPLES=200000 python -m pytest tests/robustness/test_fuzz_zmtp.py
"""

from __future__ import annotations

import os
import struct
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.robustness.zmtp_model import (
    PEERS,
    SOCKET_TYPES,
    Outcome,
    check,
    command,
    frame,
    greeting,
    properties,
)

T = TypeVar("T")

EXAMPLES = int(os.environ.get("PUREZMQ_FUZZ_EXAMPLES", "300"))
# pytest-timeout's 60 s would cut a large budget short: allow ~50 ms per example.
pytestmark = pytest.mark.timeout(60 + EXAMPLES // 20)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

OUR_TYPE = st.sampled_from(SOCKET_TYPES)
MAXMSGSIZE = st.sampled_from([-1] * 12 + [0, 1, 255, 256, 70_000])
POINTS = st.lists(st.integers(0, 1 << 20), max_size=24)
ONE_AT_A_TIME = st.frozensets(st.integers(1, 40), max_size=10)
VERSION = st.sampled_from([(3, 0), (3, 1), (3, 1), (3, 2), (4, 0), (255, 255)])


def _note(outcome: Outcome) -> None:
    """Statistics for `--hypothesis-show-statistics`: how far the streams got."""
    kinds = sorted({type(e).__name__ for e in outcome.events})
    event(f"error {outcome.error:#x}" if outcome.error is not None else "no error")
    event("events: " + ", ".join(kinds))


# -------------------------------------------------------------- the peer's bytes


def _error_command(reason: bytes) -> bytes:
    return command(b"ERROR", bytes((len(reason),)) + reason)


def _weighted(*choices: tuple[int, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """Each strategy drawn in proportion to its weight (one_of drops repeats of a branch)."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(table.__getitem__)


@st.composite
def greetings(draw: st.DrawFn) -> bytes:
    """A greeting we must accept, with its unchecked octets sometimes scrambled."""
    head = bytearray(greeting(draw(VERSION), draw(st.booleans())))
    unchecked = st.sampled_from([*range(1, 9), *range(32, 64)])
    for index in draw(st.lists(unchecked, max_size=6)):
        head[index] = draw(st.integers(0, 255))
    return bytes(head)


@st.composite
def readies(draw: st.DrawFn, our_type: str) -> bytes:
    """READY from a peer of an allowed type (mostly), with more properties in any order."""
    peer = draw(
        _weighted((9, st.sampled_from(PEERS[our_type])), (1, st.sampled_from(SOCKET_TYPES)))
    )
    name = draw(st.sampled_from([b"Socket-Type", b"Socket-Type", b"socket-type", b"SOCKET-TYPE"]))
    props = [(name, peer.encode())]
    if draw(st.booleans()):
        props.append((b"Identity", draw(st.binary(max_size=12))))
    extra = st.tuples(st.binary(min_size=1, max_size=12), st.binary(max_size=20))
    props += draw(st.lists(extra, max_size=3))
    props = draw(st.permutations(props))
    return command(b"READY", properties(props))


def _command(name_data: tuple[bytes, bytes]) -> bytes:
    return command(*name_data)


def handshakes(our_type: str) -> st.SearchStrategy[bytes]:
    """The peer's one handshake command: mostly a good READY, sometimes anything but."""
    anything_but = st.one_of(
        st.binary(max_size=40).map(lambda meta: command(b"READY", meta)),
        st.binary(max_size=20).map(_error_command),
        st.binary(max_size=8).map(lambda data: command(b"ERROR", data)),
        st.tuples(st.binary(min_size=1, max_size=10), st.binary(max_size=10)).map(_command),
        st.binary(max_size=12).map(lambda body: frame(body, command=True)),
        st.binary(max_size=12).map(lambda body: frame(body)),
        st.binary(max_size=12).map(lambda body: frame(body, command=True, more=True)),
    )
    return _weighted((6, readies(our_type)), (1, anything_but))


def _filled(byte_size: tuple[int, int]) -> bytes:
    return bytes((byte_size[0],)) * byte_size[1]


BODY = _weighted(
    (6, st.binary(max_size=40)),
    (2, st.binary(min_size=250, max_size=300)),
    # Over BIG_FRAME (64 KiB): gathered in pieces while it arrives. Cheap to draw.
    (1, st.tuples(st.integers(0, 255), st.integers(65_000, 70_000)).map(_filled)),
)


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    """One message: frames with MORE on all but the last; odd but legal headers."""
    bodies = draw(st.lists(BODY, min_size=1, max_size=4))
    out = b""
    for index, body in enumerate(bodies):
        flags = 1 if index < len(bodies) - 1 else 0
        flags |= draw(st.sampled_from([0, 0, 0, 0x08, 0x80, 0xF8]))  # reserved bits: ignored
        if draw(st.booleans()) or len(body) > 255:
            out += struct.pack(">BQ", flags | 2, len(body)) + body
        else:
            out += bytes((flags, len(body))) + body
    return out


def _ping(ttl_context: tuple[int, bytes]) -> bytes:
    return command(b"PING", struct.pack(">H", ttl_context[0]) + ttl_context[1])


# Commands that keep the connection going: events, or dropped in silence.
COMMANDS = st.one_of(
    st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=20)).map(_ping),
    st.binary(max_size=20).map(lambda data: command(b"PONG", data)),
    st.binary(max_size=20).map(lambda topic: command(b"SUBSCRIBE", topic)),
    st.binary(max_size=20).map(lambda topic: command(b"CANCEL", topic)),
    st.tuples(st.binary(min_size=1, max_size=8), st.binary(max_size=8)).map(_command),
    # Malformed bodies (empty, empty name, name past the end): dropped in traffic.
    st.sampled_from([frame(b"", command=True), frame(b"\x00x", command=True)]),
    st.just(frame(b"\x09PING", command=True)),
)

# What ends a conversation: ERROR, a PING without TTL, a command with MORE, sizes
# over 2**63-1 or MAXMSGSIZE, and plain garbage (which may also parse as frames).
ENDINGS = st.one_of(
    st.binary(max_size=10).map(_error_command),
    st.binary(max_size=3).map(lambda data: command(b"ERROR", data)),
    st.binary(max_size=1).map(lambda data: command(b"PING", data)),
    st.binary(max_size=10).map(lambda body: frame(body, command=True, more=True)),
    st.integers(2**63, 2**64 - 1).map(lambda size: struct.pack(">BQ", 2, size)),
    st.integers(70_001, 2**63 - 1).map(lambda size: struct.pack(">BQ", 2, size)),
    st.integers(2, 300).map(lambda size: struct.pack(">BQ", 6, size)),
    st.binary(max_size=30),
)

SUBSCRIPTION_MESSAGES = st.tuples(st.sampled_from([b"\x00", b"\x01"]), st.binary(max_size=10)).map(
    lambda prefix_topic: frame(prefix_topic[0] + prefix_topic[1])
)

TRAFFIC = _weighted((8, messages()), (3, COMMANDS), (2, SUBSCRIPTION_MESSAGES), (1, ENDINGS))


@st.composite
def cut_short(draw: st.DrawFn) -> bytes:
    """A message that never ends: a strict prefix of its encoding."""
    whole = draw(messages())
    return whole[: draw(st.integers(1, len(whole) - 1))] if len(whole) > 1 else b""


@st.composite
def conversations(draw: st.DrawFn) -> tuple[str, bytes]:
    our_type = draw(OUR_TYPE)
    stream = draw(greetings()) + draw(handshakes(our_type))
    stream += b"".join(draw(st.lists(TRAFFIC, max_size=16)))
    stream += draw(st.just(b"") | cut_short())
    return our_type, stream


@st.composite
def prefixed_noise(draw: st.DrawFn) -> tuple[str, bytes]:
    """Random octets, after nothing, part of a greeting, a greeting, or a handshake."""
    our_type = draw(OUR_TYPE)
    whole = draw(greetings())
    prefix = draw(
        st.sampled_from([b"", whole[: draw(st.integers(1, 63))], whole])
        | readies(our_type).map(lambda ready: whole + ready)
    )
    return our_type, prefix + draw(st.binary(max_size=600))


# ------------------------------------------------------------------------ tests


@FUZZ
@given(prefixed_noise(), MAXMSGSIZE, st.booleans(), st.booleans(), POINTS, ONE_AT_A_TIME)
def test_arbitrary_octets_match_the_model(
    case: tuple[str, bytes],
    maxmsgsize: int,
    as_server: bool,
    eof: bool,
    points: list[int],
    singles: frozenset[int],
) -> None:
    """Random octets at any stage: the model's events and error, whole or in pieces."""
    our_type, data = case
    outcome = check(data, our_type, maxmsgsize, as_server, eof, points, singles.__contains__)
    _note(outcome)


@FUZZ
@given(conversations(), MAXMSGSIZE, st.booleans(), st.booleans(), POINTS, ONE_AT_A_TIME)
def test_conversations_match_the_model(
    case: tuple[str, bytes],
    maxmsgsize: int,
    as_server: bool,
    eof: bool,
    points: list[int],
    singles: frozenset[int],
) -> None:
    """Greeting, handshake and mixed traffic: the model's events, whole or in pieces.

    Short streams are also fed one octet at a time.
    """
    our_type, data = case
    outcome = check(data, our_type, maxmsgsize, as_server, eof, points, singles.__contains__)
    if len(data) <= 400:
        check(data, our_type, maxmsgsize, as_server, eof, range(len(data)))
    _note(outcome)
