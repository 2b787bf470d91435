"""SocketBase: the mailbox, pipe adoption and departure, close, and per-socket checks.

These hold for every socket type; DEALER stands in for them (it both sends and receives).
"""

from __future__ import annotations

import pytest

from purezmq.core.errors import EMSGSIZE, ENOTSOCK, CoreError, WouldBlock
from purezmq.core.pipe import Pipe, pipepair
from purezmq.core.socket_base import POLLIN, POLLOUT
from purezmq.core.sockets import SOCKET_TYPES
from purezmq.core.sockets.dealer import Dealer
from purezmq.core.sockets.sub import Sub
from purezmq.core.sockets.xsub import XSub
from tests.core.fakes import join


class WakeCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def test_wake_on_transitions_only() -> None:
    """A burst of messages costs the socket's owner one wake-up, not one per message."""
    dealer = Dealer()
    wake = dealer.wake = WakeCounter()
    peer = join(dealer)
    for i in range(100):
        peer.send(b"%d" % i)
    assert wake.count == 1
    assert dealer.has_commands()
    for _ in range(100):
        dealer.recv()
    with pytest.raises(WouldBlock):
        dealer.recv()
    peer.send(b"again")
    assert wake.count == 2


def test_commands_wait_for_the_owner() -> None:
    """Wake-ups are queued in the mailbox and applied by the owner's next call."""
    dealer = Dealer()
    peer = join(dealer)
    with pytest.raises(WouldBlock):
        dealer.recv()  # the dealer's reader now sleeps
    peer.send(b"x")
    assert dealer.has_commands()
    dealer.process_commands()
    assert not dealer.has_commands()
    assert dealer.recv() == [b"x"]


def test_post_attach_adopts_the_pipe_on_the_owner_thread() -> None:
    """post_attach (from another thread) only queues; the owner adopts the pipe later."""
    dealer = Dealer()
    wake = dealer.wake = WakeCounter()
    ours, theirs = pipepair(1000, 1000)
    dealer.post_attach(ours)
    assert wake.count == 1
    assert dealer.pipes == []
    assert dealer.events() == POLLOUT  # events() runs the mailbox first
    assert dealer.pipes == [ours]
    dealer.send([b"hi"])
    assert theirs.read() == [b"hi"]


def test_departed_pipe_is_reported_once() -> None:
    """When a peer leaves, the socket drops the pipe and tells on_pipe_terminated once."""
    dealer = Dealer()
    gone: list[Pipe] = []
    dealer.on_pipe_terminated = gone.append
    peer = join(dealer)
    peer.leave()
    with pytest.raises(WouldBlock):
        dealer.recv()
    dealer.events()
    dealer.events()
    assert gone == [peer.socket_end]
    assert dealer.pipes == []
    assert peer.dropped  # the socket answered with its own delimiter


def test_detach_pipe() -> None:
    """detach_pipe: no more routing to the pipe; its peer reads what was queued, then the end."""
    dealer = Dealer()
    peer, other = join(dealer), join(dealer)
    dealer.send([b"queued"])
    dealer.detach_pipe(peer.socket_end)
    dealer.send([b"a"])
    dealer.send([b"b"])
    assert peer.recv_all() == [[b"queued"]]
    assert peer.dropped
    assert other.recv_all() == [[b"a"], [b"b"]]


def test_close_delivers_then_delimits() -> None:
    """close(): every peer reads what was sent before, then the socket's delimiter."""
    dealer = Dealer()
    peers = [join(dealer) for _ in range(2)]
    for i in range(4):
        dealer.send([b"%d" % i])
    dealer.close()
    assert [len(p.recv_all()) for p in peers] == [2, 2]
    assert all(p.dropped for p in peers)
    assert dealer.pipes == []


@pytest.mark.parametrize("type_id", sorted(SOCKET_TYPES))
def test_closed_socket_refuses_everything(type_id: int) -> None:
    """After close(), send, recv, send_frame and recv_frame raise ENOTSOCK, whatever the type."""
    sock = SOCKET_TYPES[type_id]()
    sock.close()
    calls = [lambda: sock.send([b"x"]), sock.recv, lambda: sock.send_frame(b"x", True),
             sock.recv_frame]
    for call in calls:
        with pytest.raises(CoreError) as info:
            call()
        assert info.value.errno == ENOTSOCK


def test_attach_after_close_terminates_the_pipe() -> None:
    """A connection completing after close() is turned away at once."""
    dealer = Dealer()
    dealer.close()
    peer = join(dealer)
    assert peer.dropped
    assert dealer.pipes == []


def test_hwm_change_applies_to_existing_pipes() -> None:
    """SNDHWM set after a pipe exists applies to it too (libzmq update_pipe_options)."""
    dealer = Dealer()
    old = join(dealer, out_hwm=2)
    dealer.set_option(23, 100)
    assert dealer.get_option(23) == 100
    assert old.socket_end.statistics()["out_hwm"] == 100


def test_maxmsgsize_check() -> None:
    """check_size refuses a frame larger than MAXMSGSIZE with EMSGSIZE; -1 means no limit."""
    dealer = Dealer()
    dealer.check_size(10**9)
    dealer.set_option(22, 10)
    dealer.check_size(10)
    with pytest.raises(CoreError) as info:
        dealer.check_size(11)
    assert info.value.errno == EMSGSIZE


def test_recv_of_a_partly_read_message_returns_the_rest() -> None:
    """recv after recv_frame returns the remaining frames; events() still shows POLLIN then."""
    dealer = Dealer()
    peer = join(dealer)
    peer.send(b"1", b"2", b"3")
    assert (dealer.recv_frame(), dealer.more) == (b"1", True)
    assert dealer.events() & POLLIN
    assert dealer.recv() == [b"2", b"3"]
    assert not dealer.rcvmore


@pytest.mark.parametrize("cls", [Sub, XSub])
def test_hiccup_resends_subscriptions(cls: type[XSub]) -> None:
    """After a reconnect (post_hiccup) SUB and XSUB send every subscription again."""
    sock = cls()
    peer = join(sock)
    if cls is Sub:
        sock.set_option(6, b"a")
        sock.set_option(6, b"b")
    else:
        sock.send([b"\x01a"])
        sock.send([b"\x01b"])
    assert len(peer.recv_all()) == 2
    sock.post_hiccup(peer.socket_end)
    sock.events()
    assert sorted(peer.recv_all()) == [[b"\x01a"], [b"\x01b"]]


def test_repr_shows_state() -> None:
    """repr names the type and the number of pipes, or that it is closed."""
    dealer = Dealer()
    join(dealer)
    assert repr(dealer) == "<Dealer pipes=1>"
    dealer.close()
    assert repr(dealer) == "<Dealer closed>"
