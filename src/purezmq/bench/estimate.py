"""How long the rest of a plan should take, for the progress line.

Before a run, its time is guessed from its message count and what such runs cost on
a 2-core machine (:func:`guess`). Once a scenario has run with a library, its later
rounds are expected to take as long; the other guesses are scaled by how the runs
so far compared with theirs, so that a slower or faster machine is caught up with
after a few runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from .spec import FLOORS, Step

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


def guess(step: Step, count: int) -> float:
    """Seconds a run of ``step`` with ``count`` messages should take on a 2-core machine."""
    s = step.scenario
    if s.kind == "idle":
        return IDLE_S
    stages = 1 if s.transport == "inproc" else 2
    lib = "floor" if step.lib in FLOORS else step.lib
    # Another library given to --vs is guessed to cost what pyzmq does.
    known = PER_MESSAGE_US.get((s.kind, lib, s.api)) or PER_MESSAGE_US.get((s.kind, "pyzmq", s.api))
    per_message = (known or 1.0) + s.size / BYTES_PER_US
    return stages * STAGE_S + count * per_message / 1e6


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
