"""The scale scenarios' roles on the sync API (``--scale``; :data:`.spec.SCALE_KINDS`).

router: the binder (``router_bind``) binds a ROUTER, notes its RSS and says where it
is. The N DEALERs are spread over several connecter processes (``router_dealers``;
:func:`.spec.dealer_shares`), so that no process needs more descriptors than a
machine's hard limit allows. Each makes its share in one Context, with the routing ids
``d<index>`` numbered over all the processes, notes the time, then connects them one
after the other, each sending a hello right after its connect: its first DEALER, the
process's lead, says b"L" + that time, the others b"H". Once the ROUTER holds a hello
from every DEALER it notes the time (connections per second: N over the time since
the earliest lead's connect) and its RSS growth, and says b"G" to each lead. The
DEALERs of each process then send K requests each, round-robin, and collect their
echoes with a Poller; the ROUTER echoes each request, timed from the first it receives
to the last it sends.

pubsub: the fan scenario's handshake (see :mod:`.roles_sync`) with N SUBs in one
process. The PUB publishes b"W" until that process says "ready" on the sync channel
(each of its SUBs has had a W, so each is connected and subscribed), then M data
messages, then b"E" + its start time until the process says "done" (each SUB has had
an E, so all the data it was going to get has come: the rest was dropped at the HWM).
The SUBs are read with a Poller, each ready one drained without blocking.

chain: N/2 links, each a PAIR bound and a PAIR connected over inproc, all in one
thread, which does all the forwarding: a message goes in at link 0, and at each hop
the thread receives it from one link and sends it into the next. The thread sweeps
the hops in order, so a batch of messages (the window) put in at a sweep's start comes
out at its end; knowing how many wait at each hop, it receives them blocking, with no
poll and no failed non-blocking receive: what is measured is the sockets' forwarding,
not a schedule's overhead. Then each of a few messages crosses the chain alone.

Every role first makes room for its file descriptors (:func:`fd_room`) and its sockets
(:func:`socket_room`); a listener's BACKLOG is N, so that the burst of connects is not
paced by SYN retries (both libraries default to 100; the kernel caps it at
net.core.somaxconn).
"""

from __future__ import annotations

import gc
import os
import resource
from collections.abc import Callable
from time import perf_counter, perf_counter_ns
from typing import Any

from .common import Link, RunFailed, current_rss_kib, last_endpoint, throughput, zmq_bind_address
from .roles_sync import START, TICK_MS, _bound, _close, fan_rate
from .spec import CHAIN_WINDOW, Params

# Descriptors a role may need beyond its sockets and connections: the library's own
# (I/O threads' pollers and wake-up pipes), the worker's pipes to the parent.
SPARE_FDS = 32
SPARE_SOCKETS = 8  # MAX_SOCKETS beyond the sockets a role makes
HELLO, LEAD, GO, REQUEST = b"H", b"L", b"G", b"R"


# -- room: file descriptors and sockets ----------------------------------------------


def open_fds() -> int:
    """How many file descriptors this process has open."""
    for where in ("/proc/self/fd", "/dev/fd"):
        try:
            return len(os.listdir(where))
        except OSError:
            continue
    return 0


def fd_room(extra: int, what: str) -> None:
    """Raise this process's soft RLIMIT_NOFILE, if need be, so that ``extra`` descriptors
    more than are open now fit; :class:`.RunFailed` if the hard limit is too low."""
    now = open_fds()
    need = now + extra + SPARE_FDS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or need <= soft:
        return
    if hard != resource.RLIM_INFINITY and need > hard:
        raise RunFailed(
            f"{what} need {need:,} open files in one process ({now:,} open, {extra:,} to"
            f" come, {SPARE_FDS} spare), over its hard limit RLIMIT_NOFILE of {hard:,}:"
            " raise that (ulimit -Hn with the privilege to; docker run --ulimit nofile=...)"
            " and run again"
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))


def socket_room(zmq: Any, ctx: Any, sockets: int) -> None:
    """Room for ``sockets`` in ``ctx``: libzmq allows 1023 unless MAX_SOCKETS, set before
    the Context's first socket, says more."""
    ctx.set(zmq.MAX_SOCKETS, sockets + SPARE_SOCKETS)


