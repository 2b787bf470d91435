"""The scenarios' roles on the asyncio API (``purezmq.asyncio`` or ``zmq.asyncio``).

The same protocol as :mod:`.roles_sync`, with every send/recv/poll awaited.
"""

from __future__ import annotations

import asyncio
import gc
from time import perf_counter, perf_counter_ns
from typing import Any

from .common import (
    AsyncLink,
    cpu_times,
    current_rss_kib,
    latency,
    secure,
    throughput,
)
from .copying import recv_all_async, send_all_async
from .roles_sync import START, TICK_MS, WARMUP_ROUND_TRIPS, _bound, _close, _stats, fan_rate
from .spec import Params

# -- throughput: PUSH -> PULL ----------------------------------------------------


async def thr_recv(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    sock, endpoint = _bound(ctx, zmq.PULL, p, "thr")
    link.ready({"data": endpoint})
    cpu = cpu_times()
    recv = sock.recv
    await recv()
    start = perf_counter()
    await recv_all_async(recv, p.count - 1, p.copy)
    result = throughput(p.count, p.size, perf_counter() - start) | {"cpu_start": cpu}
    await link.finish(result | _stats(p, sock))
    _close(sock)


async def thr_send(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    sock = secure(ctx.socket(zmq.PUSH), p, server=False)
    sock.connect(p.endpoints["data"])
    cpu, start = cpu_times(), perf_counter()
    await send_all_async(sock.send, p.size, p.count, p.copy)
    await link.finish({"send_s": perf_counter() - start, "cpu_start": cpu} | _stats(p, sock))
    _close(sock)


# -- latency: REQ/REP round trips --------------------------------------------------


async def lat_rep(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    sock, endpoint = _bound(ctx, zmq.REP, p, "lat")
    link.ready({"data": endpoint})
    recv, send = sock.recv, sock.send
    for _ in range(WARMUP_ROUND_TRIPS + p.count):
        await send(await recv())
    await link.finish(_stats(p, sock))
    _close(sock)


async def lat_req(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    sock = secure(ctx.socket(zmq.REQ), p, server=False)
    sock.connect(p.endpoints["data"])
    recv, send = sock.recv, sock.send
    payload = b"x" * p.size
    for _ in range(WARMUP_ROUND_TRIPS):
        await send(payload)
        await recv()
    samples = []
    for _ in range(p.count):
        t0 = perf_counter_ns()
        await send(payload)
        await recv()
        samples.append(perf_counter_ns() - t0)
    await link.finish(latency(samples) | _stats(p, sock))
    _close(sock)


# -- fan-out: one PUB, several SUBs (see roles_sync) --------------------------------


async def fan_pub(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    pub, data = _bound(ctx, zmq.PUB, p, "fan")
    sync, control = _bound(ctx, zmq.PULL, p, "fan-sync")
    link.ready({"data": data, "sync": control})

    async def until(said: int, marker: bytes) -> None:
        while said:
            await pub.send(marker)
            while said and await sync.poll(TICK_MS, zmq.POLLIN):
                await sync.recv()
                said -= 1

    await until(p.subs, b"W")
    send = pub.send
    payload = b"D" + b"x" * (p.size - 1)
    start = perf_counter()
    for _ in range(p.count):
        await send(payload)
    elapsed = perf_counter() - start
    await until(p.subs, b"E" + START.pack(start))
    await link.finish({"sent": p.count, "pub_msg_s": p.count / elapsed} | _stats(p, pub))
    _close(pub, sync)


async def fan_sub(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    sub = ctx.socket(zmq.SUB)
    sub.subscribe(b"")
    sub.connect(p.endpoints["data"])
    sync = ctx.socket(zmq.PUSH)
    sync.connect(p.endpoints["sync"])
    recv = sub.recv
    while (await recv())[:1] != b"W":
        pass
    await sync.send(b"ready")
    received, last = 0, 0.0
    while True:
        msg = await recv()
        tag = msg[:1]
        if tag == b"D":
            last = perf_counter()
            received += 1
        elif tag == b"E":
            break
    await sync.send(b"done")
    result = fan_rate(received, p.size, START.unpack_from(msg, 1)[0], last)
    await link.finish(result | _stats(p, sub))
    _close(sub, sync)


# -- idle: memory of connected socket pairs ------------------------------------------


async def _pair(zmq: Any, ctx: Any, p: Params) -> tuple[Any, Any]:
    a, endpoint = _bound(ctx, zmq.PAIR, p, "idle")
    b = ctx.socket(zmq.PAIR)
    b.connect(endpoint)
    return a, b


async def idle(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    """RSS growth of ``p.count`` connected tcp PAIR pairs, each having carried one message."""
    warm = await _pair(zmq, ctx, p)
    await warm[1].send(b"x")
    await warm[0].recv()
    gc.collect()
    await asyncio.sleep(0.1)
    before = current_rss_kib()
    pairs = [await _pair(zmq, ctx, p) for _ in range(p.count)]
    for _, b in pairs:
        await b.send(b"x")
    for a, _ in pairs:
        await a.recv()
    gc.collect()
    await asyncio.sleep(0.2)
    growth = current_rss_kib() - before
    await link.finish(
        {
            "pairs": p.count,
            "growth_kib": growth,
            "kib_per_conn": growth / p.count,
            "kib_per_socket": growth / (2 * p.count),
        }
    )
    _close(*warm, *(s for pair in pairs for s in pair))
