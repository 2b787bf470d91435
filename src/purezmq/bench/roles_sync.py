"""The scenarios' roles on the sync API, for ``purezmq`` or ``pyzmq`` (passed in as ``zmq``).

Each binder binds, calls ``link.ready`` with its endpoints, does its part, and reports
with ``link.finish``; connecters connect to ``p.endpoints``. Sockets close with
linger 0 only after ``finish`` returns, i.e. once every role of the run is done.
"""

from __future__ import annotations

import gc
import struct
import time
from time import perf_counter, perf_counter_ns
from typing import Any

from .common import (
    Link,
    cpu_times,
    current_rss_kib,
    last_endpoint,
    latency,
    secure,
    statistics,
    throughput,
    zmq_bind_address,
)
from .copying import recv_all, send_all
from .spec import Params

WARMUP_ROUND_TRIPS = 50
TICK_MS = 5


def _bound(ctx: Any, kind: int, p: Params, name: str) -> tuple[Any, str]:
    sock = secure(ctx.socket(kind), p, server=True)
    sock.bind(zmq_bind_address(p, name))
    return sock, last_endpoint(sock)


def _close(*socks: Any) -> None:
    for sock in socks:
        sock.close(linger=0)


def _stats(p: Params, *socks: Any) -> dict[str, Any]:
    return {"stats": statistics(socks)} if p.stats else {}


# -- throughput: PUSH -> PULL ----------------------------------------------------


def thr_recv(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    sock, endpoint = _bound(ctx, zmq.PULL, p, "thr")
    link.ready({"data": endpoint})
    cpu = cpu_times()
    recv = sock.recv
    recv()
    start = perf_counter()
    recv_all(recv, p.count - 1, p.copy)
    result = throughput(p.count, p.size, perf_counter() - start) | {"cpu_start": cpu}
    link.finish(result | _stats(p, sock))
    _close(sock)


def thr_send(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    sock = secure(ctx.socket(zmq.PUSH), p, server=False)
    sock.connect(p.endpoints["data"])
    cpu, start = cpu_times(), perf_counter()
    send_all(sock.send, p.size, p.count, p.copy)
    link.finish({"send_s": perf_counter() - start, "cpu_start": cpu} | _stats(p, sock))
    _close(sock)


# -- latency: REQ/REP round trips --------------------------------------------------


def lat_rep(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    sock, endpoint = _bound(ctx, zmq.REP, p, "lat")
    link.ready({"data": endpoint})
    recv, send = sock.recv, sock.send
    for _ in range(WARMUP_ROUND_TRIPS + p.count):
        send(recv())
    link.finish(_stats(p, sock))
    _close(sock)


def lat_req(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    sock = secure(ctx.socket(zmq.REQ), p, server=False)
    sock.connect(p.endpoints["data"])
    recv, send = sock.recv, sock.send
    payload = b"x" * p.size
    for _ in range(WARMUP_ROUND_TRIPS):
        send(payload)
        recv()
    samples = []
    for _ in range(p.count):
        t0 = perf_counter_ns()
        send(payload)
        recv()
        samples.append(perf_counter_ns() - t0)
    link.finish(latency(samples) | _stats(p, sock))
    _close(sock)


# -- fan-out: one PUB, several SUBs --------------------------------------------------
# The PUB publishes b"W" until every SUB has said "ready" on the sync channel (so all
# subscriptions are in), then ``count`` data messages (b"D..."), then b"E" + its start
# time until every SUB has said "done". A SUB counts the data that arrived (HWM drops
# cannot hang it) and its rate is what it received per second from the moment the PUB
# started publishing (perf_counter is the system's monotonic clock on Linux) to its
# last data message.

START = struct.Struct("!d")


def fan_rate(received: int, size: int, start: float, last: float) -> dict[str, Any]:
    elapsed = last - start
    rate = received / elapsed if received and elapsed > 0 else 0.0
    return {"received": received, "elapsed": elapsed, "msg_s": rate, "mb_s": rate * size / 1e6}


def fan_pub(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    pub, data = _bound(ctx, zmq.PUB, p, "fan")
    sync, control = _bound(ctx, zmq.PULL, p, "fan-sync")
    link.ready({"data": data, "sync": control})

    def until(said: int, marker: bytes) -> None:
        while said:
            pub.send(marker)
            while said and sync.poll(TICK_MS, zmq.POLLIN):
                sync.recv()
                said -= 1

    until(p.subs, b"W")
    send = pub.send
    payload = b"D" + b"x" * (p.size - 1)
    start = perf_counter()
    for _ in range(p.count):
        send(payload)
    elapsed = perf_counter() - start
    until(p.subs, b"E" + START.pack(start))
    link.finish({"sent": p.count, "pub_msg_s": p.count / elapsed} | _stats(p, pub))
    _close(pub, sync)


def fan_sub(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    sub = ctx.socket(zmq.SUB)
    sub.subscribe(b"")
    sub.connect(p.endpoints["data"])
    sync = ctx.socket(zmq.PUSH)
    sync.connect(p.endpoints["sync"])
    recv = sub.recv
    while recv()[:1] != b"W":
        pass
    sync.send(b"ready")
    received, last = 0, 0.0
    while True:
        msg = recv()
        tag = msg[:1]
        if tag == b"D":
            last = perf_counter()
            received += 1
        elif tag == b"E":
            break
    sync.send(b"done")
    result = fan_rate(received, p.size, START.unpack_from(msg, 1)[0], last)
    link.finish(result | _stats(p, sub))
    _close(sub, sync)


# -- idle: memory of connected socket pairs ------------------------------------------


def _pair(zmq: Any, ctx: Any, p: Params) -> tuple[Any, Any]:
    a, endpoint = _bound(ctx, zmq.PAIR, p, "idle")
    b = ctx.socket(zmq.PAIR)
    b.connect(endpoint)
    return a, b


def idle(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    """RSS growth of ``p.count`` connected tcp PAIR pairs, each having carried one message."""
    warm = _pair(zmq, ctx, p)
    warm[1].send(b"x")
    warm[0].recv()
    gc.collect()
    time.sleep(0.1)
    before = current_rss_kib()
    pairs = [_pair(zmq, ctx, p) for _ in range(p.count)]
    for _, b in pairs:
        b.send(b"x")
    for a, _ in pairs:
        a.recv()
    gc.collect()
    time.sleep(0.2)
    growth = current_rss_kib() - before
    link.finish(
        {
            "pairs": p.count,
            "growth_kib": growth,
            "kib_per_conn": growth / p.count,
            "kib_per_socket": growth / (2 * p.count),
        }
    )
    _close(*warm, *(s for pair in pairs for s in pair))