def listener(zmq: Any, ctx: Any, kind: int, p: Params, name: str) -> tuple[Any, str]:
    """A socket bound for ``p.peers`` connections, and its endpoint."""
    sock = ctx.socket(kind)
    sock.setsockopt(zmq.BACKLOG, p.peers)
    sock.bind(zmq_bind_address(p, name))
    return sock, last_endpoint(sock)


def dealers(zmq: Any, ctx: Any, n: int, first: int = 0) -> list[Any]:
    """``n`` DEALERs with routing ids d<first>, d<first + 1>, ..., in a Context with room
    for them."""
    fd_room(n, f"{n:,} DEALER sockets")  # libzmq opens one per socket (its mailbox)
    socket_room(zmq, ctx, n)
    out = []
    for index in range(first, first + n):
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.ROUTING_ID, b"d%d" % index)
        out.append(sock)
    fd_room(n, f"{n:,} DEALERs and their connections")
    return out


def subscribers(zmq: Any, ctx: Any, n: int) -> list[Any]:
    """``n`` SUBs subscribed to everything, in a Context with room for them and one more."""
    fd_room(n + 1, f"{n:,} SUB sockets")
    socket_room(zmq, ctx, n + 1)
    subs = [ctx.socket(zmq.SUB) for _ in range(n)]
    for sub in subs:
        sub.subscribe(b"")
    fd_room(n + 1, f"{n:,} SUBs and their connections")
    return subs


