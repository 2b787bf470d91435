"""RFC 29 (PUBSUB) on core sockets joined to fake peers: PUB, XPUB, SUB, XSUB.

Each docstring quotes the clause of https://rfc.zeromq.org/spec/29/ the test proves
(repository zeromq/rfc, content/docs/rfcs/29/README.md). Subscriptions travel as
messages whose first octet is 1 (subscribe) or 0 (unsubscribe), as the engine turns
SUBSCRIBE / CANCEL commands into them.
"""

from __future__ import annotations

import pytest

from purezmq.core.errors import ENOTSUP, CoreError, WouldBlock
from purezmq.core.socket_base import POLLIN, POLLOUT
from purezmq.core.sockets.pub import Pub
from purezmq.core.sockets.sub import Sub
from purezmq.core.sockets.xpub import XPub
from purezmq.core.sockets.xsub import XSub
from tests.core.fakes import join, wire

SUBSCRIBE, UNSUBSCRIBE, XPUB_VERBOSE = 6, 7, 40


def drain(sock: XPub | XSub) -> list[list[bytes]]:
    out = []
    while True:
        try:
            out.append(sock.recv())
        except WouldBlock:
            return out


# ================================================================== PUB


def test_pub_sends_only_to_matching_subscribers() -> None:
    """PUB: MAY ... send messages only to subscribers who have a matching subscription."""
    pub = Pub()
    weather, sports, everything = join(pub), join(pub), join(pub)
    weather.subscribe(b"weather")
    sports.subscribe(b"sports")
    everything.subscribe(b"")
    pub.send([b"weather.paris", b"sunny"])
    pub.send([b"sports.tennis", b"6-4"])
    pub.send([b"news", b"!"])
    assert weather.recv_all() == [[b"weather.paris", b"sunny"]]
    assert sports.recv_all() == [[b"sports.tennis", b"6-4"]]
    assert len(everything.recv_all()) == 3


def test_pub_binary_prefix_comparison() -> None:
    """PUB: SHALL perform a binary comparison of the subscription against the start of the frame"""
    pub = Pub()
    peer = join(pub)
    peer.subscribe(b"\x00\xff")
    pub.send([b"\x00\xfe"])
    pub.send([b"x", b"\x00\xff"])  # only the first frame counts
    pub.send([b"\x00\xff\x01"])
    assert peer.recv_all() == [[b"\x00\xff\x01"]]


def test_pub_without_subscription_sends_nothing() -> None:
    """PUB: MAY ... send messages only to subscribers who have a matching subscription."""
    pub = Pub()
    peer = join(pub)
    pub.send([b"anything"])
    assert peer.recv_all() == []


def test_pub_does_not_modify_messages() -> None:
    """PUB: SHALL not modify outgoing messages in any way."""
    pub = Pub()
    peer = join(pub)
    peer.subscribe(b"")
    msg = [b"\x01looks like a subscription", b"", b"\x00"]
    pub.send(msg)
    assert peer.recv_all() == [msg]


def test_pub_drops_at_hwm_without_raising() -> None:
    """PUB: SHALL silently drop the message if the queue for a subscriber is full."""
    pub = Pub()
    slow, fast = join(pub, out_hwm=2), join(pub)
    slow.subscribe(b"")
    fast.subscribe(b"")
    for i in range(5):
        pub.send([b"%d" % i])
    assert slow.recv_all() == [[b"0"], [b"1"]]
    assert len(fast.recv_all()) == 5
    assert pub.events() == POLLOUT


def test_pub_unsubscribe_stops_delivery() -> None:
    """PUB: SHALL receive subscribe and unsubscribe requests from subscribers."""
    pub = Pub()
    peer = join(pub)
    peer.subscribe(b"t")
    pub.send([b"t1"])
    peer.unsubscribe(b"t")
    pub.send([b"t2"])
    assert peer.recv_all() == [[b"t1"]]


