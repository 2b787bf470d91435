"""State the I/O thread and a socket's thread share follows the lock table
(docs/architecture.md): each test here failed on code that broke a rule of it."""

from __future__ import annotations

import threading
from typing import Any

from purezmq.core.endpoint import parse_endpoint
from purezmq.engine.connecter import Connecter, Connecters
from purezmq.engine.fastpaths.owner_read import BULK_READ, OwnerReader
from purezmq.engine.states import Intake, Read, Reader
from purezmq.zmtp import ZmtpConnection
from tests.conftest import needs_fastpath
from tests.engine.fakes import FakeHost, session_on


def test_the_intake_stays_deferred_while_the_loop_handles_what_was_handed_over() -> None:
    """A subscription comes with messages: the loop handles it outside the lock, and
    until it is done the intake is DEFERRED, where neither the refill (HELD input only)
    nor the owner read (FLOWING only) decodes: no second writer on the pipe."""
    host = FakeHost("XPUB", 9)
    session, transport = session_on(host)
    peer = ZmtpConnection("SUB")
    peer.receive_data(transport.take())
    peer.next_events()
    session.data_received(peer.data_to_send())
    peer.receive_data(transport.take())
    peer.next_events()
    seen: list[Intake] = []
    handle = session.handle

    def recording(events: list[Any]) -> bool:
        seen.append(session.intake.state)
        return handle(events)

    session.handle = recording  # type: ignore[method-assign]
    peer.send_subscribe(b"topic")
    session.data_received(peer.data_to_send())
    assert seen == [Intake.DEFERRED]
    assert session.intake.state is Intake.FLOWING
    assert host.socket_end is not None and host.socket_end.read() == (b"\x01topic",)


class _Session:
    """What an OwnerReader uses of its session, with a lock that can be asked."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.conn = ZmtpConnection("REQ")
        self.host = FakeHost("REQ", 3)

    def update_reading(self) -> None:
        pass

    def intake_drain_if_held(self) -> None:
        pass


class _CheckedReader(OwnerReader):
    moves: list[tuple[Read, bool]]

    def _move(self, event: Read) -> None:
        self.moves.append((event, self.session.lock.locked()))
        super()._move(event)


@needs_fastpath("owner_read")
def test_the_reader_state_moves_only_under_the_session_lock() -> None:
    """The loop's moves (hand the reading over, take it back, end a bulk read, stop)
    take the session's lock, as the socket thread's moves do: a check and its move
    cannot straddle the other thread's move."""
    reader = _CheckedReader(_Session(), 5)  # type: ignore[arg-type]
    reader.moves = []
    reader.waiting = True
    assert reader.loop_readable()
    assert reader.state is Reader.OWNER
    reader.take_back()
    assert reader.state is Reader.LOOP
    with reader.session.lock:
        reader._move(Read.BIG_READ)  # as the socket's thread does, lock held
    reader.loop_read(BULK_READ // 2)
    assert reader.state is Reader.LOOP
    reader.stop()
    assert reader.state is Reader.OFF
    assert [locked for _, locked in reader.moves] == [True] * 5, reader.moves


def test_connecters_are_kept_by_endpoint_and_handed_out_as_copies() -> None:
    host: Any = FakeHost("DEALER", 5)
    host.loop = None
    first = Connecter(host, parse_endpoint("tcp://127.0.0.1:1", connecting=True), None)
    second = Connecter(host, parse_endpoint("tcp://127.0.0.1:1", connecting=True), None)
    other = Connecter(host, parse_endpoint("tcp://127.0.0.1:2", connecting=True), None)
    connecters = Connecters()
    for connecter in (first, second, other):
        connecters.add(connecter)
    snapshot = connecters.all()
    connecters.forget(first)
    assert snapshot == [first, second, other] and len(connecters) == 2
    assert connecters.pop("tcp://127.0.0.1:1") == [second]
    connecters.forget(other)
    assert connecters.all() == [] and connecters.pop("tcp://127.0.0.1:2") == []
