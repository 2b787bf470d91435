"""The floor on blocking sockets: the throughput and latency transfers without ZeroMQ.

Same roles and protocol as :mod:`.roles_sync` (``zmq`` and ``ctx`` are unused):
length-prefixed frames, batched writes for throughput, one frame each way for latency.
"""

from __future__ import annotations

import socket
from time import perf_counter, perf_counter_ns
from typing import Any

from .common import Link, cpu_times, latency, throughput
from .framing import CHUNK, HEADER, Deframer, connect, framed_batches, listen, nodelay
from .roles_sync import WARMUP_ROUND_TRIPS
from .spec import Params


def _accept(p: Params, link: Link, name: str) -> socket.socket:
    server, address = listen(p, name)
    link.ready({"data": address})
    conn, _ = server.accept()
    server.close()
    nodelay(conn)
    return conn


def thr_recv(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    cpu = cpu_times()
    conn = _accept(p, link, "thr")
    deframer, recv = Deframer(), conn.recv
    count, start = 0, 0.0
    while count < p.count:
        data = recv(CHUNK)
        if not data:
            raise EOFError("the sender went away")
        got = len(deframer.feed(data))
        if got and not count:
            start = perf_counter()
        count += got
    link.finish(throughput(p.count, p.size, perf_counter() - start) | {"cpu_start": cpu})
    conn.close()


def thr_send(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    sock = connect(p.endpoints["data"])
    cpu, start = cpu_times(), perf_counter()
    for batch in framed_batches(p.count, p.size):
        sock.sendall(batch)
    link.finish({"send_s": perf_counter() - start, "cpu_start": cpu})
    sock.close()


def _read_message(sock: socket.socket, deframer: Deframer, backlog: list[bytes]) -> bytes:
    while not backlog:
        data = sock.recv(CHUNK)
        if not data:
            raise EOFError("the peer went away")
        backlog.extend(deframer.feed(data))
    return backlog.pop(0)


def lat_rep(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    conn = _accept(p, link, "lat")
    deframer, backlog = Deframer(), list[bytes]()
    pack = HEADER.pack
    for _ in range(WARMUP_ROUND_TRIPS + p.count):
        msg = _read_message(conn, deframer, backlog)
        conn.sendall(pack(len(msg)) + msg)
    link.finish({})
    conn.close()


def lat_req(zmq: Any, ctx: Any, p: Params, link: Link) -> None:
    sock = connect(p.endpoints["data"])
    deframer, backlog = Deframer(), list[bytes]()
    pack, payload = HEADER.pack, b"x" * p.size
    for _ in range(WARMUP_ROUND_TRIPS):
        sock.sendall(pack(p.size) + payload)
        _read_message(sock, deframer, backlog)
    samples = []
    for _ in range(p.count):
        t0 = perf_counter_ns()
        sock.sendall(pack(p.size) + payload)
        _read_message(sock, deframer, backlog)
        samples.append(perf_counter_ns() - t0)
    link.finish(latency(samples))
    sock.close()
