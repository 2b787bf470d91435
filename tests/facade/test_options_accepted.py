"""Every option libzmq 4.3.5 reads back, purezmq reads back too, with libzmq's default.

The reference is libzmq itself (through pyzmq): for each socket type and each option,
what ``getsockopt`` gives on a fresh socket of each library.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
import zmq as pyzmq

import purezmq as zmq

TYPES = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB"]
# Options whose value depends on the instance (descriptors, events).
INSTANCE = {"FD", "EVENTS"}
# Write-only in libzmq (EINVAL on read); purezmq lets them be read back.
READABLE_HERE = {
    "XPUB_VERBOSE", "XPUB_VERBOSER", "XPUB_NODROP", "XPUB_MANUAL", "ROUTER_MANDATORY",
    "ROUTER_HANDOVER", "PROBE_ROUTER", "REQ_CORRELATE", "REQ_RELAXED", "ROUTER_NOTIFY",
    "CONNECT_ROUTING_ID", "XPUB_WELCOME_MSG",
}


def _read(sock: Any, option: int) -> Any:
    try:
        return sock.getsockopt(option)
    except (pyzmq.ZMQError, zmq.ZMQError) as exc:
        return "EINVAL" if exc.errno == 22 else f"errno {exc.errno}"


@pytest.mark.parametrize("kind", TYPES)
def test_defaults_read_as_libzmq_reads_them(kind: str) -> None:
    pctx, ctx = pyzmq.Context(), zmq.Context()
    theirs, ours = pctx.socket(getattr(pyzmq, kind)), ctx.socket(getattr(zmq, kind))
    differences = []
    for option in pyzmq.SocketOption:
        if option.name in INSTANCE:
            continue
        expected, got = _read(theirs, option), _read(ours, int(option))
        if expected == "EINVAL" and option.name in READABLE_HERE:
            continue
        if expected != got:
            differences.append(f"{option.name}: libzmq {expected!r}, purezmq {got!r}")
    pctx.destroy(linger=0)
    ctx.destroy(linger=0)
    assert differences == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("AFFINITY", 3), ("RATE", 1000), ("RECOVERY_IVL", 5), ("MULTICAST_HOPS", 4),
     ("MULTICAST_MAXTPDU", 9000), ("MULTICAST_LOOP", 0), ("TCP_MAXRT", 100), ("TOS", 0x28),
     ("LOOPBACK_FASTPATH", 1), ("IPV4ONLY", 0)],
)
def test_options_without_effect_here_are_stored(ctx: zmq.Context, name: str, value: int) -> None:
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(getattr(zmq, name), value)
    assert sock.getsockopt(getattr(zmq, name)) == value
    sock.close()


def test_ipv4only_is_the_inverse_of_ipv6(ctx: zmq.Context) -> None:
    sock = ctx.socket(zmq.DEALER)
    sock.ipv4only = 0
    assert sock.ipv6 == 1
    sock.ipv6 = 0
    assert sock.ipv4only == 1
    sock.close()


def test_tos_marks_the_tcp_sockets(ctx: zmq.Context) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.tos = 0x28
    pull.bind("tcp://127.0.0.1:*")
    (listener,) = pull._engine.listeners.values()
    assert listener.bound.sock.getsockopt(socket.IPPROTO_IP, socket.IP_TOS) == 0x28
    pull.close()


@pytest.mark.parametrize(
    ("name", "value"),
    [("SOCKS_PROXY", b"proxy:1080"), ("USE_FD", 3)],
)
def test_options_that_would_change_behaviour_are_refused_by_name(
    ctx: zmq.Context, name: str, value: Any
) -> None:
    sock = ctx.socket(zmq.DEALER)
    with pytest.raises(zmq.ZMQError, match=name) as info:
        sock.setsockopt(getattr(zmq, name), value)
    assert info.value.errno == zmq.EINVAL
    sock.close()


def test_an_unknown_option_is_einval_and_a_non_int_value_a_type_error(ctx: zmq.Context) -> None:
    sock = ctx.socket(zmq.PUB)
    with pytest.raises(zmq.ZMQError) as info:
        sock.setsockopt(9999, 5)
    assert info.value.errno == zmq.EINVAL
    with pytest.raises(TypeError):
        sock.setsockopt(9999, b"5")
    with pytest.raises(zmq.ZMQError, match="ROUTER_RAW"):
        sock.setsockopt(zmq.ROUTER_RAW, 1)
    sock.close()


FLAG_OPTIONS = [
    ("ROUTER", "ROUTER_MANDATORY"), ("ROUTER", "ROUTER_HANDOVER"), ("ROUTER", "PROBE_ROUTER"),
    ("DEALER", "PROBE_ROUTER"), ("REQ", "REQ_CORRELATE"), ("REQ", "REQ_RELAXED"),
    ("XPUB", "XPUB_VERBOSE"), ("XPUB", "XPUB_VERBOSER"), ("XPUB", "XPUB_NODROP"),
    ("XPUB", "XPUB_MANUAL"), ("STREAM", "STREAM_NOTIFY"),
]


def _outcome(lib: Any, kind: str, name: str, value: int) -> str:
    ctx = lib.Context()
    sock = ctx.socket(getattr(lib, kind))
    try:
        sock.setsockopt(getattr(lib, name), value)
        return "set"
    except lib.ZMQError as exc:
        return lib.Errno(exc.errno).name
    finally:
        sock.close(linger=0)
        ctx.term()


@pytest.mark.parametrize(("kind", "name"), FLAG_OPTIONS)
@pytest.mark.parametrize("value", [0, 1, 2, 100, -1])
def test_flag_options_take_what_libzmq_takes(kind: str, name: str, value: int) -> None:
    """Most on/off options take any int from 0 up (STREAM_NOTIFY only 0 or 1)."""
    assert _outcome(zmq, kind, name, value) == _outcome(pyzmq, kind, name, value)


def test_a_flag_set_with_a_number_above_one_reads_back_as_on() -> None:
    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    router.router_mandatory = 2
    assert router.router_mandatory == 1
    ctx.destroy(linger=0)
