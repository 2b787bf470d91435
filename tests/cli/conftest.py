"""Fixtures for the command-line tests: CLI processes, killed after each test, and a
pyzmq (libzmq) context for the peers they talk to."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import zmq

from .support import Cli


@pytest.fixture
def cli() -> Iterator[Callable[..., Cli]]:
    """Start a CLI command: ``cli("sub", endpoint, "--count", "1", stdin=b"...")``.

    ``stdin``: None for /dev/null, bytes to write to a pipe left open (b"" for an
    empty open pipe).
    """
    started: list[Cli] = []

    def start(*args: str, stdin: bytes | None = None) -> Cli:
        proc = Cli(list(args), stdin)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()


@pytest.fixture
def zctx() -> Iterator[zmq.Context]:
    """A pyzmq Context (real libzmq), destroyed with linger 0 after the test."""
    context = zmq.Context()
    yield context
    context.destroy(linger=0)
