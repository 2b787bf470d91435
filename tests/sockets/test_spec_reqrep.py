"""RFC 28 (REQ, REP, DEALER, ROUTER) through the API, over tcp/ipc/inproc x sync/asyncio."""

from __future__ import annotations

import pytest

import purezmq as zmq
from tests.helpers.waiting import async_wait_for
from tests.sockets.harness import Env, eventually, queued_in, recv_all, scenario

PEERS = 3


async def req_rep(env: Env) -> tuple:
    rep = env.socket(zmq.REP)
    req = env.socket(zmq.REQ)
    req.connect(env.bind(rep))
    return req, rep


@scenario
async def test_req_rep_round_trip(env: Env) -> None:
    """RFC 28 REQ: SHALL send and then receive exactly one message at a time."""
    req, rep = await req_rep(env)
    for i in range(3):
        await req.send_multipart([b"ABC", str(i).encode()])
        assert await rep.recv_multipart() == [b"ABC", str(i).encode()]
        await rep.send_multipart([b"DEF", str(i).encode()])
        assert await req.recv_multipart() == [b"DEF", str(i).encode()]


@scenario
async def test_req_send_twice_is_efsm(env: Env) -> None:
    """RFC 28 REQ: SHALL send and then receive exactly one message at a time (EFSM)."""
    req, rep = await req_rep(env)
    with pytest.raises(zmq.ZMQError) as recv_first:
        await req.recv()
    assert recv_first.value.errno == zmq.EFSM
    await req.send(b"first")
    with pytest.raises(zmq.ZMQError) as second:
        await req.send(b"second")
    assert second.value.errno == zmq.EFSM
    # The refused request left the socket usable: the first one is still answered.
    assert await rep.recv() == b"first"
    await rep.send(b"answer")
    assert await req.recv() == b"answer"


@scenario
async def test_rep_order_is_efsm(env: Env) -> None:
    """RFC 28 REP: SHALL receive and then send exactly one message at a time (EFSM)."""
    req, rep = await req_rep(env)
    with pytest.raises(zmq.ZMQError) as send_first:
        await rep.send(b"unasked")
    assert send_first.value.errno == zmq.EFSM
    await req.send(b"q")
    assert await rep.recv() == b"q"
    with pytest.raises(zmq.ZMQError) as recv_twice:
        await rep.recv()
    assert recv_twice.value.errno == zmq.EFSM
    await rep.send(b"a")
    assert await req.recv() == b"a"


@scenario
async def test_req_round_robins_over_reps(env: Env) -> None:
    """RFC 28 REQ: SHALL route outgoing messages to connected peers using a round-robin strategy."""
    reps = [env.socket(zmq.REP) for _ in range(PEERS)]
    req = env.socket(zmq.REQ)
    # The REQ connects, so each peer's queue exists at connect() in this order.
    for rep in reps:
        req.connect(env.bind(rep))
    for _ in range(2):
        for i, rep in enumerate(reps):
            await req.send(b"to %d" % i)
            assert await rep.recv() == b"to %d" % i
            await rep.send(b"from %d" % i)
            assert await req.recv() == b"from %d" % i


@scenario
async def test_rep_fair_queues_and_replies_to_origin(env: Env) -> None:
    """RFC 28 REP: SHALL receive incoming messages from its peers using a fair-queuing strategy."""
    rep = env.socket(zmq.REP)
    address = env.bind(rep)
    reqs = [env.socket(zmq.REQ) for _ in range(PEERS)]
    for i, req in enumerate(reqs):
        req.connect(address)
        await req.send(b"%d" % i)
    await async_wait_for(lambda: queued_in(rep) >= PEERS)
    seen = []
    for _ in reqs:
        request = await rep.recv()
        seen.append(request)
        await rep.send(b"re " + request)
    assert sorted(seen) == [b"%d" % i for i in range(PEERS)]
    # SHALL deliver this message back to the originating peer.
    for i, req in enumerate(reqs):
        assert await req.recv() == b"re %d" % i


