"""Transport addressing: IPv6, host names, wildcards, abstract ipc names, errors."""

from __future__ import annotations

import errno
import socket
import sys

import pytest

import purezmq as zmq


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


def pair(ctx: zmq.Context, bind_addr: str, ipv6: bool = False) -> tuple[zmq.Socket, zmq.Socket]:
    a = ctx.socket(zmq.PAIR)
    b = ctx.socket(zmq.PAIR)
    for s in (a, b):
        s.linger = 0
        s.rcvtimeo = 5000
        s.ipv6 = int(ipv6)
    a.bind(bind_addr)
    return a, b


def exchange(a: zmq.Socket, b: zmq.Socket, address: str) -> None:
    b.connect(address)
    b.send(b"hello")
    assert a.recv() == b"hello"
    a.send(b"back")
    assert b.recv() == b"back"


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_bind_and_connect(ctx: zmq.Context) -> None:
    """tcp://[::1]:* binds with IPV6=1, and LAST_ENDPOINT brackets the address."""
    a, b = pair(ctx, "tcp://[::1]:*", ipv6=True)
    endpoint = a.last_endpoint.decode()
    assert endpoint.startswith("tcp://[::1]:")
    exchange(a, b, endpoint)


def test_wildcard_host_and_host_name(ctx: zmq.Context) -> None:
    """tcp://*:* listens on every interface; a peer may connect by host name."""
    a, b = pair(ctx, "tcp://*:*")
    endpoint = a.last_endpoint.decode()
    assert endpoint.startswith("tcp://0.0.0.0:")
    exchange(a, b, "tcp://localhost:" + endpoint.rsplit(":", 1)[1])


@pytest.mark.skipif(sys.platform != "linux", reason="abstract names are Linux only")
def test_ipc_abstract_name(ctx: zmq.Context) -> None:
    """ipc://@name uses the Linux abstract namespace (no file)."""
    name = f"ipc://@purezmq-test-{id(ctx)}"
    a, b = pair(ctx, name)
    assert a.last_endpoint.decode() == name
    exchange(a, b, name)


def test_ipc_wildcard(ctx: zmq.Context) -> None:
    """ipc://* binds a fresh path, read back from LAST_ENDPOINT."""
    a, b = pair(ctx, "ipc://*")
    endpoint = a.last_endpoint.decode()
    assert endpoint.startswith("ipc:///") and endpoint != "ipc://*"
    exchange(a, b, endpoint)


def test_address_in_use(ctx: zmq.Context) -> None:
    """A second bind to a tcp port in use fails at bind() with EADDRINUSE."""
    a, _ = pair(ctx, "tcp://127.0.0.1:*")
    other = ctx.socket(zmq.PAIR)
    other.linger = 0
    with pytest.raises(zmq.ZMQError) as info:
        other.bind(a.last_endpoint.decode())
    assert info.value.errno == errno.EADDRINUSE


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("tcp://127.0.0.1", errno.EINVAL),
        ("tcp://127.0.0.1:99999", errno.EINVAL),
        ("nonsense", errno.EINVAL),
        ("udp://127.0.0.1:5555", errno.EPROTONOSUPPORT),
    ],
)
def test_bad_endpoint_fails_at_the_call(ctx: zmq.Context, address: str, code: int) -> None:
    """A malformed endpoint or unknown transport fails at bind/connect, naming it."""
    sock = ctx.socket(zmq.PAIR)
    sock.linger = 0
    for call in (sock.bind, sock.connect):
        with pytest.raises(zmq.ZMQError) as info:
            call(address)
        assert info.value.errno == code


def test_hwm_set_after_connect_applies_to_the_queued_pipe(ctx: zmq.Context) -> None:
    """SNDHWM changed after connect() bounds the pipe made at connect (libzmq 4.2+)."""
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.connect("tcp://127.0.0.1:9")  # nobody listens: messages queue in the pipe
    push.sndhwm = 3
    for n in range(3):
        push.send(b"%d" % n, zmq.NOBLOCK)
    with pytest.raises(zmq.Again):
        push.send(b"one too many", zmq.NOBLOCK)
    push.sndhwm = 5
    push.send(b"room again", zmq.NOBLOCK)
