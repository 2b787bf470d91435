"""RFC 31 (EXPAIR) on a core PAIR socket joined to fake peers.

Each docstring quotes the clause of https://rfc.zeromq.org/spec/31/ the test proves
(repository zeromq/rfc, content/docs/rfcs/31/README.md).
"""

from __future__ import annotations

import pytest

from purezmq.core.errors import EAGAIN, WouldBlock
from purezmq.core.socket_base import POLLIN, POLLOUT
from purezmq.core.sockets.pair import Pair
from tests.core.fakes import join, wire


def test_pair_sends_and_receives() -> None:
    """PAIR: MAY both send and receive messages."""
    pair = Pair()
    peer = join(pair)
    pair.send([b"out", b"2"])
    peer.send(b"in")
    assert peer.recv_all() == [[b"out", b"2"]]
    assert pair.recv() == [b"in"]


def test_pair_refuses_a_second_peer() -> None:
    """PAIR: MAY be connected to at most one PAIR peers."""
    pair = Pair()
    first = join(pair)
    second = join(pair)
    assert second.dropped  # the PAIR sent its delimiter straight away
    assert len(pair.pipes) == 1
    pair.send([b"x"])
    assert first.recv_all() == [[b"x"]]
    assert second.recv_all() == []


def test_pair_ignores_messages_from_a_refused_peer() -> None:
    """PAIR: SHALL receive incoming messages from its single peer if it has one."""
    pair = Pair()
    first = join(pair)
    second = join(pair)
    second.pipe.write([b"intruder"])  # sent before it read the PAIR's delimiter
    first.send(b"friend")
    assert pair.recv() == [b"friend"]
    with pytest.raises(WouldBlock):
        pair.recv()


def test_pair_does_not_modify_messages() -> None:
    """PAIR: SHALL not filter or modify outgoing or incoming messages in any way."""
    pair = Pair()
    peer = join(pair)
    msg = [b"", b"\x00", b"\x01sub"]
    pair.send(msg)
    peer.send(*msg)
    assert peer.recv_all() == [msg]
    assert pair.recv() == msg


def test_pair_without_peer_raises_wouldblock() -> None:
    """PAIR: SHALL block on sending, or return a suitable error, when it has no available peer."""
    pair = Pair()
    assert pair.events() == 0
    with pytest.raises(WouldBlock) as info:
        pair.send([b"x"])
    assert info.value.errno == EAGAIN
    with pytest.raises(WouldBlock):
        pair.recv()


def test_pair_full_peer_raises_wouldblock_and_keeps_messages() -> None:
    """PAIR: SHALL NOT discard messages that it cannot queue."""
    pair = Pair()
    peer = join(pair, out_hwm=2)
    pair.send([b"1"])
    pair.send([b"2"])
    assert pair.events() == 0
    with pytest.raises(WouldBlock):
        pair.send([b"3"])
    assert peer.recv() == [b"1"]
    assert pair.events() == POLLOUT
    pair.send([b"3"])
    assert peer.recv_all() == [[b"2"], [b"3"]]


def test_pair_queues_before_the_peer_reads() -> None:
    """PAIR: SHALL maintain the double queue whether or not the connection is established."""
    pair = Pair()
    peer = join(pair, out_hwm=4)
    for i in range(4):
        pair.send([b"%d" % i])
    assert len(peer.recv_all()) == 4


def test_pair_reads_in_order() -> None:
    """PAIR: SHALL deliver these to its calling application (in the order they were sent)."""
    pair = Pair()
    peer = join(pair)
    for i in range(50):
        peer.send(b"%d" % i)
    assert [pair.recv()[0] for _ in range(50)] == [b"%d" % i for i in range(50)]


def test_pair_after_peer_leaves_accepts_a_new_one() -> None:
    """PAIR: If this peer disconnects, the PAIR socket SHALL destroy its double queue."""
    pair = Pair()
    old = join(pair)
    old.send(b"bye")
    old.leave()
    assert pair.recv() == [b"bye"]
    with pytest.raises(WouldBlock):
        pair.recv()  # reads the delimiter
    pair.events()
    new = join(pair)
    assert not new.dropped
    pair.send([b"hello"])
    assert new.recv_all() == [[b"hello"]]


def test_pair_departed_peer_is_no_longer_available() -> None:
    """PAIR: SHALL not accept further messages when it has no available peer (its peer left)."""
    pair = Pair()
    peer = join(pair)
    peer.leave()
    with pytest.raises(WouldBlock):
        pair.send([b"into the void"])


def test_pair_events() -> None:
    """PAIR: MAY both send and receive messages (POLLIN and POLLOUT are independent)."""
    pair = Pair()
    peer = join(pair, out_hwm=1)
    assert pair.events() == POLLOUT
    peer.send(b"x")
    assert pair.events() == POLLIN | POLLOUT
    pair.send([b"y"])
    assert pair.events() == POLLIN
    pair.recv()
    assert pair.events() == 0


def test_pair_send_frame_recv_frame() -> None:
    """PAIR: SHALL not filter or modify outgoing or incoming messages (frame by frame)."""
    pair = Pair()
    peer = join(pair)
    pair.send_frame(b"a", True)
    assert peer.recv_all() == []
    pair.send_frame(b"b", False)
    assert peer.recv_all() == [[b"a", b"b"]]
    peer.send(b"x", b"y", b"z")
    assert (pair.recv_frame(), pair.more) == (b"x", True)
    assert pair.rcvmore
    assert (pair.recv_frame(), pair.more) == (b"y", True)
    assert (pair.recv_frame(), pair.more) == (b"z", False)
    assert not pair.rcvmore


def test_pair_close_delivers_then_delimits() -> None:
    """PAIR: the peer reads every message sent before the socket closed, then the end."""
    pair = Pair()
    peer = join(pair)
    pair.send([b"1"])
    pair.send([b"2"])
    pair.close()
    assert peer.recv_all() == [[b"1"], [b"2"]]
    assert peer.dropped


def test_pair_to_pair_socket_to_socket() -> None:
    """PAIR/PAIR: two PAIR sockets joined directly (as inproc does) talk both ways."""
    left, right = Pair(), Pair()
    wire(left, right)
    left.send([b"ping"])
    assert right.recv() == [b"ping"]
    right.send([b"pong"])
    assert left.recv() == [b"pong"]
