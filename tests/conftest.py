"""Fixtures shared by the whole suite: contexts, endpoints per transport."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator

import pytest

import purezmq as zmq

TRANSPORTS = ["tcp", "ipc", "inproc"]
_names = itertools.count()


@pytest.fixture
def ctx() -> Iterator[zmq.Context]:
    """A sync Context, destroyed (linger 0) after the test."""
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def ipc_dir() -> Iterator[str]:
    # Short paths: unix socket paths are limited to ~107 bytes.
    path = tempfile.mkdtemp(prefix="pzt")
    yield path
    for name in os.listdir(path):
        try:
            os.unlink(os.path.join(path, name))
        except OSError:
            pass
    os.rmdir(path)


def bind_address(transport: str, ipc_dir: str) -> str:
    """An address to bind for ``transport`` (tcp picks a free port)."""
    n = next(_names)
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    if transport == "ipc":
        return f"ipc://{ipc_dir}/s{n}"
    return f"inproc://test-{os.getpid()}-{n}"


def bind(sock: zmq.Socket, transport: str, ipc_dir: str) -> str:
    """Bind ``sock`` on ``transport``; returns the address to connect to."""
    sock.bind(bind_address(transport, ipc_dir))
    return sock.last_endpoint.decode()


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def needs_fastpath(name: str) -> pytest.MarkDecorator:
    """Skip a test that checks a shortcut's own effect (its counters, its waits) when
    the suite runs with that shortcut off (PUREZMQ_FASTPATHS): the behaviour tests run
    either way."""
    from purezmq.engine.fastpaths import SWITCHES

    return pytest.mark.skipif(
        not getattr(SWITCHES, name), reason=f"the {name} shortcut is off (PUREZMQ_FASTPATHS)"
    )
