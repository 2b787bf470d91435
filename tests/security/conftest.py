"""Fixtures for the security suite: libzmq's context beside purezmq's, CURVE keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zmq as pyzmq

from ..interop.support import Sockets
from .support import Keys, make_keys


@pytest.fixture
def pctx() -> Iterator[pyzmq.Context]:
    """A libzmq Context through pyzmq, destroyed (linger 0) after the test."""
    context = pyzmq.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def sockets(ctx: object, pctx: pyzmq.Context, ipc_dir: str) -> Sockets:
    return Sockets(ctx, pctx, ipc_dir)


@pytest.fixture(scope="session")
def keys() -> Keys:
    return make_keys()
