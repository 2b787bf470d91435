"""A Session on a fake host, transport and clock: no socket, no loop, no real time."""

from __future__ import annotations

from purezmq.engine.intake import DECODE_BATCH
from purezmq.engine.states import Intake, Lifecycle
from purezmq.zmtp import ZmtpConnection
from tests.conftest import needs_fastpath
from tests.engine.fakes import FakeHost, session_on


def _peer_ready(host: FakeHost, peer_type: str = "PUSH") -> tuple:
    """A session whose handshake with a ZMTP peer (a ZmtpConnection) is done."""
    session, transport = session_on(host)
    peer = ZmtpConnection(peer_type)
    # The session's greeting comes in two parts (the rest once the peer's has arrived):
    # exchange until both are done.
    for _ in range(3):
        sent = transport.take()
        if sent:  # b"" would be the end of the stream
            peer.receive_data(sent)
        peer.next_events()
        out = peer.data_to_send()
        if out:
            session.data_received(out)
    assert session.life is Lifecycle.READY
    return session, transport, peer


def test_handshake_makes_the_pipe_and_tells_the_host() -> None:
    host = FakeHost()
    session, _, _ = _peer_ready(host)
    assert host.events == ["started", "ready"]
    assert host.socket_end is not None and session.handshake_done


def test_messages_beyond_a_batch_are_held_until_the_reader_empties_the_pipe() -> None:
    host = FakeHost(rcvhwm=0)
    session, transport, peer = _peer_ready(host)
    for i in range(DECODE_BATCH + 10):
        peer.send_message([b"%d" % i])
    session.data_received(peer.data_to_send())
    assert session.intake.state is Intake.HELD and not transport.reading
    sock = host.socket_end
    assert sock is not None
    got = [sock.read() for _ in range(DECODE_BATCH)]
    assert got[-1] == (b"%d" % (DECODE_BATCH - 1),)
    # The pipe is empty: the reader's read decodes the next batch itself (refill), or
    # (the shortcut off) has the loop do it.
    first = sock.read()
    host.run_soon()
    assert (first or sock.read()) == (b"%d" % DECODE_BATCH,)
    assert session.intake.state is Intake.FLOWING and transport.reading


def test_a_reader_that_finds_the_lock_busy_has_the_loop_drain() -> None:
    """The lost wake-up of a reader that empties the pipe while the loop still holds the
    session's lock after delivering a batch: it must not go to sleep unheard."""
    host = FakeHost(rcvhwm=0)
    session, _, peer = _peer_ready(host)
    for i in range(DECODE_BATCH + 1):
        peer.send_message([b"%d" % i])
    session.data_received(peer.data_to_send())
    sock = host.socket_end
    assert sock is not None
    for _ in range(DECODE_BATCH):
        sock.read()
    with session.lock:  # the loop is inside its locked decode step
        assert session.refill() is False
    assert host.scheduled, "the loop was not told to look again"
    host.run_soon()
    assert sock.read() == (b"%d" % DECODE_BATCH,)


def test_a_silent_peer_is_dropped_on_the_fake_clock() -> None:
    """HEARTBEAT_IVL 100 ms, HEARTBEAT_TIMEOUT 300 ms: moved by hand, no sleep."""
    host = FakeHost(heartbeat_ivl=100, heartbeat_timeout=300)
    session, transport, _ = _peer_ready(host)
    host.timers.advance(0.25)
    assert session.life is Lifecycle.READY
    assert b"PING" in transport.take()
    host.timers.advance(0.1)
    assert session.life is Lifecycle.CLOSED and host.events[-1] == "closed"


def test_a_handshake_that_stalls_is_abandoned_on_the_fake_clock() -> None:
    host = FakeHost(handshake_ivl=500)
    session, _ = session_on(host)
    host.timers.advance(0.499)
    assert session.life is Lifecycle.HANDSHAKING
    host.timers.advance(0.002)
    assert session.life is Lifecycle.CLOSED


def test_the_socket_leaving_drains_then_closes() -> None:
    host = FakeHost("PUSH", 8)
    session, transport, peer = _peer_ready(host, "PULL")
    sock = host.socket_end
    assert sock is not None
    sock.write((b"last",))
    sock.terminate()  # the socket closed: its delimiter follows the message
    session.flush()
    assert session.life is Lifecycle.CLOSING and transport.closing
    peer.receive_data(transport.take())
    assert [e for e in peer.next_events() if isinstance(e, tuple)] == [(b"last",)]


def test_a_flush_after_the_socket_thread_parsed_the_peers_end_writes_nothing() -> None:
    """The socket's thread (owner read, refill) may parse the peer's end of stream
    while the loop is about to flush: the flush finds the connection ended and leaves
    the queued message alone (it raised 'SEND_MESSAGE is not allowed in state CLOSED'
    from the loop's callback, seen in a binder-restart test under load)."""
    host = FakeHost("PUSH", type_id=8)
    session, transport, _ = _peer_ready(host, "PULL")
    sock = host.socket_end
    assert sock is not None
    transport.take()
    sock.write((b"queued",))
    with session.lock:  # what the socket's thread does, under the session's lock
        session.conn.receive_data(b"")
        session.conn.next_events()
    assert session.conn.ended and session.writable
    session.flush()
    assert transport.take() == b""


@needs_fastpath("direct_send")
def test_a_direct_send_after_the_socket_thread_parsed_the_peers_end_writes_nothing() -> None:
    """The same race on the socket's own send: a reply sent directly (a ROUTER device
    answering a peer that has just closed) found the connection ended and raised
    'SEND_MESSAGE is not allowed in state CLOSED' into the user's thread (seen in the
    Jupyter kernel's heartbeat device). It goes to the pipe instead, and is dropped
    with the connection, as libzmq drops what it cannot deliver to a gone peer."""
    host = FakeHost("DEALER", type_id=5)
    host.owner_sends = True
    session, transport, peer = _peer_ready(host, "ROUTER")
    sock = host.socket_end
    assert sock is not None
    transport.take()
    assert sock.try_write((b"first",))
    peer.receive_data(transport.take())
    assert [e for e in peer.next_events() if isinstance(e, tuple)] == [(b"first",)]
    peer.send_message([b"answer"])
    session.data_received(peer.data_to_send())  # the peer spoke: a direct send may go
    assert sock.read() == (b"answer",)
    with session.lock:  # the socket's thread parses the peer's end of stream
        session.conn.receive_data(b"")
        session.conn.next_events()
    assert session.conn.ended and session.writable
    assert sock.try_write((b"reply",))
    assert transport.take() == b""
