# Connection states and the transition table.
#
# Theory of operation (RFC 37, "Overall Behavior"): a connection first agrees
# on version and mechanism (GREETING), then runs the mechanism's handshake
# (HANDSHAKE), then carries traffic (READY). It ends either cleanly (CLOSED:
# the peer closed the stream, an ERROR command was exchanged, or authentication
# failed) or because the peer broke the protocol (ERROR). The table below is the
# whole state machine: a pair that is not in it is illegal. What "illegal" means
# depends on who produced the input: the caller (LocalProtocolError, state
# unchanged) or the peer (RemoteProtocolError, state ERROR); connection.py
# decides which.
# (Model: h11's _state.py.)
from __future__ import annotations

import enum
from typing import Final

from .errors import LocalProtocolError


class State(enum.Enum):
    """Where a ZmtpConnection is in RFC 37's connection life cycle."""

    GREETING = "GREETING"
    HANDSHAKE = "HANDSHAKE"
    READY = "READY"
    CLOSED = "CLOSED"
    ERROR = "ERROR"


class Input(enum.Enum):
    """Everything that can move a connection, from the peer or from the caller."""

    # from the peer
    GREETING_RECEIVED = "GREETING_RECEIVED"
    HANDSHAKE_COMMAND = "HANDSHAKE_COMMAND"
    HANDSHAKE_COMPLETE = "HANDSHAKE_COMPLETE"
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED"
    COMMAND_RECEIVED = "COMMAND_RECEIVED"
    ERROR_RECEIVED = "ERROR_RECEIVED"
    AUTH_FAILED = "AUTH_FAILED"  # our ZAP handler refused the peer (RFC 27)
    EOF = "EOF"
    PROTOCOL_VIOLATION = "PROTOCOL_VIOLATION"
    # from the caller
    SEND_MESSAGE = "SEND_MESSAGE"
    SEND_COMMAND = "SEND_COMMAND"
    SEND_ERROR = "SEND_ERROR"


_G, _H, _R = State.GREETING, State.HANDSHAKE, State.READY
_C, _E = State.CLOSED, State.ERROR

TRANSITIONS: Final[dict[tuple[State, Input], State]] = {
    (_G, Input.GREETING_RECEIVED): _H,
    (_G, Input.EOF): _C,
    (_G, Input.PROTOCOL_VIOLATION): _E,
    (_H, Input.HANDSHAKE_COMMAND): _H,
    (_H, Input.HANDSHAKE_COMPLETE): _R,
    (_H, Input.ERROR_RECEIVED): _C,
    (_H, Input.AUTH_FAILED): _C,
    (_H, Input.EOF): _C,
    (_H, Input.PROTOCOL_VIOLATION): _E,
    (_H, Input.SEND_ERROR): _C,
    (_R, Input.MESSAGE_RECEIVED): _R,
    (_R, Input.COMMAND_RECEIVED): _R,
    (_R, Input.ERROR_RECEIVED): _C,
    (_R, Input.EOF): _C,
    (_R, Input.PROTOCOL_VIOLATION): _E,
    (_R, Input.SEND_MESSAGE): _R,
    (_R, Input.SEND_COMMAND): _R,
    (_R, Input.SEND_ERROR): _C,
    (_C, Input.EOF): _C,
}


def next_state(state: State, event: Input) -> State:
    """Return the state that `event` leads to from `state`.

    Raises LocalProtocolError if the table has no such transition.
    """
    try:
        return TRANSITIONS[state, event]
    except KeyError:
        raise LocalProtocolError(f"{event.name} is not allowed in state {state.name}") from None
