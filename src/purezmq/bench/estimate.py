"""How long the rest of a plan should take, for the progress line.

Before a run, its time is guessed from its message count and what such runs cost on
a 2-core machine (:func:`guess`). Once a scenario has run with a library, its later
rounds are expected to take as long; the other guesses are scaled by how the runs
so far compared with theirs, so that a slower or faster machine is caught up with
after a few runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from .spec import FLOORS, SCALE_KINDS, Step

STAGE_S = 0.2  # starting worker processes and importing the library, per stage
BYTES_PER_US = 3000.0  # how fast a payload moves, roughly (3 GB/s)
IDLE_S = 0.5  # the idle scenario: 100 pairs and its settling pauses
# Microseconds per message (per round trip for lat) beside the payload's bytes, by
# (kind, library, api), the floors as "floor": medians of a full run on 2 cores.
PER_MESSAGE_US: dict[tuple[str, str, str], float] = {
    ("thr", "purezmq", "sync"): 0.35,
    ("thr", "purezmq", "asyncio"): 0.8,
    ("thr", "pyzmq", "sync"): 0.4,
    ("thr", "pyzmq", "asyncio"): 9.5,
    ("thr", "floor", "sync"): 0.1,
    ("thr", "floor", "asyncio"): 0.1,
    ("lat", "purezmq", "sync"): 45.0,
    ("lat", "purezmq", "asyncio"): 40.0,
    ("lat", "pyzmq", "sync"): 43.0,
    ("lat", "pyzmq", "asyncio"): 110.0,
    ("lat", "floor", "sync"): 30.0,
    ("lat", "floor", "asyncio"): 20.0,
    ("fan", "purezmq", "sync"): 2.5,
    ("fan", "purezmq", "asyncio"): 4.5,
    ("fan", "pyzmq", "sync"): 1.1,
    ("fan", "pyzmq", "asyncio"): 6.5,
}
# The scale scenarios: microseconds per peer (a socket made, connected and closed) and
# per unit of work (a request echoed, a message a SUB receives, a message's pass
# through one link of the chain, the lone crossings included), by (kind, library,
# api): a full run's with N = 1,000, on 2 cores.
SCALE_US: dict[tuple[str, str, str], tuple[float, float]] = {
    ("router", "purezmq", "sync"): (390.0, 7.8),
    ("router", "purezmq", "asyncio"): (440.0, 9.9),
    ("router", "pyzmq", "sync"): (150.0, 17.0),
    ("router", "pyzmq", "asyncio"): (200.0, 55.0),
    ("pubsub", "purezmq", "sync"): (300.0, 4.0),
    ("pubsub", "purezmq", "asyncio"): (1000.0, 10.0),
    ("pubsub", "pyzmq", "sync"): (100.0, 2.5),
    ("pubsub", "pyzmq", "asyncio"): (1500.0, 25.0),
    ("chain", "purezmq", "sync"): (20.0, 1.0),
    ("chain", "purezmq", "asyncio"): (20.0, 2.8),
    ("chain", "pyzmq", "sync"): (20.0, 0.7),
    ("chain", "pyzmq", "asyncio"): (20.0, 12.5),
}
# Both costs grow with N, by (SCALE_GROWTH_N + N) / (SCALE_GROWTH_N + 1,000): purezmq's
# ROUTER took some 3.6 times as long per connection and per request with 10,000
# DEALERs as with 1,000.
SCALE_GROWTH_N = 2500


def guess(step: Step, count: int) -> float:
    """Seconds a run of ``step`` with ``count`` messages should take on a 2-core machine."""
    s = step.scenario
    if s.kind == "idle":
        return IDLE_S
    if s.kind in SCALE_KINDS:
        return _scale_guess(step, count)
    stages = 1 if s.transport == "inproc" else 2
    lib = "floor" if step.lib in FLOORS else step.lib
    # Another library given to --vs is guessed to cost what pyzmq does.
    known = PER_MESSAGE_US.get((s.kind, lib, s.api)) or PER_MESSAGE_US.get((s.kind, "pyzmq", s.api))
    per_message = (known or 1.0) + s.size / BYTES_PER_US
    return stages * STAGE_S + count * per_message / 1e6


def _scale_guess(step: Step, count: int) -> float:
    s = step.scenario
    known = SCALE_US.get((s.kind, step.lib, s.api)) or SCALE_US.get((s.kind, "pyzmq", s.api))
    per_peer, per_unit = known or (300.0, 20.0)
    # count: requests per DEALER, messages to each SUB, messages through the chain
    units = count * (s.peers // 2 if s.kind == "chain" else s.peers)
    stages = 1 if s.kind == "chain" else 2
    growth = (SCALE_GROWTH_N + s.peers) / (SCALE_GROWTH_N + 1000)
    return stages * STAGE_S + growth * (s.peers * per_peer + units * per_unit) / 1e6


def guesses(steps: Sequence[Step], quick: bool, messages: int | None) -> list[float]:
    """The guess for each run of a plan (``messages``: the count forced with --messages)."""
    return [guess(step, step.scenario.count(quick, messages)) for step in steps]


class Estimate:
    """Expected seconds per run of a plan, corrected by the runs that are over."""

    def __init__(self, plan: Sequence[Step], guesses: Sequence[float]) -> None:
        self.plan, self.guesses = plan, list(guesses)
        self.seen: dict[tuple[str, str], list[float]] = {}
        self.guessed_done = self.spent = 0.0

    def done(self, index: int, seconds: float) -> None:
        """Run ``index`` took ``seconds``."""
        step = self.plan[index]
        self.seen.setdefault((step.scenario.name, step.lib), []).append(seconds)
        self.guessed_done += self.guesses[index]
        self.spent += seconds

    def expected(self, index: int) -> float:
        """What run ``index`` should take: as its earlier rounds did, or its scaled guess."""
        step = self.plan[index]
        earlier = self.seen.get((step.scenario.name, step.lib))
        if earlier:
            return sum(earlier) / len(earlier)
        scale = self.spent / self.guessed_done if self.guessed_done > 0 else 1.0
        return self.guesses[index] * scale

    def left(self, index: int, into: float) -> float:
        """Seconds left when run ``index`` has gone on for ``into`` seconds."""
        rest = sum(self.expected(i) for i in range(index + 1, len(self.plan)))
        return rest + max(0.0, self.expected(index) - into)
