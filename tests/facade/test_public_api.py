"""purezmq's public names and signatures against pyzmq's (habit 12 of STYLE.md)."""

from __future__ import annotations

import inspect

import pytest
import zmq as pyzmq
import zmq.asyncio as pyzmq_asyncio

import purezmq
import purezmq.asyncio

# What pyzmq has and purezmq does not yet, each with its reason. The test fails when
# one of these appears (so the list shrinks) or when something else is missing.
NOT_YET: dict[str, str] = {}
SOCKET_NOT_YET: dict[str, str] = {}
CONTEXT_NOT_YET: dict[str, str] = {}


def test_top_level_names() -> None:
    """Every name in pyzmq's zmq.__all__ exists in purezmq, except the listed ones."""
    missing = {n for n in pyzmq.__all__ if not hasattr(purezmq, n)}
    assert missing == set(NOT_YET)


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("Socket", SOCKET_NOT_YET), ("Context", CONTEXT_NOT_YET), ("Poller", {}), ("Frame", {})],
)
def test_class_members(name: str, allowed: dict[str, str]) -> None:
    """Each public member of pyzmq's classes exists on purezmq's, except the listed ones."""
    theirs = getattr(pyzmq, name)
    ours = getattr(purezmq, name)
    missing = {m for m in dir(theirs) if not m.startswith("_") and not hasattr(ours, m)}
    # Instance attributes set in __init__ (context, socket_type) are not on the class.
    missing -= {"context", "socket_type"}
    assert missing == set(allowed)


@pytest.mark.parametrize(
    "method",
    [
        "send", "recv", "send_multipart", "recv_multipart", "send_string", "recv_string",
        "send_json", "recv_json", "send_pyobj", "recv_pyobj", "send_serialized",
        "recv_serialized", "poll", "bind", "connect", "unbind", "disconnect", "close",
        "bind_to_random_port", "setsockopt", "getsockopt", "subscribe", "unsubscribe",
        "recv_into",
    ],
)
def test_socket_signatures(method: str) -> None:
    """purezmq's Socket methods take pyzmq's parameters, by the same names and order."""
    theirs = inspect.signature(getattr(pyzmq.Socket, method))
    ours = inspect.signature(getattr(purezmq.Socket, method))
    their_params = [p for p in theirs.parameters.values() if p.kind != p.VAR_KEYWORD]
    our_params = [p for p in ours.parameters.values() if p.kind != p.VAR_KEYWORD]
    assert [p.name for p in our_params][: len(their_params)] == [p.name for p in their_params]


def test_asyncio_names() -> None:
    """purezmq.asyncio offers pyzmq's zmq.asyncio names, its deprecated loop helpers too."""
    missing = {n for n in pyzmq_asyncio.__all__ if not hasattr(purezmq.asyncio, n)}
    assert missing == set()


def test_asyncio_constants_are_the_sync_ones() -> None:
    """What purezmq.asyncio does not redefine is the sync API's very object, as in
    pyzmq: zmq.asyncio.NOBLOCK is the Flag member, not a bare int."""
    redefined = {"Context", "Socket", "Poller", "proxy", "proxy_steerable"}
    differ = [
        name for name in purezmq.asyncio.__all__
        if name in purezmq.__all__ and name not in redefined
        and getattr(purezmq.asyncio, name) is not getattr(purezmq, name)
    ]
    assert differ == []
    assert purezmq.asyncio.NOBLOCK is purezmq.NOBLOCK is purezmq.Flag.DONTWAIT


def test_stopwatch_is_pyzmqs() -> None:
    """The deprecated Stopwatch: it warns as pyzmq's does, and counts microseconds."""
    with pytest.warns(DeprecationWarning, match="Stopwatch is deprecated"):
        watch = purezmq.Stopwatch()
    watch.start()
    first = watch.stop()
    second = watch.stop()
    assert isinstance(first, int)
    assert 0 <= first <= second
