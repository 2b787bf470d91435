"""Every compatible socket pair, purezmq on one side and libzmq on the other.

Parametrised over which side is purezmq, which side binds, and tcp/ipc. Each
exchange uses multipart messages with an empty frame in the middle, and goes
both ways wherever the pattern allows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .support import (
    LIB,
    PURE,
    TRANSPORTS,
    Sockets,
    publish_until_received,
    recv_pumping,
    send_until_routable,
)

pytestmark = pytest.mark.interop

REQUEST = [b"alpha", b"", b"omega"]
REPLY = [b"one", b"", b"three"]


def req_rep(req: Any, rep: Any) -> None:
    for n in range(3):  # several rounds: REQ/REP state machines reset correctly
        request = [*REQUEST, b"%d" % n]
        req.send_multipart(request)
        assert rep.recv_multipart() == request
        reply = [*REPLY, b"%d" % n]
        rep.send_multipart(reply)
        assert req.recv_multipart() == reply


def req_router(req: Any, router: Any) -> None:
    for n in range(3):
        request = [*REQUEST, b"%d" % n]
        req.send_multipart(request)
        routing_id, *rest = router.recv_multipart()
        assert routing_id
        assert rest == [b"", *request]  # REQ's empty delimiter, then the body
        reply = [*REPLY, b"%d" % n]
        router.send_multipart([routing_id, b"", *reply])
        assert req.recv_multipart() == reply


def dealer_rep(dealer: Any, rep: Any) -> None:
    for n in range(3):
        request = [*REQUEST, b"%d" % n]
        dealer.send_multipart([b"", *request])
        assert rep.recv_multipart() == request
        reply = [*REPLY, b"%d" % n]
        rep.send_multipart(reply)
        assert dealer.recv_multipart() == [b"", *reply]


def dealer_router(dealer: Any, router: Any) -> None:
    dealer.send_multipart(REQUEST)
    routing_id, *rest = router.recv_multipart()
    assert rest == REQUEST
    for n in range(3):  # the ROUTER may send several replies, unprompted
        router.send_multipart([routing_id, *REPLY, b"%d" % n])
    for n in range(3):
        assert dealer.recv_multipart() == [*REPLY, b"%d" % n]


def both_ways(a: Any, b: Any) -> None:
    """DEALER-DEALER and PAIR-PAIR: a symmetric exchange, several messages each way."""
    for n in range(3):
        a.send_multipart([*REQUEST, b"%d" % n])
    for n in range(3):
        assert b.recv_multipart() == [*REQUEST, b"%d" % n]
    for n in range(3):
        b.send_multipart([*REPLY, b"%d" % n])
    for n in range(3):
        assert a.recv_multipart() == [*REPLY, b"%d" % n]


def router_router(a: Any, b: Any) -> None:
    # Each side names itself, so each can address the other; a sends first, as
    # soon as b is attached (ROUTER_MANDATORY says when).
    send_until_routable(a, [b"second", *REQUEST])
    assert b.recv_multipart() == [b"first", *REQUEST]
    b.send_multipart([b"first", *REPLY])
    assert a.recv_multipart() == [b"second", *REPLY]


def pub_sub(pub: Any, sub: Any) -> None:
    sub.subscribe(b"alpha")
    sync = [b"alpha-sync"]
    assert publish_until_received(pub, sub, [sync]) == sync
    pub.send_multipart(REQUEST)
    pub.send_multipart([b"alpha-end"])
    received = [m for m in _until_end(sub) if m != sync]
    assert received == [REQUEST, [b"alpha-end"]]


def pub_xsub(pub: Any, xsub: Any) -> None:
    xsub.send(b"\x01alpha")
    sync = [b"alpha-sync"]
    assert publish_until_received(pub, xsub, [sync]) == sync
    pub.send_multipart(REQUEST)
    pub.send_multipart([b"alpha-end"])
    received = [m for m in _until_end(xsub) if m != sync]
    assert received == [REQUEST, [b"alpha-end"]]


def xpub_sub(xpub: Any, sub: Any) -> None:
    sub.subscribe(b"alpha")
    # The subscription reaching XPUB is the sync: from then on, nothing is dropped.
    assert recv_pumping(xpub, sub) == [b"\x01alpha"]
    xpub.send_multipart([b"beta", b"not subscribed"])
    xpub.send_multipart(REQUEST)
    assert sub.recv_multipart() == REQUEST


def xpub_xsub(xpub: Any, xsub: Any) -> None:
    xsub.send(b"\x01alpha")
    assert recv_pumping(xpub, xsub) == [b"\x01alpha"]
    xpub.send_multipart([b"beta", b"not subscribed"])
    xpub.send_multipart(REQUEST)
    assert xsub.recv_multipart() == REQUEST
    xsub.send(b"\x00alpha")
    assert xpub.recv_multipart() == [b"\x00alpha"]


def push_pull(push: Any, pull: Any) -> None:
    for n in range(3):
        push.send_multipart([*REQUEST, b"%d" % n])
    for n in range(3):
        assert pull.recv_multipart() == [*REQUEST, b"%d" % n]


def _until_end(sock: Any) -> list[list[bytes]]:
    received = []
    while True:
        msg = sock.recv_multipart()
        received.append(msg)
        if msg == [b"alpha-end"]:
            return received


PAIRS: dict[tuple[str, str], Callable[[Any, Any], None]] = {
    ("REQ", "REP"): req_rep,
    ("REQ", "ROUTER"): req_router,
    ("DEALER", "REP"): dealer_rep,
    ("DEALER", "ROUTER"): dealer_router,
    ("DEALER", "DEALER"): both_ways,
    ("ROUTER", "ROUTER"): router_router,
    ("PUB", "SUB"): pub_sub,
    ("PUB", "XSUB"): pub_xsub,
    ("XPUB", "SUB"): xpub_sub,
    ("XPUB", "XSUB"): xpub_xsub,
    ("PUSH", "PULL"): push_pull,
    ("PAIR", "PAIR"): both_ways,
}

# ROUTER-ROUTER needs each side to know the other's name.
OPTIONS: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {
    ("ROUTER", "ROUTER"): (
        {"routing_id": b"first", "router_mandatory": 1},
        {"routing_id": b"second"},
    ),
}


def _cases() -> list[Any]:
    cases = []
    for first, second in PAIRS:
        symmetric = first == second  # purezmq-first == purezmq-second: test one
        for libs in ((PURE, LIB), (LIB, PURE))[: 1 if symmetric else 2]:
            for binder in (0, 1):
                for transport in TRANSPORTS:
                    case_id = (
                        f"{first}_{libs[0]}-{second}_{libs[1]}-bind_{libs[binder]}-{transport}"
                    )
                    cases.append(pytest.param(first, second, libs, binder, transport, id=case_id))
    return cases


@pytest.mark.parametrize(("first", "second", "libs", "binder", "transport"), _cases())
def test_pair_exchange(
    sockets: Sockets,
    first: str,
    second: str,
    libs: tuple[str, str],
    binder: int,
    transport: str,
) -> None:
    first_options, second_options = OPTIONS.get((first, second), ({}, {}))
    a = sockets.make(libs[0], first, **first_options)
    b = sockets.make(libs[1], second, **second_options)
    if binder == 0:
        sockets.connect_pair(a, b, transport)
    else:
        sockets.connect_pair(b, a, transport)
    PAIRS[(first, second)](a, b)
