"""``purezmq proxy`` between libzmq peers: both directions, capture, control, statistics."""

from __future__ import annotations

import re
import signal
import struct
from collections.abc import Callable

import zmq

from .support import Cli, repeat_until, seen_within

TCP = "tcp://127.0.0.1:*"
STATS = re.compile(r"(frontend|backend): received (\d+) parts \((\d+) bytes\),"
                   r" sent (\d+) parts \((\d+) bytes\)")


def _roles(proxy: Cli, count: int) -> dict[str, str]:
    proxy.bound(count)
    return dict((role, ep) for ep, role in re.findall(r"^bound (\S+) \((\w+)\)", proxy.stderr,
                                                       re.M))


def _statistics(lines: list[str]) -> list[int]:
    """The eight counters printed in the last two statistics lines."""
    found = [m for m in map(STATS.fullmatch, lines) if m]
    assert [m.group(1) for m in found[-2:]] == ["frontend", "backend"], lines
    return [int(n) for m in found[-2:] for n in m.groups()[1:]]


def test_xsub_xpub_forwards_captures_and_reports(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    """The default: publishers to the frontend, subscribers to the backend."""
    proxy = cli("proxy", TCP, TCP, "--capture", TCP, "--control", TCP)
    ends = _roles(proxy, 4)
    pub = zctx.socket(zmq.PUB)
    pub.connect(ends["frontend"])
    sub = zctx.socket(zmq.SUB)
    sub.subscribe(b"")
    sub.connect(ends["backend"])
    capture = zctx.socket(zmq.SUB)
    capture.subscribe(b"")
    capture.connect(ends["capture"])
    captured: list[list[bytes]] = []

    def forwarded_and_captured() -> bool:
        while capture.poll(0):
            captured.append(capture.recv_multipart())
        return bool(sub.poll(0)) and [b"t", b"data"] in captured

    repeat_until(lambda: pub.send_multipart([b"t", b"data"]), forwarded_and_captured)
    assert sub.recv_multipart() == [b"t", b"data"]

    control = zctx.socket(zmq.REQ)
    control.rcvtimeo = 10000
    control.connect(ends["control"])
    control.send(b"STATISTICS")
    counters = [struct.unpack("=Q", part)[0] for part in control.recv_multipart()]
    assert len(counters) == 8
    assert seen_within(lambda: len(proxy.lines) >= 2, 10)
    assert _statistics(proxy.lines) == counters
    assert counters[0] >= 2 and counters[6] >= 2  # frontend in, backend out: parts
    assert counters[4] >= 1  # backend in: the subscription

    proxy.signal(signal.SIGINT)
    assert proxy.wait() == 130
    assert "Traceback" not in proxy.stderr
    assert len(proxy.lines) == 4  # the statistics again, on Ctrl+C


def test_router_dealer_carries_requests_and_terminates(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    proxy = cli("proxy", TCP, TCP, "--router-dealer", "--control", TCP)
    ends = _roles(proxy, 3)
    req = zctx.socket(zmq.REQ)
    req.rcvtimeo = 10000
    req.connect(ends["frontend"])
    rep = zctx.socket(zmq.REP)
    rep.rcvtimeo = 10000
    rep.connect(ends["backend"])
    req.send(b"hello")
    assert rep.recv() == b"hello"
    rep.send(b"world")
    assert req.recv() == b"world"

    control = zctx.socket(zmq.REQ)
    control.rcvtimeo = 10000
    control.connect(ends["control"])
    control.send(b"TERMINATE")
    assert control.recv() == b""
    assert proxy.wait() == 0
    # libzmq's routing ids are 5 bytes: id + empty delimiter + 5-byte body, each way.
    assert proxy.lines == [
        "frontend: received 3 parts (10 bytes), sent 3 parts (10 bytes)",
        "backend: received 3 parts (10 bytes), sent 3 parts (10 bytes)",
    ]


def test_pull_push_with_a_connecting_backend(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    pull = zctx.socket(zmq.PULL)
    pull.rcvtimeo = 10000
    pull.bind(TCP)
    proxy = cli("proxy", TCP, pull.last_endpoint.decode(), "--pull-push", "--connect-backend")
    ends = _roles(proxy, 1)
    assert list(ends) == ["frontend"]
    push = zctx.socket(zmq.PUSH)
    push.connect(ends["frontend"])
    for n in range(3):
        push.send(b"job %d" % n)
    assert [pull.recv() for _ in range(3)] == [b"job 0", b"job 1", b"job 2"]
    proxy.signal(signal.SIGTERM)
    assert proxy.wait() == 143
    assert _statistics(proxy.lines) == [3, 15, 0, 0, 0, 0, 3, 15]
