"""Hostile handshakes against purezmq's PLAIN and CURVE servers, over real sockets.

Hypothesis drives a raw TCP peer: a correct greeting for the server's mechanism, then
handshake commands cut short, stretched past their size, or replaced by arbitrary
octets, then the end of its stream. Each connection must end (the server closes it,
within a deadline: no hang, no handshake left waiting), none may complete a handshake,
and afterwards a genuine client still gets through the same socket. The sans-I/O
mechanisms are fuzzed byte by byte in tests/zmtp/; this is the same on the engine.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import purezmq
from purezmq.zmtp import HANDSHAKE_COMMAND_MAX

from ..interop.support import PURE, raw_greeting
from .support import Keys, curve_client, curve_server, make, plain_client, plain_server, watch

pytest.importorskip("nacl.bindings", reason="CURVE needs PyNaCl (the curve extra)")

DEADLINE = 5.0
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def command(name: bytes, data: bytes, size: int | None = None) -> bytes:
    """A command frame; ``size`` overrides the announced size (a lie)."""
    body = bytes([len(name)]) + name + data
    announced = len(body) if size is None else size
    if announced < 256 and size is None:
        return bytes([0x04, announced]) + body
    return bytes([0x06]) + struct.pack(">Q", announced) + body


# HELLO as RFC 26 draws it is 200 octets (CURVE); PLAIN's carries user and password.
CURVE_HELLO = command(b"HELLO", b"\x01\x00" + bytes(72) + bytes(32) + bytes(8) + bytes(80))
PLAIN_HELLO = command(b"HELLO", b"\x05admin\x06secret")


def hostile(hello: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.integers(1, len(hello) - 1).map(lambda cut: hello[:cut]),  # cut short
        st.binary(max_size=300).map(lambda tail: hello + tail),  # trailing garbage
        st.binary(min_size=1, max_size=300),  # anything at all
        st.integers(HANDSHAKE_COMMAND_MAX + 1, 2**63 - 1).map(  # a size past every limit
            lambda size: command(b"HELLO", b"\x01\x00", size=size)
        ),
        st.sampled_from([command(b"READY", b""), command(b"INITIATE", bytes(300))]),
    )


def _port(sock: Any) -> int:
    return int(sock.last_endpoint.decode().rsplit(":", 1)[1])


def _attack(port: int, mechanism: bytes, payload: bytes) -> None:
    """Send a greeting and ``payload``, end the stream, and wait for the server's close."""
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as conn:
        greeting = raw_greeting((3, 1), mechanism)
        try:
            conn.sendall(greeting + payload)
            conn.shutdown(socket.SHUT_WR)
            while conn.recv(65536):
                pass
        except ConnectionResetError:
            pass  # the server aborted the connection: closed all the same
        except TimeoutError:
            raise AssertionError("the server kept a hostile handshake open") from None


@pytest.fixture
def curve_pull(ctx: purezmq.Context, keys: Keys) -> Iterator[Any]:
    sock = curve_server(make(ctx, None, PURE, "PULL"), keys)
    sock.bind("tcp://127.0.0.1:*")
    yield sock


@pytest.fixture
def plain_pull(ctx: purezmq.Context) -> Iterator[Any]:
    sock = plain_server(make(ctx, None, PURE, "PULL"))
    sock.bind("tcp://127.0.0.1:*")
    yield sock


@FUZZ
@given(payload=hostile(CURVE_HELLO))
def test_curve_server_ends_every_hostile_handshake(curve_pull: Any, payload: bytes) -> None:
    events = watch(curve_pull, PURE)
    _attack(_port(curve_pull), b"CURVE", payload)
    assert purezmq.Event.HANDSHAKE_SUCCEEDED not in events.numbers()
    events.close()


@FUZZ
@given(payload=hostile(PLAIN_HELLO))
def test_plain_server_ends_every_hostile_handshake(plain_pull: Any, payload: bytes) -> None:
    events = watch(plain_pull, PURE)
    _attack(_port(plain_pull), b"PLAIN", payload)
    assert purezmq.Event.HANDSHAKE_SUCCEEDED not in events.numbers()
    events.close()


def test_after_the_fuzz_a_genuine_client_gets_through(
    ctx: purezmq.Context, curve_pull: Any, keys: Keys
) -> None:
    for payload in (CURVE_HELLO[:50], command(b"HELLO", b"", size=2**40), b"\xff" * 99):
        _attack(_port(curve_pull), b"CURVE", payload)
    push = curve_client(make(ctx, None, PURE, "PUSH"), keys)
    push.connect(curve_pull.last_endpoint.decode())
    push.send(b"genuine")
    assert curve_pull.recv() == b"genuine"


def test_plain_client_credentials_helper_is_a_real_client(
    ctx: purezmq.Context, plain_pull: Any
) -> None:
    """The PLAIN fuzz's server does refuse: no ZAP handler is bound, and PLAIN needs one."""
    events = watch(plain_pull, PURE)
    push = plain_client(make(ctx, None, PURE, "PUSH"))
    push.connect(plain_pull.last_endpoint.decode())
    assert events.wait(purezmq.Event.HANDSHAKE_FAILED_NO_DETAIL) == 14  # EFAULT, as libzmq
