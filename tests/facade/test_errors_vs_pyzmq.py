"""The same mistake made on purezmq and on pyzmq (libzmq 4.3.5) fails the same way.

Each row of ``SAME`` is one call, run against both libraries: the exception must be of
the same kind (a ZMQError with the same errno, or the same built-in exception class).
purezmq's messages are its own, and say more (``test_messages_name_what_is_wrong``).
Where purezmq differs on purpose, the test below the table says why.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
import zmq as pyzmq

import purezmq
from purezmq.core.sockets import SOCKET_TYPES

LONG_IPC = "ipc:///tmp/" + "a" * 200


def _closed(zmq: ModuleType, ctx: Any) -> Any:
    sock = ctx.socket(zmq.PAIR)
    sock.close()
    return sock


def _after_term(zmq: ModuleType, ctx: Any) -> Any:
    other = zmq.Context()
    other.term()
    return other.socket(zmq.PAIR)


def _shadow_after_term(zmq: ModuleType, ctx: Any) -> Any:
    other = zmq.Context()
    shadow = zmq.Context.shadow(other)
    other.term()
    return shadow.socket(zmq.PAIR)


def _opt(sock_type: str, name: str, value: Any) -> Callable[[ModuleType, Any], Any]:
    def call(zmq: ModuleType, ctx: Any) -> Any:
        return ctx.socket(getattr(zmq, sock_type)).setsockopt(getattr(zmq, name), value)

    return call


def _on(sock_type: str, method: str, *args: Any) -> Callable[[ModuleType, Any], Any]:
    def call(zmq: ModuleType, ctx: Any) -> Any:
        return getattr(ctx.socket(getattr(zmq, sock_type)), method)(*args)

    return call


# (what, call(zmq module, its context), expected: an errno or an exception class)
SAME: list[tuple[str, Callable[[ModuleType, Any], Any], int | type[BaseException]]] = [
    ("socket type 99", lambda zmq, ctx: ctx.socket(99), errno.EINVAL),
    ("socket type 'x'", lambda zmq, ctx: ctx.socket("x"), TypeError),
    ("socket type None", lambda zmq, ctx: ctx.socket(None), TypeError),
    ("socket after term()", _after_term, errno.ENOTSUP),
    ("socket from a shadow after term()", _shadow_after_term, errno.EFAULT),
    ("connect tcp://*:5555", _on("DEALER", "connect", "tcp://*:5555"), errno.EINVAL),
    ("connect tcp://127.0.0.1:*", _on("DEALER", "connect", "tcp://127.0.0.1:*"), errno.EINVAL),
    ("connect to a 205-byte ipc path", _on("DEALER", "connect", LONG_IPC), errno.ENAMETOOLONG),
    ("bind a 205-byte ipc path", _on("DEALER", "bind", LONG_IPC), errno.ENAMETOOLONG),
    ("bind tcp://[::1]:* without IPV6", _on("DEALER", "bind", "tcp://[::1]:*"), errno.ENODEV),
    ("bind tcp://127.0.0.1:x", _on("DEALER", "bind", "tcp://127.0.0.1:x"), errno.EINVAL),
    ("bind foo://x", _on("DEALER", "bind", "foo://x"), errno.EPROTONOSUPPORT),
    ("bind tcp127", _on("DEALER", "bind", "tcp127"), errno.EINVAL),
    ("unbind what was never bound", _on("DEALER", "unbind", "tcp://127.0.0.1:5999"),
     errno.ENOENT),
    ("disconnect what was never connected",
     _on("DEALER", "disconnect", "tcp://127.0.0.1:5999"), errno.ENOENT),
    ("monitor on tcp://", _on("DEALER", "monitor", "tcp://127.0.0.1:5999"),
     errno.EPROTONOSUPPORT),
    ("recv(NOBLOCK) with nothing there", _on("DEALER", "recv", 1), errno.EAGAIN),
    ("send on a SUB", _on("SUB", "send", b"x"), errno.ENOTSUP),
    ("recv on a REQ before its send", _on("REQ", "recv"), pyzmq.EFSM),
    ("send on a REP before its recv", _on("REP", "send", b"x"), pyzmq.EFSM),
    ("send a str", _on("DEALER", "send", "x"), TypeError),
    ("send_multipart of an object", _on("DEALER", "send_multipart", [object()]), TypeError),
    ("send on a closed socket", lambda zmq, ctx: _closed(zmq, ctx).send(b"x"), errno.ENOTSOCK),
    ("bind on a closed socket", lambda zmq, ctx: _closed(zmq, ctx).bind("tcp://127.0.0.1:*"),
     errno.ENOTSOCK),
    ("LINGER = 'x'", _opt("DEALER", "LINGER", "x"), TypeError),
    ("LINGER = -5", _opt("DEALER", "LINGER", -5), errno.EINVAL),
    ("RCVHWM = 1.5", _opt("DEALER", "RCVHWM", 1.5), TypeError),
    ("ROUTING_ID = 'x'", _opt("DEALER", "ROUTING_ID", "x"), TypeError),
    ("ROUTING_ID of 300 bytes", _opt("DEALER", "ROUTING_ID", b"x" * 300), errno.EINVAL),
    ("SUBSCRIBE on a DEALER", _opt("DEALER", "SUBSCRIBE", b""), errno.EINVAL),
    ("setsockopt(9999)", lambda zmq, ctx: ctx.socket(zmq.DEALER).setsockopt(9999, 1),
     errno.EINVAL),
    ("getsockopt(9999)", lambda zmq, ctx: ctx.socket(zmq.DEALER).getsockopt(9999), errno.EINVAL),
    ("sock.lingr = 0", lambda zmq, ctx: setattr(ctx.socket(zmq.DEALER), "lingr", 0),
     AttributeError),
    ("ctx.set(9999)", lambda zmq, ctx: ctx.set(9999, 1), errno.EINVAL),
    ("ctx.get(9999)", lambda zmq, ctx: ctx.get(9999), errno.EINVAL),
    ("Context(-1)", lambda zmq, ctx: zmq.Context(-1), errno.EINVAL),
]


@pytest.fixture(params=[pyzmq, purezmq], ids=["pyzmq", "purezmq"])
def lib(request: pytest.FixtureRequest) -> Iterator[tuple[ModuleType, Any]]:
    """(the library, a Context of it), destroyed after the test."""
    zmq = request.param
    ctx = zmq.Context()
    yield zmq, ctx
    ctx.destroy(linger=0)


def _raised(zmq: ModuleType, ctx: Any, call: Callable[[ModuleType, Any], Any]) -> BaseException:
    with pytest.raises(Exception) as info:
        call(zmq, ctx)
    return info.value


@pytest.mark.parametrize(("what", "call", "expected"), SAME, ids=[row[0] for row in SAME])
def test_same_error_as_pyzmq(
    lib: tuple[ModuleType, Any],
    what: str,
    call: Callable[[ModuleType, Any], Any],
    expected: int | type[BaseException],
) -> None:
    """The call fails with the row's errno (a ZMQError) or exception class, in both."""
    zmq, ctx = lib
    exc = _raised(zmq, ctx, call)
    if isinstance(expected, int):
        assert isinstance(exc, zmq.ZMQError), repr(exc)
        assert exc.errno == expected, f"{what}: {exc!r}"
    else:
        assert isinstance(exc, expected), f"{what}: {exc!r}"