def test_pub_does_not_deliver_subscriptions_or_messages() -> None:
    """PUB: SHALL silently discard any messages that subscribers send it."""
    pub = Pub()
    peer = join(pub)
    peer.subscribe(b"t")
    peer.send(b"hello")
    assert pub.events() == POLLOUT
    with pytest.raises(CoreError) as info:
        pub.recv()
    assert info.value.errno == ENOTSUP


def test_pub_forgets_departed_subscriber() -> None:
    """PUB: If this subscriber disconnects, the PUB socket SHALL destroy its queue."""
    pub = Pub()
    gone, stays = join(pub), join(pub)
    gone.subscribe(b"")
    stays.subscribe(b"")
    gone.leave()
    pub.send([b"after"])
    assert gone.recv_all() == []
    assert gone.dropped  # the PUB answered with its own delimiter
    assert stays.recv_all() == [[b"after"]]
    assert len(pub.pipes) == 1


# ================================================================== XPUB


def test_xpub_delivers_new_subscriptions() -> None:
    """XPUB: SHALL deliver these commands to its calling application."""
    xpub = XPub()
    a, b = join(xpub), join(xpub)
    a.subscribe(b"A")
    b.subscribe(b"B")
    assert sorted(drain(xpub)) == [[b"\x01A"], [b"\x01B"]]


def test_xpub_normalizes_duplicate_subscriptions() -> None:
    """XPUB: MAY ... normalize commands so that multiple identical subscriptions result in one."""
    xpub = XPub()
    a, b = join(xpub), join(xpub)
    a.subscribe(b"t")
    b.subscribe(b"t")
    assert drain(xpub) == [[b"\x01t"]]


def test_xpub_verbose_delivers_duplicates() -> None:
    """XPUB: MAY, depending on configuration, normalize commands (XPUB_VERBOSE turns it off)."""
    xpub = XPub()
    xpub.set_option(XPUB_VERBOSE, 1)
    a, b = join(xpub), join(xpub)
    a.subscribe(b"t")
    b.subscribe(b"t")
    a.subscribe(b"t")
    assert drain(xpub) == [[b"\x01t"]] * 3


def test_xpub_delivers_unsubscription_when_last_subscriber_leaves_topic() -> None:
    """XPUB: SHALL receive subscribe and unsubscribe requests ... SHALL deliver these commands."""
    xpub = XPub()
    a, b = join(xpub), join(xpub)
    a.subscribe(b"t")
    b.subscribe(b"t")
    drain(xpub)
    a.unsubscribe(b"t")
    assert drain(xpub) == []
    b.unsubscribe(b"t")
    assert drain(xpub) == [[b"\x00t"]]


def test_xpub_unsubscribes_departed_subscriber() -> None:
    """XPUB: SHALL, if the subscriber peer disconnects prematurely, generate ... unsubscribe"""
    xpub = XPub()
    gone, stays = join(xpub), join(xpub)
    gone.subscribe(b"mine")
    gone.subscribe(b"shared")
    stays.subscribe(b"shared")
    drain(xpub)
    gone.leave()
    assert drain(xpub) == [[b"\x00mine"]]
    xpub.send([b"mine"])
    xpub.send([b"shared"])
    assert stays.recv_all() == [[b"shared"]]


def test_xpub_sub_that_unsubscribes_fully_is_unsubscribed() -> None:
    """XPUB: SHALL receive subscribe and unsubscribe requests from subscribers."""
    xpub, sub = XPub(), Sub()
    wire(xpub, sub)
    sub.set_option(SUBSCRIBE, b"t")
    sub.set_option(SUBSCRIBE, b"t")
    sub.set_option(UNSUBSCRIBE, b"t")
    sub.set_option(UNSUBSCRIBE, b"t")
    assert drain(xpub) == [[b"\x01t"], [b"\x00t"]]
    xpub.send([b"t", b"for nobody"])
    assert xpub.pipes[0].queued_out() == 0


def test_xpub_sends_only_to_matching_and_drops_at_hwm() -> None:
    """XPUB: SHALL silently drop the message if the queue for a subscriber is full."""
    xpub = XPub()
    slow, other = join(xpub, out_hwm=1), join(xpub)
    slow.subscribe(b"a")
    other.subscribe(b"b")
    for i in range(3):
        xpub.send([b"a%d" % i])
    xpub.send([b"b"])
    assert slow.recv_all() == [[b"a0"]]
    assert other.recv_all() == [[b"b"]]


