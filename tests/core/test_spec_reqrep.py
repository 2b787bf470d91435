"""RFC 28 (REQREP) on core sockets joined to fake peers: REQ, REP, DEALER, ROUTER.

Each docstring quotes the clause of https://rfc.zeromq.org/spec/28/ the test proves
(repository zeromq/rfc, content/docs/rfcs/28/README.md).
"""

from __future__ import annotations

import pytest

from purezmq.core.errors import EAGAIN, EFSM, EHOSTUNREACH, CoreError, WouldBlock
from purezmq.core.socket_base import POLLIN, POLLOUT
from purezmq.core.sockets.dealer import Dealer
from purezmq.core.sockets.rep import Rep
from purezmq.core.sockets.req import Req
from purezmq.core.sockets.router import Router
from tests.core.fakes import Peer, join

ROUTER_MANDATORY = 33


def efsm(call: object) -> None:
    with pytest.raises(CoreError) as info:
        call()  # type: ignore[operator]
    assert info.value.errno == EFSM


# ================================================================== REQ


def test_req_prefixes_empty_delimiter() -> None:
    """REQ: SHALL prefix the outgoing message with an empty delimiter frame."""
    req = Req()
    peer = join(req)
    req.send([b"hello", b"world"])
    assert peer.recv_all() == [[b"", b"hello", b"world"]]


def test_req_strips_delimiter_from_reply() -> None:
    """REQ: the reply format is "A delimiter, consisting of an empty frame" then the data frames."""
    req = Req()
    peer = join(req)
    req.send([b"q"])
    peer.send(b"", b"a", b"b")
    assert req.recv() == [b"a", b"b"]


def test_req_round_robin() -> None:
    """REQ: SHALL route outgoing messages to connected peers using a round-robin strategy."""
    req = Req()
    peers = [join(req) for _ in range(3)]
    order = []
    for i in range(6):
        req.send([b"%d" % i])
        (who,) = [n for n, p in enumerate(peers) if p.pipe.check_read()]
        order.append(who)
        assert peers[who].recv() == [b"", b"%d" % i]
        peers[who].send(b"", b"ok")
        assert req.recv() == [b"ok"]
    assert order == [0, 1, 2, 0, 1, 2]


def test_req_without_peers_raises_wouldblock() -> None:
    """REQ: SHALL block on sending, or return a suitable error, when it has no connected peers."""
    req = Req()
    with pytest.raises(WouldBlock):
        req.send([b"q"])
    assert req.events() == 0


def test_req_does_not_discard_unsendable_request() -> None:
    """REQ: SHALL NOT discard messages that it cannot send to a connected peer."""
    req = Req()
    peer = join(req, out_hwm=1)
    peer.pipe.peer.write([b"", b"stale"])  # fill the queue to the peer
    with pytest.raises(WouldBlock):
        req.send([b"q"])
    assert peer.recv() == [b"", b"stale"]  # room again: write_activated
    req.send([b"q"])  # still allowed: the failed send did not start a request
    assert peer.recv_all() == [[b"", b"q"]]


def test_req_accepts_reply_only_from_last_peer() -> None:
    """REQ: SHALL accept an incoming message only from the last peer that it sent a request to."""
    req = Req()
    asked, other = join(req), join(req)
    req.send([b"q"])
    assert asked.recv() == [b"", b"q"]
    other.send(b"", b"not yours")
    asked.send(b"", b"reply")
    assert req.recv() == [b"reply"]


def test_req_discards_messages_from_other_peers() -> None:
    """REQ: SHALL discard silently any messages received from other peers."""
    req = Req()
    asked, other = join(req), join(req)
    req.send([b"q"])
    other.send(b"", b"x")
    other.send(b"", b"y")
    with pytest.raises(WouldBlock):
        req.recv()
    assert other.pipe.queued_out() == 0  # read and thrown away
    asked.send(b"", b"reply")
    assert req.recv() == [b"reply"]