UNIMPLEMENTED = ["SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM", "PEER",
                 "CHANNEL"]


@pytest.mark.parametrize("name", UNIMPLEMENTED)
def test_a_known_type_purezmq_lacks_is_enotsup_naming_it(name: str) -> None:
    """pyzmq makes these sockets (libzmq 4.3.5 compiles the draft types in): purezmq
    cannot, and says so with ENOTSUP, libzmq's errno for what a socket cannot do, rather
    than EINVAL's "invalid socket type" for a type that exists."""
    type_id = getattr(purezmq, name)
    assert type_id not in SOCKET_TYPES, f"{name} is implemented now: take it off the list"
    with purezmq.Context() as ctx, pytest.raises(purezmq.ZMQError) as info:
        ctx.socket(type_id)
    assert info.value.errno == errno.ENOTSUP
    assert name in str(info.value)
    assert "purezmq does not implement" in str(info.value)


def test_messages_name_what_is_wrong() -> None:
    """Where pyzmq says "Invalid argument", purezmq names the option, type or address."""
    with purezmq.Context() as ctx:
        sock = ctx.socket(purezmq.DEALER)
        for call, words in [
            (lambda: sock.setsockopt(purezmq.LINGER, -5), ["LINGER", "-5"]),
            (lambda: sock.setsockopt(purezmq.RCVHWM, 1.5), ["RCVHWM", "float"]),
            (lambda: sock.setsockopt(purezmq.SUBSCRIBE, b""), ["SUBSCRIBE"]),
            (lambda: sock.bind("tcp://[::1]:*"), ["IPV6", "tcp://[::1]:*"]),
            (lambda: sock.connect("tcp://*:5555"), ["wildcard", "tcp://*:5555"]),
            (lambda: sock.connect(LONG_IPC), ["107", LONG_IPC]),
            (lambda: ctx.socket(99), ["99"]),
            (lambda: ctx.socket("x"), ["str"]),
        ]:
            with pytest.raises((purezmq.ZMQError, TypeError)) as info:
                call()
            assert all(word in str(info.value) for word in words), str(info.value)


def test_bind_ipv6_with_the_option_works() -> None:
    """The ENODEV above is about the option: with IPV6 set, [::1] binds (where the host
    has IPv6)."""
    with purezmq.Context() as ctx:
        sock = ctx.socket(purezmq.DEALER)
        sock.ipv6 = 1
        try:
            sock.bind("tcp://[::1]:*")
        except purezmq.ZMQError as exc:
            pytest.skip(f"no IPv6 here: {exc}")
        assert sock.last_endpoint.startswith(b"tcp://[::1]:")


def test_register_of_a_non_pollable_is_a_type_error_at_once() -> None:
    """pyzmq takes it and fails inside poll(); purezmq refuses it at register(), with
    pyzmq's message, and registers nothing."""
    for thing in (object(), None, "x", b"x"):
        poller = purezmq.Poller()
        with pytest.raises(TypeError, match="0MQ socket, an integer fd or have a fileno"):
            poller.register(thing)
        assert poller.sockets == []
    poller = purezmq.Poller()
    poller.register(object(), 0)  # flags 0 unregisters, and there is nothing to unregister
    assert poller.sockets == []


@pytest.mark.parametrize("zmq", [pyzmq, purezmq], ids=["pyzmq", "purezmq"])
def test_poll_with_nothing_registered_returns_at_once(zmq: ModuleType) -> None:
    """An empty Poller's poll() returns [] without waiting, even with no timeout."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(zmq.Poller().poll()), daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    assert result == [[]]
