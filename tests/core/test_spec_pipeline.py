"""RFC 30 (PIPELINE) on core sockets joined to fake peers: PUSH and PULL.

Each docstring quotes the clause of https://rfc.zeromq.org/spec/30/ the test proves
(repository zeromq/rfc, content/docs/rfcs/30/README.md).
"""

from __future__ import annotations

import pytest

from purezmq.core.errors import EAGAIN, ENOTSUP, CoreError, WouldBlock
from purezmq.core.socket_base import POLLIN, POLLOUT
from purezmq.core.sockets.pull import Pull
from purezmq.core.sockets.push import Push
from tests.core.fakes import join, wire

# ================================================================== PUSH


def test_push_round_robin() -> None:
    """PUSH: SHALL route outgoing messages to available peers using a round-robin strategy."""
    push = Push()
    peers = [join(push) for _ in range(3)]
    for i in range(9):
        push.send([b"%d" % i])
    assert [[m[0] for m in p.recv_all()] for p in peers] == [
        [b"0", b"3", b"6"], [b"1", b"4", b"7"], [b"2", b"5", b"8"]]


def test_push_does_not_modify_messages() -> None:
    """PUSH: SHALL not filter or modify outgoing messages in any way."""
    push = Push()
    peer = join(push)
    msg = [b"", b"\x00", b"x" * 300, b""]
    push.send(msg)
    assert peer.recv_all() == [msg]


def test_push_skips_full_peers() -> None:
    """PUSH: SHALL consider a peer available only when it has a outgoing queue that is not full"""
    push = Push()
    full, free = join(push, out_hwm=1), join(push)
    for i in range(6):
        push.send([b"%d" % i])
    assert full.recv_all() == [[b"0"]]
    assert [m[0] for m in free.recv_all()] == [b"1", b"2", b"3", b"4", b"5"]


def test_push_all_full_raises_wouldblock() -> None:
    """PUSH: SHALL block on sending, or return a suitable error, when it has no available peers."""
    push = Push()
    peers = [join(push, out_hwm=1) for _ in range(2)]
    push.send([b"a"])
    push.send([b"b"])
    with pytest.raises(WouldBlock) as info:
        push.send([b"c"])
    assert info.value.errno == EAGAIN
    assert [p.recv_all() for p in peers] == [[[b"a"]], [[b"b"]]]


def test_push_without_peers_raises_wouldblock() -> None:
    """PUSH: SHALL not accept further messages when it has no available peers."""
    push = Push()
    assert push.events() == 0
    with pytest.raises(WouldBlock):
        push.send([b"x"])


def test_push_refused_message_leaves_nothing_behind() -> None:
    """PUSH: SHALL not accept further messages when it has no available peers (none of it)."""
    push = Push()
    for frame, more in ((b"lost-1", True), (b"lost-2", False)):
        try:
            push.send_frame(frame, more)
        except WouldBlock:
            break
    else:
        pytest.fail("a message was accepted with no peer at all")
    peer = join(push)
    push.send([b"next"])
    assert peer.recv_all() == [[b"next"]]


def test_push_does_not_discard_what_it_cannot_queue() -> None:
    """PUSH: SHALL NOT discard messages that it cannot queue (it waits for room instead)."""
    push = Push()
    peer = join(push, out_hwm=2)
    push.send([b"1"])
    push.send([b"2"])
    with pytest.raises(WouldBlock):
        push.send([b"3"])
    assert push.events() == 0
    assert peer.recv() == [b"1"]  # down to the LWM: the PUSH is told
    assert push.events() == POLLOUT
    push.send([b"3"])
    assert peer.recv_all() == [[b"2"], [b"3"]]


def test_push_queues_before_the_peer_reads() -> None:
    """PUSH: SHALL maintain the queue whether or not the connection is established."""
    push = Push()
    peer = join(push, out_hwm=10)
    for i in range(10):
        push.send([b"%d" % i])
    assert len(peer.recv_all()) == 10


def test_push_drops_departed_peer() -> None:
    """PUSH: If this peer disconnects, the PUSH socket SHALL destroy its queue."""
    push = Push()
    gone, stays = join(push), join(push)
    gone.leave()
    push.events()
    for i in range(4):
        push.send([b"%d" % i])
    assert len(stays.recv_all()) == 4
    assert len(push.pipes) == 1


