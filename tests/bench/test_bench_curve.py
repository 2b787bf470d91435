"""The CURVE scenarios of ``purezmq bench``: named, selected by --filter curve, secured."""

from __future__ import annotations

import pytest

import purezmq
from purezmq.bench.common import secure
from purezmq.bench.spec import Params, Scenario, select

pytest.importorskip("nacl.bindings", reason="CURVE needs PyNaCl (the curve extra)")


def test_filter_curve_selects_tcp_1k_throughput_and_round_trip_on_both_apis() -> None:
    names = {s.name for s in select(["sync", "asyncio"], ["tcp", "ipc", "inproc"], ["curve"])}
    assert names == {
        "thr-tcp-1k-sync-curve", "thr-tcp-1k-asyncio-curve",
        "lat-tcp-1k-sync-curve", "lat-tcp-1k-asyncio-curve",
    }
    assert Scenario("thr", "tcp", 1024, "sync", curve=True).floors == []


@pytest.mark.parametrize("lib", ["purezmq", "pyzmq"])
def test_secure_makes_a_curve_server_and_client_that_talk(lib: str) -> None:
    """Both libraries' sockets get the same fixed keys, so --vs pyzmq compares like with
    like; a purezmq client talks to a server of either library."""
    p = Params("thr_recv", lib, "sync", "thr", "tcp", 1024, 1, "", curve=True)
    zmq = purezmq if lib == "purezmq" else pytest.importorskip("zmq")
    ctx = zmq.Context()
    pure = purezmq.Context()
    try:
        server = secure(ctx.socket(zmq.PULL), p, server=True)
        assert server.mechanism == zmq.CURVE and server.curve_server
        port = server.bind_to_random_port("tcp://127.0.0.1")
        client = secure(pure.socket(purezmq.PUSH), p.but(lib="purezmq"), server=False)
        client.connect(f"tcp://127.0.0.1:{port}")
        client.send(b"boxed")
        server.rcvtimeo = 5000
        assert server.recv() == b"boxed"
    finally:
        ctx.destroy(linger=0)
        pure.destroy(linger=0)