@pytest.mark.parametrize("bad", [[b"no delimiter"], [b"x", b"y"], [b""]])
def test_req_discards_reply_without_delimiter(bad: list[bytes]) -> None:
    """REQ: reply format "A delimiter, consisting of an empty frame" + data; others are dropped."""
    req = Req()
    peer = join(req)
    req.send([b"q"])
    peer.send(*bad)
    peer.send(b"", b"good")
    assert req.recv() == [b"good"]


def test_req_recv_before_send_is_efsm() -> None:
    """REQ: SHALL send and then receive exactly one message at a time (recv first: EFSM)."""
    req = Req()
    join(req)
    efsm(req.recv)
    efsm(req.recv_frame)


def test_req_second_send_is_efsm() -> None:
    """REQ: SHALL send and then receive exactly one message at a time (send twice: EFSM)."""
    req = Req()
    join(req)
    req.send([b"q"])
    efsm(lambda: req.send([b"again"]))
    efsm(lambda: req.send_frame(b"again", True))


def test_req_events_follow_the_lock_step() -> None:
    """REQ: SHALL send and then receive exactly one message at a time (events show whose turn)."""
    req = Req()
    peer = join(req)
    assert req.events() == POLLOUT
    req.send([b"q"])
    assert req.events() == 0
    peer.recv()
    peer.send(b"", b"r")
    assert req.events() == POLLIN
    req.recv()
    assert req.events() == POLLOUT


def test_req_multipart_with_send_frame_and_recv_frame() -> None:
    """REQ: "One or more data frames, comprising the message visible to the application"."""
    req = Req()
    peer = join(req)
    req.send_frame(b"a", True)
    req.send_frame(b"b", True)
    req.send_frame(b"c", False)
    assert peer.recv_all() == [[b"", b"a", b"b", b"c"]]
    peer.send(b"", b"x", b"y")
    assert (req.recv_frame(), req.more) == (b"x", True)
    assert req.rcvmore and req.get_option(13) == 1
    assert (req.recv_frame(), req.more) == (b"y", False)
    assert not req.rcvmore and req.get_option(13) == 0


# ================================================================== REP


def test_rep_strips_and_restores_envelope() -> None:
    """REP: SHALL remove and store the address envelope, including the delimiter."""
    rep = Rep()
    peer = join(rep)
    peer.send(b"hop1", b"hop2", b"", b"body", b"more")
    assert rep.recv() == [b"body", b"more"]
    rep.send([b"reply"])
    assert peer.recv_all() == [[b"hop1", b"hop2", b"", b"reply"]]


def test_rep_empty_envelope() -> None:
    """REP: "An address envelope consisting of zero or more frames" (REQ sends none)."""
    rep = Rep()
    peer = join(rep)
    peer.send(b"", b"q")
    assert rep.recv() == [b"q"]
    rep.send([b"r"])
    assert peer.recv_all() == [[b"", b"r"]]


@pytest.mark.parametrize("bad", [[b"no delimiter"], [b"hop", b"body"], [b"hop", b""]])
def test_rep_discards_malformed_request(bad: list[bytes]) -> None:
    """REP: requests SHALL have "A delimiter, consisting of an empty frame"; others are dropped."""
    rep = Rep()
    peer = join(rep)
    peer.send(*bad)
    with pytest.raises(WouldBlock):
        rep.recv()
    peer.send(b"", b"good")
    assert rep.recv() == [b"good"]


def test_rep_fair_queues() -> None:
    """REP: SHALL receive incoming messages from its peers using a fair-queuing strategy."""
    rep = Rep()
    a, b = join(rep), join(rep)
    for i in range(2):
        a.send(b"", b"a%d" % i)
        b.send(b"", b"b%d" % i)
    got = []
    for _ in range(4):
        got.append(rep.recv()[0])
        rep.send([b"ok"])
    assert got == [b"a0", b"b0", b"a1", b"b1"]


def test_rep_replies_to_originating_peer() -> None:
    """REP: SHALL deliver this message back to the originating peer."""
    rep = Rep()
    peers = [join(rep) for _ in range(3)]
    peers[1].send(b"", b"from 1")
    assert rep.recv() == [b"from 1"]
    rep.send([b"to 1"])
    assert [p.recv_all() for p in peers] == [[], [[b"", b"to 1"]], []]