def test_push_multipart_send_frame() -> None:
    """PUSH: SHALL not filter or modify outgoing messages (frames sent one by one arrive whole)."""
    push = Push()
    peer = join(push)
    push.send_frame(b"a", True)
    push.send_frame(b"b", True)
    assert peer.recv_all() == []  # nothing leaves before the last frame
    push.send_frame(b"c", False)
    assert peer.recv_all() == [[b"a", b"b", b"c"]]


def test_push_cannot_receive() -> None:
    """PUSH: SHALL only send messages."""
    push = Push()
    peer = join(push)
    peer.send(b"ignored")
    assert push.events() == POLLOUT
    with pytest.raises(CoreError) as info:
        push.recv()
    assert info.value.errno == ENOTSUP


# ================================================================== PULL


def test_pull_fair_queues() -> None:
    """PULL: SHALL receive incoming messages from its peers using a fair-queuing strategy."""
    pull = Pull()
    a, b, c = join(pull), join(pull), join(pull)
    for i in range(3):
        a.send(b"a%d" % i)
    b.send(b"b0")
    c.send(b"c0")
    c.send(b"c1")
    got = [pull.recv()[0] for _ in range(6)]
    assert got == [b"a0", b"b0", b"c0", b"a1", b"c1", b"a2"]


def test_pull_does_not_modify_messages() -> None:
    """PULL: SHALL not filter or modify incoming messages in any way."""
    pull = Pull()
    peer = join(pull)
    peer.send(b"", b"\x01", b"")
    assert pull.recv() == [b"", b"\x01", b""]


def test_pull_empty_raises_wouldblock() -> None:
    """PULL: SHALL deliver these to its calling application (when there are some)."""
    pull = Pull()
    with pytest.raises(WouldBlock):
        pull.recv()
    peer = join(pull)
    assert pull.events() == 0
    with pytest.raises(WouldBlock):
        pull.recv()
    peer.send(b"x")
    assert pull.events() == POLLIN
    assert pull.recv() == [b"x"]
    assert pull.events() == 0


def test_pull_reads_everything_sent_before_peer_left() -> None:
    """PULL: If this peer disconnects, the PULL socket SHALL destroy its queue."""
    pull = Pull()
    gone = join(pull)
    for i in range(3):
        gone.send(b"%d" % i)
    gone.leave()
    assert [pull.recv()[0] for _ in range(3)] == [b"0", b"1", b"2"]
    with pytest.raises(WouldBlock):
        pull.recv()
    pull.events()
    assert pull.pipes == []
    assert gone.dropped


def test_pull_incoming_hwm_pushes_back() -> None:
    """PULL: SHOULD constrain incoming queue sizes to a runtime-configurable limit."""
    pull = Pull()
    peer = join(pull, in_hwm=3)
    sent = sum(peer.try_send(b"%d" % i) for i in range(10))
    assert sent == 3
    assert pull.recv() == [b"0"]
    assert pull.recv() == [b"1"]  # down to the LWM: the sender may go on
    assert peer.sink.writes == 1
    assert peer.try_send(b"more")


def test_pull_recv_frame() -> None:
    """PULL: SHALL deliver these to its calling application (frame by frame with RCVMORE)."""
    pull = Pull()
    peer = join(pull)
    peer.send(b"1", b"2")
    assert (pull.recv_frame(), pull.more) == (b"1", True)
    assert pull.get_option(13) == 1
    assert (pull.recv_frame(), pull.more) == (b"2", False)
    assert pull.get_option(13) == 0


def test_pull_cannot_send() -> None:
    """PULL: SHALL only receive messages."""
    pull = Pull()
    join(pull)
    for call in (lambda: pull.send([b"x"]), lambda: pull.send_frame(b"x", True)):
        with pytest.raises(CoreError) as info:
            call()
        assert info.value.errno == ENOTSUP


def test_push_to_pull_socket_to_socket() -> None:
    """PUSH/PULL: a PUSH pipe joined to a PULL (as inproc does) delivers in order."""
    push, pull = Push(), Pull()
    wire(push, pull, hwm=5)
    sent = 0
    for i in range(20):
        try:
            push.send([b"%d" % i])
            sent += 1
        except WouldBlock:
            break
    assert sent == 5
    assert [pull.recv()[0] for _ in range(5)] == [b"%d" % i for i in range(5)]
    push.send([b"next"])
    assert pull.recv() == [b"next"]
