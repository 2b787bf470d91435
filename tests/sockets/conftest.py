"""Fixtures of the socket behaviour suite: the API axis and the scenario environment."""

from __future__ import annotations

import pytest

from tests.sockets.harness import APIS, Env


@pytest.fixture(params=APIS)
def api(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def env(api: str, transport: str, ipc_dir: str) -> Env:
    """A scenario environment for one transport x API combination."""
    return Env(api, transport, ipc_dir)
