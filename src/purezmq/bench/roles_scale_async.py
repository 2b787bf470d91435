"""The scale scenarios' roles on the asyncio API: the same as :mod:`.roles_scale`, with
every send, receive and poll awaited, and the library's asyncio Poller."""

from __future__ import annotations

import gc
from time import perf_counter, perf_counter_ns
from typing import Any

from .common import AsyncLink, current_rss_kib, load_zmq, throughput
from .roles_scale import (
    GO,
    HELLO,
    LEAD,
    REQUEST,
    Tally,
    chain_links,
    chain_result,
    connecting,
    crossings,
    dealers,
    fd_room,
    listener,
    subscribers,
)
from .roles_sync import START, TICK_MS, _bound, _close
from .spec import CHAIN_WINDOW, Params


def _poller(zmq: Any, p: Params, socks: list[Any]) -> Any:
    """The asyncio Poller of ``p.lib``, watching ``socks`` for messages."""
    poller = load_zmq(p.lib, "asyncio").Poller()
    for sock in socks:
        poller.register(sock, zmq.POLLIN)
    return poller


async def drain(zmq: Any, sock: Any) -> list[bytes]:
    """Every message ``sock`` holds now (it was polled ready)."""
    out: list[bytes] = []
    recv, flags = sock.recv, zmq.NOBLOCK
    try:
        while True:
            out.append(await recv(flags))
    except zmq.Again:
        return out


# -- router: one ROUTER, N DEALERs -------------------------------------------------------


async def router_bind(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    n = p.peers
    fd_room(n, f"a ROUTER's {n:,} connections")
    router, endpoint = listener(zmq, ctx, zmq.ROUTER, p, "router")
    gc.collect()
    before = current_rss_kib()
    link.ready({"data": endpoint})
    recv, send = router.recv_multipart, router.send_multipart
    leads = []  # [routing id, hello] of the first DEALER of each process
    for _ in range(n):
        hello = await recv()
        if hello[1][:1] == LEAD:
            leads.append(hello)
    connected = perf_counter()
    gc.collect()
    growth = current_rss_kib() - before
    for routing_id, _ in leads:
        await send([routing_id, GO])
    count = n * p.count
    await send(await recv())
    start = perf_counter()
    for _ in range(count - 1):
        await send(await recv())
    result = throughput(count, p.size, perf_counter() - start)
    await link.finish(result | connecting(n, leads, connected, growth))
    _close(router)


async def router_dealers(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    socks = dealers(zmq, ctx, p.peers, p.first)
    endpoint = p.endpoints["data"]
    hello = LEAD + START.pack(perf_counter())
    for sock in socks:
        sock.connect(endpoint)
        await sock.send(hello)
        hello = HELLO  # the lead's alone says when this process began connecting
    await socks[0].recv()  # GO: the ROUTER has every hello, from every process
    request = REQUEST * p.size
    for _ in range(p.count):
        for sock in socks:
            await sock.send(request)
    poller = _poller(zmq, p, socks)
    got, expected = 0, p.peers * p.count
    while got < expected:
        for sock, _ in await poller.poll():
            got += len(await drain(zmq, sock))
    await link.finish({"dealers": p.peers, "replies": got})
    _close(*socks)


# -- pubsub: one PUB, N SUBs in one process ----------------------------------------------


async def pubsub_pub(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    fd_room(p.peers + 1, f"a PUB's {p.peers:,} connections")
    pub, data = listener(zmq, ctx, zmq.PUB, p, "pubsub")
    sync, control = _bound(ctx, zmq.PULL, p, "pubsub-sync")
    link.ready({"data": data, "sync": control})

    async def until_said(marker: bytes) -> None:
        while True:
            await pub.send(marker)
            if await sync.poll(TICK_MS, zmq.POLLIN):
                await sync.recv()
                return

    await until_said(b"W")
    send, payload = pub.send, b"D" + b"x" * (p.size - 1)
    start = perf_counter()
    for _ in range(p.count):
        await send(payload)
    elapsed = perf_counter() - start
    await until_said(b"E" + START.pack(start))
    await link.finish({"sent": p.count, "subs": p.peers, "pub_msg_s": p.count / elapsed})
    _close(pub, sync)


async def pubsub_subs(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    subs = subscribers(zmq, ctx, p.peers)
    for sub in subs:
        sub.connect(p.endpoints["data"])
    sync = ctx.socket(zmq.PUSH)
    sync.connect(p.endpoints["sync"])
    poller = _poller(zmq, p, subs)

    async def until_each(tally: Tally) -> Tally:
        while len(tally.marked) < len(subs):
            for sock, _ in await poller.poll():
                tally.take(sock, await drain(zmq, sock))
        return tally

    await until_each(Tally(b"W"))
    await sync.send(b"ready")
    tally = await until_each(Tally(b"E"))
    await sync.send(b"done")
    await link.finish(tally.result(p.peers, p.size))
    _close(*subs, sync)


# -- chain: N inproc sockets on one loop ------------------------------------------------


async def chain(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    links = chain_links(zmq, ctx, p)
    put, take = links[0][0].send, links[-1][1].recv
    hops = [(links[i - 1][1].recv, links[i][0].send) for i in range(1, len(links))]
    payload = b"x" * p.size

    async def through(batch: int) -> None:
        for _ in range(batch):
            await put(payload)
        for recv, send in hops:
            for _ in range(batch):
                await send(await recv())
        for _ in range(batch):
            await take()

    await through(1)  # warm-up
    start = perf_counter()
    for done in range(0, p.count, CHAIN_WINDOW):
        await through(min(CHAIN_WINDOW, p.count - done))
    elapsed = perf_counter() - start
    samples = []
    for _ in range(crossings(p.count)):
        t0 = perf_counter_ns()
        await through(1)
        samples.append(perf_counter_ns() - t0)
    await link.finish(chain_result(len(links), p.count, elapsed, samples))
    _close(*(sock for pair in links for sock in pair))
