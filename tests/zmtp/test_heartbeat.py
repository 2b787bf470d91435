"""Heartbeat bookkeeping (RFC 37 PING/PONG with libzmq's options) on a fake clock."""

from __future__ import annotations

import pytest

from purezmq.zmtp.heartbeat import EXPIRED, PING, Heartbeat


def run_until(
    hb: Heartbeat, end: float, arrivals: tuple[float, ...] = ()
) -> list[tuple[float, str]]:
    """Drive ``hb`` as the session does: wake at each deadline, note what it says.

    ``arrivals`` are the times at which something comes from the peer.
    """
    actions: list[tuple[float, str]] = []
    pending = sorted(arrivals)
    while True:
        deadline = hb.next_deadline()
        if pending and (deadline is None or pending[0] < deadline):
            hb.received(pending.pop(0))
            continue
        if deadline is None or deadline > end:
            return actions
        action = hb.poll(deadline)
        if action is not None:
            actions.append((round(deadline, 3), action))
        if action is EXPIRED:
            return actions


def test_pings_every_interval_and_expires_after_the_timeout() -> None:
    hb = Heartbeat(ivl_ms=100, timeout_ms=350, ttl_ms=0, now=0.0)
    assert run_until(hb, 1.0) == [(0.1, PING), (0.2, PING), (0.3, PING), (0.35, EXPIRED)]


def test_timeout_defaults_to_the_interval() -> None:
    hb = Heartbeat(ivl_ms=100, timeout_ms=-1, ttl_ms=0, now=0.0)
    assert run_until(hb, 1.0) == [(0.1, EXPIRED)]


def test_a_live_peer_is_never_given_up() -> None:
    hb = Heartbeat(ivl_ms=100, timeout_ms=150, ttl_ms=0, now=0.0)
    arrivals = tuple(n / 10 + 0.05 for n in range(20))  # a PONG or data every 100 ms
    actions = run_until(hb, 2.0, arrivals)
    assert EXPIRED not in [a for _, a in actions]
    assert len(actions) >= 19  # and it kept PINGing, every 100 ms up to 2 s


def test_silence_is_measured_from_the_last_arrival() -> None:
    hb = Heartbeat(ivl_ms=100, timeout_ms=250, ttl_ms=0, now=0.0)
    actions = run_until(hb, 2.0, arrivals=(0.12,))
    assert actions[-1] == (0.37, EXPIRED)


def test_zero_timeout_never_expires() -> None:
    """HEARTBEAT_TIMEOUT 0: PINGs go out, nothing is ever given up (libzmq)."""
    hb = Heartbeat(ivl_ms=100, timeout_ms=0, ttl_ms=0, now=0.0)
    assert [a for _, a in run_until(hb, 0.55)] == [PING] * 5


def test_no_interval_means_no_deadline() -> None:
    hb = Heartbeat(ivl_ms=0, timeout_ms=500, ttl_ms=0, now=0.0)
    assert hb.next_deadline() is None
    assert hb.poll(100.0) is None


def test_peer_ttl_is_honoured_without_our_own_interval() -> None:
    """A peer's PING with a TTL (deciseconds) makes us hang up after that much silence."""
    hb = Heartbeat(ivl_ms=0, timeout_ms=-1, ttl_ms=0, now=0.0)
    assert hb.peer_pinged(3)
    assert not hb.peer_pinged(3)  # the first TTL stays
    assert hb.next_deadline() == pytest.approx(0.3)
    assert run_until(hb, 5.0, arrivals=(0.2,)) == [(0.5, EXPIRED)]


def test_peer_ping_without_ttl_changes_nothing() -> None:
    hb = Heartbeat(ivl_ms=0, timeout_ms=-1, ttl_ms=0, now=0.0)
    assert not hb.peer_pinged(0)
    assert hb.next_deadline() is None


def test_our_ttl_is_kept_in_whole_deciseconds() -> None:
    assert Heartbeat(ivl_ms=100, timeout_ms=-1, ttl_ms=2599, now=0.0).ttl == 25


def test_the_earlier_of_timeout_and_peer_ttl_wins() -> None:
    hb = Heartbeat(ivl_ms=100, timeout_ms=1000, ttl_ms=0, now=0.0)
    hb.peer_pinged(2)  # 200 ms
    assert run_until(hb, 5.0) == [(0.1, PING), (0.2, EXPIRED)]


def test_a_timer_at_the_exact_deadline_finds_it_due() -> None:
    """poll() at next_deadline() itself acts (float arithmetic must not make it wait
    for the same instant again, for ever)."""
    beat = Heartbeat(100, 300, 0, 1000.0)
    actions = []
    for _ in range(5):
        deadline = beat.next_deadline()
        assert deadline is not None
        actions.append(beat.poll(deadline))
        if actions[-1] == EXPIRED:
            break
    assert actions == [PING, PING, EXPIRED]
