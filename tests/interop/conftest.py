"""Fixtures for the interop suite: a libzmq (pyzmq) context beside purezmq's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zmq as pyzmq

from .support import Sockets


@pytest.fixture
def pctx() -> Iterator[pyzmq.Context]:
    """A libzmq Context through pyzmq, destroyed (linger 0) after the test."""
    context = pyzmq.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def sockets(ctx: object, pctx: pyzmq.Context, ipc_dir: str) -> Sockets:
    """Makes sockets of either library with linger 0 and timeouts set."""
    return Sockets(ctx, pctx, ipc_dir)