def test_rep_discards_reply_to_departed_peer() -> None:
    """REP: SHALL silently discard the reply ... if the originating peer is no longer connected."""
    rep = Rep()
    gone, stays = join(rep), join(rep)
    gone.send(b"", b"q1")
    gone.leave()
    assert rep.recv() == [b"q1"]
    rep.send([b"r1"])  # does not raise
    stays.send(b"", b"q2")
    assert rep.recv() == [b"q2"]
    rep.send([b"r2"])
    assert stays.recv_all() == [[b"", b"r2"]]


def test_rep_with_router_mandatory_replies_with_the_whole_envelope() -> None:
    """REP under ROUTER_MANDATORY (a ROUTER option libzmq's REP takes too): the reply
    still carries every envelope frame, and goes to the originating peer."""
    rep = Rep()
    rep.set_option(ROUTER_MANDATORY, 1)
    peers = [join(rep) for _ in range(2)]
    peers[1].send(b"hop", b"", b"q")
    assert rep.recv() == [b"q"]
    rep.send([b"r"])
    assert [p.recv_all() for p in peers] == [[], [[b"hop", b"", b"r"]]]


def test_rep_with_router_mandatory_refuses_a_reply_to_a_departed_peer() -> None:
    """REP under ROUTER_MANDATORY: EHOSTUNREACH instead of a silent drop, and the reply
    may still be sent (libzmq's REP keeps its state when the ROUTER refuses)."""
    rep = Rep()
    rep.set_option(ROUTER_MANDATORY, 1)
    gone = join(rep)
    gone.send(b"", b"q")
    gone.leave()
    assert rep.recv() == [b"q"]
    with pytest.raises(CoreError) as info:
        rep.send([b"r"])
    assert info.value.errno == EHOSTUNREACH
    efsm(rep.recv)  # still owes the reply


def test_rep_send_before_recv_is_efsm() -> None:
    """REP: SHALL receive and then send exactly one message at a time (send first: EFSM)."""
    rep = Rep()
    join(rep)
    efsm(lambda: rep.send([b"r"]))
    efsm(lambda: rep.send_frame(b"r", False))


def test_rep_second_recv_is_efsm() -> None:
    """REP: SHALL receive and then send exactly one message at a time (recv twice: EFSM)."""
    rep = Rep()
    peer = join(rep)
    peer.send(b"", b"q1")
    peer.send(b"", b"q2")
    rep.recv()
    efsm(rep.recv)


def test_rep_events() -> None:
    """REP: SHALL receive and then send exactly one message at a time (events show whose turn)."""
    rep = Rep()
    peer = join(rep)
    assert rep.events() == 0
    peer.send(b"", b"q")
    assert rep.events() == POLLIN
    rep.recv()
    assert rep.events() == POLLOUT
    rep.send([b"r"])
    assert rep.events() == 0


def test_rep_does_not_block_on_send() -> None:
    """REP: SHALL not block on sending (a full peer loses the reply)."""
    rep = Rep()
    peer = join(rep, out_hwm=1)
    peer.pipe.peer.write([b"", b"filler"])
    peer.send(b"", b"q")
    rep.recv()
    rep.send([b"r"])
    assert peer.recv_all() == [[b"", b"filler"]]


# ================================================================== DEALER


def test_dealer_round_robin() -> None:
    """DEALER: SHALL route outgoing messages to available peers using a round-robin strategy."""
    dealer = Dealer()
    peers = [join(dealer) for _ in range(3)]
    for i in range(6):
        dealer.send([b"%d" % i])
    assert [p.recv_all() for p in peers] == [[[b"0"], [b"3"]], [[b"1"], [b"4"]], [[b"2"], [b"5"]]]


def test_dealer_does_not_modify_messages() -> None:
    """DEALER: SHALL not filter or modify outgoing or incoming messages in any way."""
    dealer = Dealer()
    peer = join(dealer)
    dealer.send([b"", b"x", b""])
    peer.send(b"", b"\x00", b"")
    assert peer.recv_all() == [[b"", b"x", b""]]
    assert dealer.recv() == [b"", b"\x00", b""]


