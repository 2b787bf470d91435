"""The engine's state tables: every state x event pair is either a move or refused."""

from __future__ import annotations

import enum
import itertools

import pytest

from purezmq.engine.states import (
    INTAKE,
    LIFECYCLE,
    READER,
    In,
    Intake,
    Life,
    Lifecycle,
    Read,
    Reader,
    StateError,
    advance,
)

TABLES = [
    ("lifecycle", LIFECYCLE, Lifecycle, Life),
    ("intake", INTAKE, Intake, In),
    ("reader", READER, Reader, Read),
]
FIRST = {Lifecycle: Lifecycle.HANDSHAKING, Intake: Intake.FLOWING, Reader: Reader.LOOP}


@pytest.mark.parametrize(("name", "table", "states", "events"), TABLES, ids=[t[0] for t in TABLES])
def test_every_pair_is_a_move_or_an_error(
    name: str, table: dict, states: type[enum.Enum], events: type[enum.Enum]
) -> None:
    for state, event in itertools.product(states, events):
        if (state, event) in table:
            assert advance(table, state, event) in states
        else:
            with pytest.raises(StateError, match=event.name):
                advance(table, state, event)


@pytest.mark.parametrize(("name", "table", "states", "events"), TABLES, ids=[t[0] for t in TABLES])
def test_every_state_is_reachable_from_the_first(
    name: str, table: dict, states: type[enum.Enum], events: type[enum.Enum]
) -> None:
    first = FIRST[states]
    seen, frontier = {first}, [first]
    while frontier:
        state = frontier.pop()
        for (origin, _), target in table.items():
            if origin is state and target not in seen:
                seen.add(target)
                frontier.append(target)
    expected = set(states) - ({Lifecycle.ORPHANED} if states is Lifecycle else set())
    assert seen >= expected


def test_the_lifecycle_of_a_connection() -> None:
    """Handshake, traffic, the socket leaves, the queue drains, the transport closes."""
    state = Lifecycle.HANDSHAKING
    for event, expected in [
        (Life.HANDSHAKE_DONE, Lifecycle.READY),
        (Life.SOCKET_GONE, Lifecycle.DRAINING),
        (Life.FLUSHED, Lifecycle.CLOSING),
        (Life.LOST, Lifecycle.CLOSED),
    ]:
        state = advance(LIFECYCLE, state, event)
        assert state is expected
    with pytest.raises(StateError):
        advance(LIFECYCLE, Lifecycle.CLOSED, Life.HANDSHAKE_DONE)


def test_an_orphaned_connection_drains_after_its_handshake() -> None:
    assert advance(LIFECYCLE, Lifecycle.ORPHANED, Life.HANDSHAKE_DONE) is Lifecycle.DRAINING


def test_held_input_resumes_only_when_all_is_decoded() -> None:
    assert advance(INTAKE, Intake.FLOWING, In.HOLD) is Intake.HELD
    assert advance(INTAKE, Intake.DEFERRED, In.HANDLED) is Intake.HELD
    assert advance(INTAKE, Intake.BACKLOGGED, In.BACKLOG_WRITTEN) is Intake.HELD
    assert advance(INTAKE, Intake.HELD, In.ALL_DECODED) is Intake.FLOWING
    with pytest.raises(StateError):
        advance(INTAKE, Intake.DEFERRED, In.ALL_DECODED)  # the handed-over events first