def test_xpub_delivers_other_messages_from_subscribers() -> None:
    """XPUB: SHALL deliver these messages to its calling application."""
    xpub = XPub()
    peer = join(xpub)
    peer.send(b"upstream", b"data")
    assert xpub.events() == POLLIN | POLLOUT
    assert xpub.recv() == [b"upstream", b"data"]
    assert xpub.events() == POLLOUT


def test_xpub_recv_frame_on_subscription() -> None:
    """XPUB: SHALL deliver these commands to its calling application (one frame, no RCVMORE)."""
    xpub = XPub()
    peer = join(xpub)
    peer.subscribe(b"topic")
    assert (xpub.recv_frame(), xpub.more) == (b"\x01topic", False)
    assert xpub.recv_frame() is None  # nothing more waits


# ================================================================== SUB


def test_sub_subscribe_sends_subscription() -> None:
    """SUB: MAY send subscribe and unsubscribe requests to publishers."""
    sub = Sub()
    peer = join(sub)
    sub.set_option(SUBSCRIBE, b"topic")
    sub.set_option(UNSUBSCRIBE, b"topic")
    assert peer.recv_all() == [[b"\x01topic"], [b"\x00topic"]]


def test_sub_filters_by_prefix() -> None:
    """SUB: MAY ... filter messages according to subscriptions, using a prefix match algorithm."""
    sub = Sub()
    peer = join(sub)
    sub.set_option(SUBSCRIBE, b"a")
    for topic in (b"b1", b"a1", b"", b"a2", b"ba"):
        peer.send(topic, b"body")
    assert drain(sub) == [[b"a1", b"body"], [b"a2", b"body"]]


def test_sub_without_subscription_receives_nothing() -> None:
    """SUB: MAY ... filter messages according to subscriptions (none: nothing passes)."""
    sub = Sub()
    peer = join(sub)
    peer.send(b"x")
    assert sub.events() == 0
    with pytest.raises(WouldBlock):
        sub.recv()


def test_sub_counted_unsubscribe() -> None:
    """SUB: MAY send subscribe and unsubscribe requests (the unsubscribe once the last is gone)."""
    sub = Sub()
    peer = join(sub)
    sub.set_option(SUBSCRIBE, b"t")
    sub.set_option(SUBSCRIBE, b"t")
    sub.set_option(UNSUBSCRIBE, b"t")
    assert [m for m in peer.recv_all() if m[0][:1] == b"\x00"] == []
    peer.send(b"t1")
    assert sub.recv() == [b"t1"]
    sub.set_option(UNSUBSCRIBE, b"t")
    assert peer.recv_all() == [[b"\x00t"]]
    peer.send(b"t2")
    with pytest.raises(WouldBlock):
        sub.recv()


def test_sub_unsubscribe_unknown_sends_nothing() -> None:
    """SUB: MAY send ... unsubscribe requests (not for a topic it never subscribed to)."""
    sub = Sub()
    peer = join(sub)
    sub.set_option(UNSUBSCRIBE, b"never")
    assert peer.recv_all() == []


def test_sub_resubscribes_new_publisher() -> None:
    """SUB: SHALL create a queue when initiating an outgoing connection to a publisher."""
    sub = Sub()
    sub.set_option(SUBSCRIBE, b"a")
    sub.set_option(SUBSCRIBE, b"b")
    peer = join(sub)
    assert sorted(peer.recv_all()) == [[b"\x01a"], [b"\x01b"]]


def test_sub_fair_queues() -> None:
    """SUB: SHALL receive incoming messages from its publishers using a fair-queuing strategy."""
    sub = Sub()
    sub.set_option(SUBSCRIBE, b"")
    a, b = join(sub), join(sub)
    for i in range(2):
        a.send(b"a%d" % i)
        b.send(b"b%d" % i)
    assert [m[0] for m in drain(sub)] == [b"a0", b"b0", b"a1", b"b1"]