def test_dealer_skips_full_peers() -> None:
    """DEALER: SHALL consider a peer as available only when it has a outgoing queue not full"""
    dealer = Dealer()
    small, big = join(dealer, out_hwm=1), join(dealer)
    for i in range(5):
        dealer.send([b"%d" % i])
    assert len(small.recv_all()) == 1
    assert len(big.recv_all()) == 4


def test_dealer_all_full_raises_wouldblock() -> None:
    """DEALER: SHALL block on sending, or return a suitable error, when no peer is available"""
    dealer = Dealer()
    peers = [join(dealer, out_hwm=2) for _ in range(2)]
    for i in range(4):
        dealer.send([b"%d" % i])
    assert dealer.events() & POLLOUT == 0
    with pytest.raises(WouldBlock) as info:
        dealer.send([b"x"])
    assert info.value.errno == EAGAIN
    assert [p.pipe.queued_in() for p in peers] == [2, 2]


def test_dealer_no_peers_raises_wouldblock() -> None:
    """DEALER: SHALL not accept further messages when it has no available peers."""
    dealer = Dealer()
    with pytest.raises(WouldBlock):
        dealer.send([b"x"])


def test_dealer_refuses_first_frame_when_no_peer_is_available() -> None:
    """DEALER: SHALL not accept further messages when it has no available peers (frame by frame)."""
    dealer = Dealer()
    with pytest.raises(WouldBlock):
        dealer.send_frame(b"first", True)


def test_dealer_refused_message_leaves_nothing_behind() -> None:
    """DEALER: SHALL not accept further messages when it has no available peers (none of it)."""
    dealer = Dealer()
    for frame, more in ((b"lost-1", True), (b"lost-2", False)):
        try:
            dealer.send_frame(frame, more)
        except WouldBlock:
            break
    else:
        pytest.fail("a message was accepted with no peer at all")
    peer = join(dealer)
    dealer.send([b"next"])
    assert peer.recv_all() == [[b"next"]]


def test_dealer_resumes_when_a_peer_drains() -> None:
    """DEALER: SHALL NOT discard messages that it cannot queue (it waits for room instead)."""
    dealer = Dealer()
    peer = join(dealer, out_hwm=2)
    dealer.send([b"1"])
    dealer.send([b"2"])
    with pytest.raises(WouldBlock):
        dealer.send([b"3"])
    assert peer.recv() == [b"1"]  # down to the LWM: the dealer is told
    dealer.send([b"3"])
    assert peer.recv_all() == [[b"2"], [b"3"]]


def test_dealer_queues_before_the_peer_reads() -> None:
    """DEALER: SHALL maintain the double queue whether or not the connection is established."""
    dealer = Dealer()
    peer = join(dealer, out_hwm=5)
    for i in range(5):
        dealer.send([b"%d" % i])
    assert peer.recv_all() == [[b"%d" % i] for i in range(5)]


def test_dealer_fair_queues() -> None:
    """DEALER: SHALL receive incoming messages from its peers using a fair-queuing strategy."""
    dealer = Dealer()
    a, b = join(dealer), join(dealer)
    for i in range(3):
        a.send(b"a%d" % i)
    b.send(b"b0")
    assert [dealer.recv()[0] for _ in range(4)] == [b"a0", b"b0", b"a1", b"a2"]


def test_dealer_drops_departed_peer() -> None:
    """DEALER: If this peer disconnects, the DEALER socket SHALL destroy its double queue."""
    dealer = Dealer()
    gone, stays = join(dealer), join(dealer)
    gone.send(b"last words")
    gone.leave()
    assert dealer.recv() == [b"last words"]
    with pytest.raises(WouldBlock):
        dealer.recv()
    for i in range(4):
        dealer.send([b"%d" % i])
    assert len(stays.recv_all()) == 4
    assert len(dealer.pipes) == 1


def test_dealer_events() -> None:
    """DEALER: MAY both send and receive messages (POLLIN and POLLOUT are independent)."""
    dealer = Dealer()
    assert dealer.events() == 0
    peer = join(dealer, out_hwm=1)
    assert dealer.events() == POLLOUT
    peer.send(b"x")
    assert dealer.events() == POLLIN | POLLOUT
    dealer.send([b"y"])
    assert dealer.events() == POLLIN
    dealer.recv()
    assert dealer.events() == 0


