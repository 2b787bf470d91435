"""uvloop (the "speed" extra): the asyncio API on its loop, and a sync I/O thread on it."""

from __future__ import annotations

import os
import sys

import pytest

import purezmq as zmq
import purezmq.asyncio as azmq

uvloop = pytest.importorskip("uvloop")


def test_asyncio_sockets_on_uvloop() -> None:
    """REQ/REP and PUB/SUB over tcp work with uvloop's transports."""

    async def body() -> None:
        ctx = azmq.Context()
        try:
            rep = ctx.socket(zmq.REP)
            req = ctx.socket(zmq.REQ)
            port = rep.bind_to_random_port("tcp://127.0.0.1")
            req.connect(f"tcp://127.0.0.1:{port}")
            for n in range(50):
                await req.send(b"%d" % n)
                await rep.send(await rep.recv() + b"!")
                assert await req.recv() == b"%d!" % n
            for sock in (rep, req):
                sock.close(linger=0)
        finally:
            ctx.destroy(linger=0)

    uvloop.run(body())


def test_sync_context_io_thread_on_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    """PUREZMQ_UVLOOP=1 puts a sync Context's I/O thread on uvloop."""
    monkeypatch.setenv("PUREZMQ_UVLOOP", "1")
    ctx = zmq.Context()
    try:
        assert isinstance(ctx.io_thread().loop, uvloop.Loop)
        pull = ctx.socket(zmq.PULL)
        push = ctx.socket(zmq.PUSH)
        for sock in (pull, push):
            sock.linger = 0
            sock.rcvtimeo = 5000
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push.connect(f"tcp://127.0.0.1:{port}")
        for n in range(1000):
            push.send(b"%d" % n)
        assert [pull.recv() for _ in range(1000)] == [b"%d" % n for n in range(1000)]
    finally:
        ctx.destroy(linger=0)


@pytest.mark.parametrize("name", ["path", "abstract"])
def test_ipc_on_uvloop(monkeypatch: pytest.MonkeyPatch, ipc_dir: str, name: str) -> None:
    """ipc:// paths and Linux abstract names (ipc://@name) with the I/O thread on uvloop,
    whose own unix connect cuts an abstract name at its NUL."""
    if name == "abstract" and not sys.platform.startswith("linux"):
        pytest.skip("abstract names are Linux's")
    monkeypatch.setenv("PUREZMQ_UVLOOP", "1")
    ctx = zmq.Context()
    try:
        pull = ctx.socket(zmq.PULL)
        push = ctx.socket(zmq.PUSH)
        for sock in (pull, push):
            sock.linger = 0
            sock.rcvtimeo = 5000
        where = f"{ipc_dir}/u" if name == "path" else f"@pzt-uv-{os.getpid()}"
        pull.bind(f"ipc://{where}")
        push.connect(f"ipc://{where}")
        push.send(b"over ipc")
        assert pull.recv() == b"over ipc"
    finally:
        ctx.destroy(linger=0)