def test_sub_cannot_send() -> None:
    """SUB: SHALL only receive messages."""
    sub = Sub()
    join(sub)
    for call in (lambda: sub.send([b"x"]), lambda: sub.send_frame(b"x", True)):
        with pytest.raises(CoreError) as info:
            call()
        assert info.value.errno == ENOTSUP
    assert sub.events() == 0


def test_sub_events_and_recv_frame() -> None:
    """SUB: SHALL deliver messages to its calling application (POLLIN, frame by frame)."""
    sub = Sub()
    peer = join(sub)
    sub.set_option(SUBSCRIBE, b"")
    peer.send(b"a", b"b")
    assert sub.events() == POLLIN
    assert (sub.recv_frame(), sub.more) == (b"a", True)
    assert sub.events() == POLLIN  # the rest of the message is still to read
    assert (sub.recv_frame(), sub.more) == (b"b", False)
    assert sub.events() == 0


# ================================================================== XSUB


def test_xsub_resends_subscriptions_to_new_publisher() -> None:
    """XSUB: SHALL send subscribe and unsubscribe requests to publishers (a new one too)."""
    xsub = XSub()
    xsub.send([b"\x01x"])
    xsub.send([b"\x01y"])
    xsub.send([b"\x01x"])
    peer = join(xsub)
    assert sorted(peer.recv_all()) == [[b"\x01x"], [b"\x01y"]]


def test_xsub_sends_subscriptions_to_all_publishers() -> None:
    """XSUB: SHALL accept subscription commands from its calling application."""
    xsub = XSub()
    a, b = join(xsub), join(xsub)
    xsub.send([b"\x01t"])
    xsub.send([b"\x00t"])
    assert a.recv_all() == b.recv_all() == [[b"\x01t"], [b"\x00t"]]


def test_xsub_filters_incoming_messages() -> None:
    """XSUB: MAY ... filter messages according to subscriptions, using a prefix match algorithm."""
    xsub = XSub()
    peer = join(xsub)
    xsub.send([b"\x01A"])
    peer.send(b"B-no")
    peer.send(b"A-yes", b"part")
    peer.send(b"AB-yes")
    assert drain(xsub) == [[b"A-yes", b"part"], [b"AB-yes"]]


def test_xsub_sends_other_messages_to_all_publishers() -> None:
    """XSUB: SHALL send all messages to all connected publishers."""
    xsub = XSub()
    a, b = join(xsub), join(xsub)
    xsub.send([b"hello", b"\x01"])
    assert a.recv_all() == b.recv_all() == [[b"hello", b"\x01"]]


def test_xsub_drops_data_for_full_publisher() -> None:
    """XSUB: SHALL silently drop the message if the outgoing queue for a publisher is full."""
    xsub = XSub()
    small, big = join(xsub, out_hwm=1), join(xsub)
    for i in range(3):
        xsub.send([b"data%d" % i])
    assert small.recv_all() == [[b"data0"]]
    assert len(big.recv_all()) == 3


def test_xsub_fair_queues_and_events() -> None:
    """XSUB: SHALL receive incoming messages from its publishers using a fair-queuing strategy."""
    xsub = XSub()
    xsub.send([b"\x01"])
    a, b = join(xsub), join(xsub)
    assert xsub.events() == POLLOUT
    a.send(b"a0")
    a.send(b"a1")
    b.send(b"b0")
    assert xsub.events() == POLLIN | POLLOUT
    assert [m[0] for m in drain(xsub)] == [b"a0", b"b0", b"a1"]
    assert xsub.events() == POLLOUT


def test_xsub_to_xpub_end_to_end() -> None:
    """XSUB/XPUB: subscriptions flow upstream and matching messages flow downstream."""
    xpub, xsub = XPub(), XSub()
    wire(xpub, xsub)
    xsub.send([b"\x01news"])
    assert xpub.recv() == [b"\x01news"]
    xpub.send([b"news", b"!"])
    xpub.send([b"sport"])
    assert drain(xsub) == [[b"news", b"!"]]