def test_dealer_recv_frame() -> None:
    """DEALER: SHALL deliver these to its calling application (frame by frame with RCVMORE)."""
    dealer = Dealer()
    peer = join(dealer)
    peer.send(b"1", b"2", b"3")
    peer.send(b"single")
    assert (dealer.recv_frame(), dealer.more) == (b"1", True)
    assert dealer.recv() == [b"2", b"3"]  # the rest of a partly read message
    assert (dealer.recv_frame(), dealer.more) == (b"single", False)
    assert not dealer.rcvmore


# ================================================================== ROUTER


def test_router_prefixes_routing_id_from_identity() -> None:
    """ROUTER: SHOULD allow the peer to specify its identity explicitly (Identity)"""
    router = Router()
    peer = join(router, identity=b"alice")
    peer.send(b"hi", b"there")
    assert router.recv() == [b"alice", b"hi", b"there"]


def test_router_generates_unique_ids() -> None:
    """ROUTER: SHALL identify each double queue using a unique "identity" binary string."""
    router = Router()
    peers = [join(router) for _ in range(5)]
    for peer in peers:
        peer.send(b"x")
    ids = [router.recv()[0] for _ in peers]
    assert len(set(ids)) == 5
    assert all(len(i) == 5 and i[0] == 0 for i in ids)


def test_router_routes_by_first_frame() -> None:
    """ROUTER: SHALL remove the first frame ... and use this as the identity of a queue"""
    router = Router()
    a, b = join(router, identity=b"A"), join(router, identity=b"B")
    router.send([b"B", b"for", b"b"])
    router.send([b"A", b"for a"])
    assert a.recv_all() == [[b"for a"]]
    assert b.recv_all() == [[b"for", b"b"]]


def test_router_routes_to_generated_id() -> None:
    """ROUTER: SHALL route the message to the outgoing queue if that queue exists, and has space."""
    router = Router()
    peer = join(router)
    peer.send(b"q")
    rid, _ = router.recv()
    router.send([rid, b"r"])
    assert peer.recv_all() == [[b"r"]]


def test_router_ignores_duplicate_identity() -> None:
    """ROUTER: SHALL identify each double queue using a unique "identity" binary string."""
    router = Router()
    first = join(router, identity=b"dup")
    second = join(router, identity=b"dup")
    second.send(b"from second")
    first.send(b"from first")
    assert router.recv() == [b"dup", b"from first"]
    with pytest.raises(WouldBlock):
        router.recv()
    router.send([b"dup", b"reply"])
    assert first.recv_all() == [[b"reply"]]
    assert second.recv_all() == []


def test_router_identity_reusable_after_departure() -> None:
    """ROUTER: If this peer disconnects, the ROUTER socket SHALL destroy its double queue."""
    router = Router()
    old = join(router, identity=b"id")
    old.leave()
    with pytest.raises(WouldBlock):
        router.recv()  # reads the delimiter
    router.events()
    new = join(router, identity=b"id")
    new.send(b"hello")
    assert router.recv() == [b"id", b"hello"]
    router.send([b"id", b"back"])
    assert new.recv_all() == [[b"back"]]


def test_router_drops_unroutable_silently() -> None:
    """ROUTER: SHALL either silently drop the message ... if the queue does not exist."""
    router = Router()
    peer = join(router, identity=b"A")
    router.send([b"nobody", b"x"])
    router.send_frame(b"nobody", True)
    router.send_frame(b"y", False)
    assert peer.recv_all() == []


def test_router_mandatory_unroutable_is_ehostunreach() -> None:
    """ROUTER: ... or return an error, depending on configuration, if the queue does not exist."""
    router = Router()
    join(router, identity=b"A")
    router.set_option(ROUTER_MANDATORY, 1)
    assert router.get_option(ROUTER_MANDATORY) == 1
    with pytest.raises(CoreError) as info:
        router.send([b"nobody", b"x"])
    assert info.value.errno == EHOSTUNREACH