def chain_links(zmq: Any, ctx: Any, p: Params) -> list[tuple[Any, Any]]:
    """``p.peers // 2`` inproc links (PAIR bound, PAIR connected), at least one."""
    n = max(2, p.peers)
    fd_room(n, f"{n:,} sockets")  # libzmq's take one each, inproc or not
    socket_room(zmq, ctx, n)
    links = []
    for index in range(n // 2):
        head, endpoint = _bound(ctx, zmq.PAIR, p, f"chain{index}")
        tail = ctx.socket(zmq.PAIR)
        tail.connect(endpoint)
        links.append((head, tail))
    return links


# -- router: one ROUTER, N DEALERs -------------------------------------------------------


def router_bind(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    n = p.peers
    fd_room(n, f"a ROUTER's {n:,} connections")
    router, endpoint = listener(zmq, ctx, zmq.ROUTER, p, "router")
    gc.collect()
    before = current_rss_kib()
    link.ready({"data": endpoint})
    recv, send = router.recv_multipart, router.send_multipart
    leads = []  # [routing id, hello] of the first DEALER of each process
    for _ in range(n):
        hello = recv()
        if hello[1][:1] == LEAD:
            leads.append(hello)
    connected = perf_counter()
    gc.collect()
    growth = current_rss_kib() - before
    for routing_id, _ in leads:
        send([routing_id, GO])
    count = n * p.count
    send(recv())
    start = perf_counter()
    for _ in range(count - 1):
        send(recv())
    result = throughput(count, p.size, perf_counter() - start)
    link.finish(result | connecting(n, leads, connected, growth))
    _close(router)


def connecting(
    n: int, leads: list[list[bytes]], connected: float, growth_kib: int
) -> dict[str, Any]:
    """The ROUTER's figures of the connecting: rate from the earliest connect of any
    DEALER process (its lead's hello says when), RSS growth per connection."""
    seconds = connected - min(START.unpack_from(hello, 1)[0] for _, hello in leads)
    return {
        "dealers": n,
        "dealer_processes": len(leads),
        "connect_s": seconds,
        "conn_s": n / seconds if seconds > 0 else 0.0,
        "growth_kib": growth_kib,
        "kib_per_conn": growth_kib / n,
    }


def router_dealers(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    socks = dealers(zmq, ctx, p.peers, p.first)
    endpoint = p.endpoints["data"]
    hello = LEAD + START.pack(perf_counter())
    for sock in socks:
        sock.connect(endpoint)
        sock.send(hello)
        hello = HELLO  # the lead's alone says when this process began connecting
    socks[0].recv()  # GO: the ROUTER has every hello, from every process
    request = REQUEST * p.size
    for _ in range(p.count):
        for sock in socks:
            sock.send(request)
    poller = zmq.Poller()
    for sock in socks:
        poller.register(sock, zmq.POLLIN)
    got, expected = 0, p.peers * p.count
    while got < expected:
        for sock, _ in poller.poll():
            got += len(drain(zmq, sock))
    link.finish({"dealers": p.peers, "replies": got})
    _close(*socks)


def drain(zmq: Any, sock: Any) -> list[bytes]:
    """Every message ``sock`` holds now (it was polled ready)."""
    out: list[bytes] = []
    recv, flags = sock.recv, zmq.NOBLOCK
    try:
        while True:
            out.append(recv(flags))
    except zmq.Again:
        return out


# -- pubsub: one PUB, N SUBs in one process ----------------------------------------------


def pubsub_pub(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    fd_room(p.peers + 1, f"a PUB's {p.peers:,} connections")
    pub, data = listener(zmq, ctx, zmq.PUB, p, "pubsub")
    sync, control = _bound(ctx, zmq.PULL, p, "pubsub-sync")
    link.ready({"data": data, "sync": control})

    def until_said(marker: bytes) -> None:
        while True:
            pub.send(marker)
            if sync.poll(TICK_MS, zmq.POLLIN):
                sync.recv()
                return

    until_said(b"W")
    send, payload = pub.send, b"D" + b"x" * (p.size - 1)
    start = perf_counter()
    for _ in range(p.count):
        send(payload)
    elapsed = perf_counter() - start
    until_said(b"E" + START.pack(start))
    link.finish({"sent": p.count, "subs": p.peers, "pub_msg_s": p.count / elapsed})
    _close(pub, sync)


class Tally:
    """What the SUBs got: data messages, the last one's time, which SUBs had ``marker``."""

    def __init__(self, marker: bytes) -> None:
        self.marker = marker
        self.marked: set[Any] = set()
        self.received, self.last, self.marker_msg = 0, 0.0, b""

    def take(self, sock: Any, messages: list[bytes]) -> None:
        for msg in messages:
            tag = msg[:1]
            if tag == b"D":
                self.received += 1
                self.last = perf_counter()
            elif tag == self.marker:
                self.marked.add(sock)
                self.marker_msg = msg

    def result(self, subs: int, size: int) -> dict[str, Any]:
        start = START.unpack_from(self.marker_msg, 1)[0]
        return fan_rate(self.received, size, start, self.last) | {"subs": subs}


def pubsub_subs(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    subs = subscribers(zmq, ctx, p.peers)
    for sub in subs:
        sub.connect(p.endpoints["data"])
    sync = ctx.socket(zmq.PUSH)
    sync.connect(p.endpoints["sync"])
    poller = zmq.Poller()
    for sub in subs:
        poller.register(sub, zmq.POLLIN)

    def until_each(tally: Tally) -> Tally:
        while len(tally.marked) < len(subs):
            for sock, _ in poller.poll():
                tally.take(sock, drain(zmq, sock))
        return tally

    until_each(Tally(b"W"))
    sync.send(b"ready")
    tally = until_each(Tally(b"E"))
    sync.send(b"done")
    link.finish(tally.result(p.peers, p.size))
    _close(*subs, sync)


# -- chain: N inproc sockets in one thread -----------------------------------------------

Hop = tuple[Callable[[], Any], Callable[[Any], Any]]


def chain(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    links = chain_links(zmq, ctx, p)
    put, take = links[0][0].send, links[-1][1].recv
    hops: list[Hop] = [(links[i - 1][1].recv, links[i][0].send) for i in range(1, len(links))]
    payload = b"x" * p.size

    def through(batch: int) -> None:
        for _ in range(batch):
            put(payload)
        for recv, send in hops:
            for _ in range(batch):
                send(recv())
        for _ in range(batch):
            take()

    through(1)  # warm-up
    start = perf_counter()
    for done in range(0, p.count, CHAIN_WINDOW):
        through(min(CHAIN_WINDOW, p.count - done))
    elapsed = perf_counter() - start
    samples = []
    for _ in range(crossings(p.count)):
        t0 = perf_counter_ns()
        through(1)
        samples.append(perf_counter_ns() - t0)
    link.finish(chain_result(len(links), p.count, elapsed, samples))
    _close(*(sock for pair in links for sock in pair))


def crossings(count: int) -> int:
    """How many messages cross the chain alone, timed one by one."""
    return max(1, count // 10)


def chain_result(links: int, count: int, elapsed: float, samples: list[int]) -> dict[str, Any]:
    return {
        "links": links,
        "count": count,
        "elapsed": elapsed,
        "msg_s": count / elapsed if elapsed > 0 else 0.0,
        "cross_us": sum(samples) / len(samples) / 1000,
    }
