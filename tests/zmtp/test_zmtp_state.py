"""The state machine is a table; every (state, input) pair is checked."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from purezmq.zmtp import (
    TRANSITIONS,
    Input,
    LocalProtocolError,
    RemoteProtocolError,
    State,
    ZmtpConnection,
)
from purezmq.zmtp.state import next_state
from tests.helpers.peer_pair import PeerPair, command, greeting, ready


@pytest.mark.parametrize(("state", "event"), list(itertools.product(State, Input)))
def test_every_pair(state: State, event: Input) -> None:
    """A pair in the table moves as the table says; any other pair raises."""
    if (state, event) in TRANSITIONS:
        assert next_state(state, event) is TRANSITIONS[state, event]
    else:
        with pytest.raises(LocalProtocolError):
            next_state(state, event)


def test_terminal_states() -> None:
    """ERROR is final; CLOSED only absorbs further EOFs."""
    assert [key for key in TRANSITIONS if key[0] is State.ERROR] == []
    assert [key for key in TRANSITIONS if key[0] is State.CLOSED] == [(State.CLOSED, Input.EOF)]


def test_every_state_is_reachable() -> None:
    """Starting from GREETING, the table reaches all five states."""
    reached = {State.GREETING}
    frontier = [State.GREETING]
    while frontier:
        state = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source is state and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(State)


def _in_state(state: State) -> ZmtpConnection:
    conn = ZmtpConnection("DEALER")
    if state is State.GREETING:
        return conn
    if state is State.ERROR:
        conn.receive_data(b"\x00")
        with pytest.raises(RemoteProtocolError):
            conn.next_events()
        return conn
    conn.receive_data(greeting())
    if state is not State.HANDSHAKE:
        conn.receive_data(ready("ROUTER"))
    if state is State.CLOSED:
        conn.receive_data(b"")
    conn.next_events()
    assert conn.state is state
    return conn


SENDS: list[tuple[Input, Callable[[ZmtpConnection], None]]] = [
    (Input.SEND_MESSAGE, lambda conn: conn.send_message([b"x"])),
    (Input.SEND_MESSAGE, lambda conn: conn.send_messages([[b"x"]])),
    (Input.SEND_COMMAND, lambda conn: conn.send_ping(1)),
    (Input.SEND_COMMAND, lambda conn: conn.send_pong(b"")),
    (Input.SEND_COMMAND, lambda conn: conn.send_subscribe(b"")),
    (Input.SEND_COMMAND, lambda conn: conn.send_cancel(b"")),
    (Input.SEND_ERROR, lambda conn: conn.send_error("no")),
]


SEND_NAMES = [
    "send_message",
    "send_messages",
    "send_ping",
    "send_pong",
    "send_subscribe",
    "send_cancel",
    "send_error",
]


@pytest.mark.parametrize("state", list(State), ids=[state.name for state in State])
@pytest.mark.parametrize(("event", "send"), SENDS, ids=SEND_NAMES)
def test_send_methods_follow_the_table(
    state: State, event: Input, send: Callable[[ZmtpConnection], None]
) -> None:
    """A send allowed by the table queues octets; any other raises and changes nothing."""
    conn = _in_state(state)
    conn.data_to_send()
    if (state, event) in TRANSITIONS:
        send(conn)
        assert conn.data_to_send() != b""
        assert conn.state is TRANSITIONS[state, event]
    else:
        with pytest.raises(LocalProtocolError):
            send(conn)
        assert conn.state is state
        assert conn.data_to_send() == b""


def test_error_command_in_handshake_closes() -> None:
    """HANDSHAKE --ERROR_RECEIVED--> CLOSED."""
    conn = _in_state(State.HANDSHAKE)
    conn.receive_data(command(b"ERROR", b"\x06denied"))
    conn.next_events()
    assert conn.state is State.CLOSED


def test_repr_shows_state() -> None:
    """repr names the type, the state and the peer."""
    pair = PeerPair.connected("REQ", "REP")
    assert repr(pair.left).startswith("<ZmtpConnection REQ READY peer=REP v3.1")