def test_router_mandatory_unroutable_multipart_leaves_nothing_behind() -> None:
    """ROUTER: SHALL either silently drop the message, or return an error (and nothing else)."""
    router = Router()
    peer = join(router, identity=b"A")
    router.set_option(ROUTER_MANDATORY, 1)
    with pytest.raises(CoreError) as info:
        router.send_frame(b"nobody", True)
        router.send_frame(b"x", False)
    assert info.value.errno == EHOSTUNREACH
    router.send([b"A", b"next"])
    assert peer.recv_all() == [[b"next"]]


def test_router_drops_when_queue_full() -> None:
    """ROUTER: SHALL either silently drop the message, or return an error ... if full"""
    router = Router()
    peer = join(router, identity=b"A", out_hwm=2)
    for i in range(5):
        router.send([b"A", b"%d" % i])
    assert peer.recv_all() == [[b"0"], [b"1"]]


def test_router_mandatory_full_queue_is_eagain() -> None:
    """ROUTER: ... or return an error, depending on configuration, if the queue ... is full."""
    router = Router()
    peer = join(router, identity=b"A", out_hwm=1)
    router.set_option(ROUTER_MANDATORY, 1)
    router.send([b"A", b"1"])
    with pytest.raises(WouldBlock):
        router.send([b"A", b"2"])
    assert peer.recv_all() == [[b"1"]]
    router.send([b"A", b"3"])
    assert peer.recv_all() == [[b"3"]]


def test_router_mandatory_departed_peer_is_ehostunreach() -> None:
    """ROUTER: If this peer disconnects, the ROUTER socket SHALL destroy its double queue."""
    router = Router()
    peer = join(router, identity=b"A")
    router.set_option(ROUTER_MANDATORY, 1)
    peer.send(b"bye")
    peer.leave()
    assert router.recv() == [b"A", b"bye"]
    with pytest.raises(WouldBlock):
        router.recv()
    with pytest.raises(CoreError) as info:
        router.send([b"A", b"too late"])
    assert info.value.errno == EHOSTUNREACH


def test_router_mandatory_peer_gone_before_its_end_is_read_is_ehostunreach() -> None:
    """ROUTER_MANDATORY: a peer that left is unreachable (EHOSTUNREACH), not full
    (EAGAIN), even before the ROUTER has read the end of its pipe (as libzmq)."""
    router = Router()
    peer = join(router, identity=b"A")
    router.set_option(ROUTER_MANDATORY, 1)
    peer.leave()
    with pytest.raises(CoreError) as info:
        router.send([b"A", b"too late"])
    assert info.value.errno == EHOSTUNREACH


def test_router_fair_queues() -> None:
    """ROUTER: SHALL receive incoming messages from its peers using a fair-queuing strategy."""
    router = Router()
    a, b = join(router, identity=b"a"), join(router, identity=b"b")
    for i in range(3):
        a.send(b"%d" % i)
        b.send(b"%d" % i)
    got = [router.recv()[0] for _ in range(6)]
    assert got == [b"a", b"b"] * 3


def test_router_events() -> None:
    """ROUTER: SHALL NOT block on sending (always POLLOUT unless ROUTER_MANDATORY)."""
    router = Router()
    assert router.events() == POLLOUT
    peer = join(router, identity=b"A", out_hwm=1)
    peer.send(b"x")
    assert router.events() == POLLIN | POLLOUT
    router.set_option(ROUTER_MANDATORY, 1)
    router.send([b"A", b"fill"])
    assert router.events() == POLLIN


def test_router_to_dealer_envelope_round_trip() -> None:
    """ROUTER: SHALL prefix each incoming message with ... the identity (a REP's envelope)."""
    router, rep = Router(), Rep()
    to_rep: Peer = join(rep)
    client = join(router, identity=b"client")
    client.send(b"", b"question")
    request = router.recv()
    assert request == [b"client", b"", b"question"]
    to_rep.send(*request)
    assert rep.recv() == [b"question"]
    rep.send([b"answer"])
    reply = to_rep.recv()
    assert reply == [b"client", b"", b"answer"]
    router.send(reply)
    assert client.recv_all() == [[b"", b"answer"]]