@scenario
async def test_req_listens_only_to_current_peer(env: Env) -> None:
    """RFC 28 REQ: SHALL accept a message only from the last peer that it sent a request to."""
    routers = [env.socket(zmq.ROUTER, router_mandatory=1) for _ in range(2)]
    req = env.socket(zmq.REQ, routing_id=b"A")
    for router in routers:
        req.connect(env.bind(router))
    await req.send(b"ABC")
    assert await routers[0].recv_multipart() == [b"A", b"", b"ABC"]

    async def stray_sent() -> bool:
        try:
            await routers[1].send_multipart([b"A", b"", b"WRONG"])
        except zmq.ZMQError as exc:
            assert exc.errno == zmq.EHOSTUNREACH
            return False
        return True

    await eventually(stray_sent)  # until router 1 knows the REQ
    await routers[0].send_multipart([b"A", b"", b"GOOD"])
    assert await req.recv() == b"GOOD"
    assert await req.poll(100) == 0


@pytest.mark.parametrize("socket_type", [zmq.REQ, zmq.DEALER])
@scenario
async def test_block_on_send_with_no_peers(env: Env, socket_type: int) -> None:
    """RFC 28 REQ/DEALER: SHALL block on sending, or return an error, when it has no peers."""
    sock = env.socket(socket_type, sndtimeo=50)
    env.bind(sock)
    with pytest.raises(zmq.Again):
        await sock.send(b"", zmq.NOBLOCK)
    with pytest.raises(zmq.Again):
        await sock.send(b"")


@scenario
async def test_req_to_router_envelope(env: Env) -> None:
    """RFC 28 REQ: SHALL prefix the outgoing message with an empty delimiter frame."""
    router = env.socket(zmq.ROUTER)
    req = env.socket(zmq.REQ)
    req.connect(env.bind(router))
    await req.send_multipart([b"ABC", b"DEF"])
    routing_id, delimiter, *body = await router.recv_multipart()
    assert (delimiter, body) == (b"", [b"ABC", b"DEF"])
    await router.send_multipart([routing_id, b"", b"GHI"])
    assert await req.recv_multipart() == [b"GHI"]


@scenario
async def test_dealer_to_rep_needs_delimiter(env: Env) -> None:
    """RFC 28 REP: SHALL remove and store the address envelope, including the delimiter."""
    rep = env.socket(zmq.REP)
    dealer = env.socket(zmq.DEALER)
    dealer.connect(env.bind(rep))
    # No delimiter: libzmq's REP discards the malformed request and reads on.
    await dealer.send_multipart([b"no delimiter"])
    await dealer.send_multipart([b"X", b"Y", b"", b"body"])
    assert await rep.recv_multipart() == [b"body"]
    await rep.send(b"reply")
    # SHALL prepend the address envelope and delimiter.
    assert await dealer.recv_multipart() == [b"X", b"Y", b"", b"reply"]


@scenario
async def test_router_uses_peer_routing_id(env: Env) -> None:
    """RFC 28 ROUTER: SHOULD allow the peer to specify its identity (Identity property)."""
    router = env.socket(zmq.ROUTER)
    dealer = env.socket(zmq.DEALER, routing_id=b"alice")
    dealer.connect(env.bind(router))
    await dealer.send(b"hello")
    assert await router.recv_multipart() == [b"alice", b"hello"]
    await router.send_multipart([b"alice", b"hi alice"])
    assert await dealer.recv() == b"hi alice"


@scenario
async def test_router_generates_routing_ids(env: Env) -> None:
    """libzmq ROUTER: a peer without an identity gets a generated one, 5 bytes starting with 0."""
    router = env.socket(zmq.ROUTER)
    address = env.bind(router)
    dealers = [env.socket(zmq.DEALER) for _ in range(2)]
    ids = {}
    for i, dealer in enumerate(dealers):
        dealer.connect(address)
        await dealer.send(b"%d" % i)
        routing_id, body = await router.recv_multipart()
        ids[body] = routing_id
    assert len(set(ids.values())) == 2
    for routing_id in ids.values():
        assert len(routing_id) == 5 and routing_id[0] == 0
    for i, dealer in enumerate(dealers):
        await router.send_multipart([ids[b"%d" % i], b"back %d" % i])
        assert await dealer.recv() == b"back %d" % i


