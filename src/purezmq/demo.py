"""``purezmq demo``: the patterns at work, in one process, over tcp, ipc and inproc.

Each step prints what it sent and what arrived, and checks it: the demo exits
non-zero if any exchange went wrong. With pyzmq installed it also exchanges
messages with a libzmq socket, in both directions.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from typing import Any

import purezmq as zmq
import purezmq.asyncio as azmq

TIMEOUT_MS = 5000


def _say(text: str) -> None:
    print(f"  {text}", flush=True)


def _address(transport: str, name: str, tmp: str) -> str:
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    if transport == "ipc":
        return f"ipc://{tmp}/{name}"
    return f"inproc://{name}"


def _pair_up(
    ctx: zmq.Context[Any], binder_type: int, connecter_type: int, address: str
) -> tuple[zmq.Socket[Any], zmq.Socket[Any]]:
    binder = ctx.socket(binder_type)
    connecter = ctx.socket(connecter_type)
    for sock in (binder, connecter):
        sock.linger = 0
        sock.rcvtimeo = TIMEOUT_MS
    binder.bind(address)
    connecter.connect(binder.last_endpoint.decode())
    return binder, connecter


def req_rep(ctx: zmq.Context[Any], address: str) -> None:
    rep, req = _pair_up(ctx, zmq.REP, zmq.REQ, address)
    for n in range(3):
        req.send_string(f"request {n}")
        got = rep.recv_string()
        rep.send_string(got.replace("request", "reply"))
        answer = req.recv_string()
        assert answer == f"reply {n}", answer
    _say(f"REQ/REP   {address:32} 3 requests, 3 replies ('{answer}')")
    req.close()
    rep.close()


def pub_sub(ctx: zmq.Context[Any], address: str) -> None:
    pub, sub = _pair_up(ctx, zmq.PUB, zmq.SUB, address)
    sub.subscribe("weather.")
    # A subscription travels to the publisher; publish until the first one lands.
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    for _ in range(500):
        pub.send_string("weather.warmup")
        if poller.poll(10):
            sub.recv_string()
            break
    else:
        raise AssertionError("subscription never reached the publisher")
    for topic in ("sports.final 3-1", "weather.paris sunny", "news.today", "weather.oslo snow"):
        pub.send_string(topic)
    got = [sub.recv_string() for _ in range(2)]
    assert got == ["weather.paris sunny", "weather.oslo snow"], got
    _say(f"PUB/SUB   {address:32} 4 published, subscriber got only {got}")
    sub.close()
    pub.close()


def push_pull(ctx: zmq.Context[Any], address: str) -> None:
    # The workers bind and the ventilator connects to both: its pipes exist from
    # connect() on, so round-robin splits the tasks evenly even before the handshakes.
    workers = []
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    for n in range(2):
        pull = ctx.socket(zmq.PULL)
        pull.linger = 0
        pull.rcvtimeo = TIMEOUT_MS
        pull.bind(address if address.startswith("tcp") else f"{address}-{n}")
        push.connect(pull.last_endpoint.decode())
        workers.append(pull)
    for n in range(10):
        push.send_string(f"task {n}")
    counts = [len([pull.recv_string() for _ in range(5)]) for pull in workers]
    _say(f"PUSH/PULL {address:32} 10 tasks fanned out to 2 workers: {counts}")
    for sock in (*workers, push):
        sock.close()


def pair(ctx: zmq.Context[Any], address: str) -> None:
    a, b = _pair_up(ctx, zmq.PAIR, zmq.PAIR, address)
    a.send_multipart([b"ping", b"with", b"three frames"])
    got = b.recv_multipart()
    b.send(b"pong")
    assert a.recv() == b"pong"
    _say(f"PAIR      {address:32} multipart {got} and back")
    a.close()
    b.close()


async def asyncio_req_rep() -> None:
    ctx = azmq.Context()
    rep = ctx.socket(zmq.REP)
    req = ctx.socket(zmq.REQ)
    rep.bind("inproc://demo-async")
    req.connect("inproc://demo-async")

    async def server() -> None:
        for _ in range(3):
            question = await rep.recv_json()
            await rep.send_json({"answer": question["n"] * 2})

    task = asyncio.ensure_future(server())
    answers = []
    for n in range(3):
        await req.send_json({"n": n})
        answers.append((await req.recv_json())["answer"])
    await task
    assert answers == [0, 2, 4], answers
    _say(f"asyncio   {'inproc://demo-async':32} REQ/REP with send_json/recv_json: {answers}")
    req.close(linger=0)
    rep.close(linger=0)
    ctx.term()


def with_libzmq(ctx: zmq.Context[Any]) -> None:
    try:
        import zmq as pyzmq  # the real libzmq, through pyzmq
    except ImportError:
        _say("pyzmq is not installed: skipping the libzmq exchange")
        return
    lctx = pyzmq.Context()
    try:
        rep = lctx.socket(pyzmq.REP)
        rep.linger = 0
        rep.rcvtimeo = TIMEOUT_MS
        port = rep.bind_to_random_port("tcp://127.0.0.1")
        req = ctx.socket(zmq.REQ)
        req.linger = 0
        req.rcvtimeo = TIMEOUT_MS
        req.connect(f"tcp://127.0.0.1:{port}")
        req.send_string("hello from purezmq")
        heard = rep.recv_string()
        rep.send_string("hello from libzmq " + pyzmq.zmq_version())
        answer = req.recv_string()
        _say(f"libzmq    purezmq REQ -> libzmq REP: {heard!r}, answer {answer!r}")
        pull = ctx.socket(zmq.PULL)
        pull.linger = 0
        pull.rcvtimeo = TIMEOUT_MS
        pport = pull.bind_to_random_port("tcp://127.0.0.1")
        push = lctx.socket(pyzmq.PUSH)
        push.linger = 0
        push.connect(f"tcp://127.0.0.1:{pport}")
        push.send_multipart([b"libzmq", b"pushes", b"to purezmq"])
        got = pull.recv_multipart()
        _say(f"libzmq    libzmq PUSH -> purezmq PULL: {got}")
        req.close()
        pull.close()
    finally:
        lctx.destroy(linger=0)


def main() -> int:
    """Run every step; 0 if all exchanges went as expected."""
    print(f"purezmq {zmq.__version__} demo (ZMTP 3.1, pyzmq API)")
    steps: list[tuple[str, Callable[[zmq.Context[Any], str], None]]] = [
        ("rr", req_rep),
        ("ps", pub_sub),
        ("pp", push_pull),
        ("pa", pair),
    ]
    ctx = zmq.Context()
    with tempfile.TemporaryDirectory(prefix="pzdemo") as tmp:
        try:
            for transport in ("tcp", "ipc", "inproc"):
                print(f"{transport}:")
                for name, step in steps:
                    step(ctx, _address(transport, f"{name}-{os.getpid()}", tmp))
            print("asyncio:")
            asyncio.run(asyncio_req_rep())
            print("libzmq interop:")
            with_libzmq(ctx)
        finally:
            ctx.destroy(linger=0)
    print("all exchanges completed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