@scenario
async def test_router_drops_unroutable(env: Env) -> None:
    """RFC 28 ROUTER: SHALL silently drop the message if the queue does not exist."""
    router = env.socket(zmq.ROUTER)
    dealer = env.socket(zmq.DEALER, routing_id=b"D")
    dealer.connect(env.bind(router))
    await dealer.send(b"ping")
    assert await router.recv_multipart() == [b"D", b"ping"]
    await router.send_multipart([b"nobody", b"lost"])
    await router.send_multipart([b"D", b"found"])
    assert await dealer.recv() == b"found"


@scenario
async def test_router_mandatory_raises_ehostunreach(env: Env) -> None:
    """RFC 28 ROUTER: SHALL return an error, with ROUTER_MANDATORY, if the queue does not exist."""
    router = env.socket(zmq.ROUTER, router_mandatory=1)
    assert router.getsockopt(zmq.ROUTER_MANDATORY) == 1
    dealer = env.socket(zmq.DEALER, routing_id=b"D")
    dealer.connect(env.bind(router))
    with pytest.raises(zmq.ZMQError) as unroutable:
        await router.send_multipart([b"nobody", b"lost"])
    assert unroutable.value.errno == zmq.EHOSTUNREACH
    await dealer.send(b"ping")
    assert await router.recv_multipart() == [b"D", b"ping"]
    await router.send_multipart([b"D", b"found"])
    assert await dealer.recv() == b"found"


@scenario
async def test_multipart_arrives_whole_with_rcvmore(env: Env) -> None:
    """libzmq: a multipart message arrives whole; RCVMORE is set on all frames but the last."""
    router = env.socket(zmq.ROUTER)
    dealer = env.socket(zmq.DEALER, routing_id=b"D")
    dealer.connect(env.bind(router))
    await dealer.send(b"a", zmq.SNDMORE)
    await dealer.send(b"", zmq.SNDMORE)
    await dealer.send(b"c")
    frames = []
    for _ in range(4):
        frames.append((await router.recv(), router.rcvmore))
        assert router.getsockopt(zmq.RCVMORE) == frames[-1][1]
    assert frames == [(b"D", 1), (b"a", 1), (b"", 1), (b"c", 0)]
    await router.send_multipart([b"D", b"x", b"y"])
    parts = await dealer.recv_multipart(copy=False)
    assert [(p.bytes, p.more) for p in parts] == [(b"x", True), (b"y", False)]


@scenario
async def test_dealer_round_robin_and_fair_queue(env: Env) -> None:
    """RFC 28 DEALER: SHALL route outgoing messages to available peers using a round-robin."""
    routers = [env.socket(zmq.ROUTER) for _ in range(PEERS)]
    dealer = env.socket(zmq.DEALER, routing_id=b"D")
    for router in routers:
        dealer.connect(env.bind(router))
    for i in range(2 * PEERS):
        await dealer.send(b"%d" % i)
    for i, router in enumerate(routers):
        got = [await router.recv_multipart() for _ in range(2)]
        assert got == [[b"D", b"%d" % i], [b"D", b"%d" % (i + PEERS)]]
    # SHALL receive incoming messages from its peers using a fair-queuing strategy.
    for i, router in enumerate(routers):
        for j in range(2):
            await router.send_multipart([b"D", b"%d-%d" % (i, j)])
    await async_wait_for(lambda: queued_in(dealer) >= 2 * PEERS)
    got = await recv_all(dealer, 2 * PEERS)
    assert sorted(got[:PEERS]) == [b"%d-0" % i for i in range(PEERS)]
    assert sorted(got[PEERS:]) == [b"%d-1" % i for i in range(PEERS)]
