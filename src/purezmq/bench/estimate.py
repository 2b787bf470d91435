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

STAGE_S = 0.3  # starting worker processes and importing the library, per stage
BYTES_PER_US = 1500.0  # how fast the payload moves, roughly (1.5 GB/s)
IDLE_S = 1.5  # the idle scenario: 100 pairs and its settling pauses
# Microseconds per message (per round trip for lat) beside the payload's bytes:
# (kind, library, api); the floors go as "floor".
PER_MESSAGE_US: dict[tuple[str, str, str], float] = {
    ("thr", "purezmq", "sync"): 0.5,
    ("thr", "purezmq", "asyncio"): 1.0,
    ("thr", "pyzmq", "sync"): 0.5,
    ("thr", "pyzmq", "asyncio"): 10.0,
    ("thr", "floor", "sync"): 0.2,
    ("thr", "floor", "asyncio"): 0.3,
    ("lat", "purezmq", "sync"): 90.0,
    ("lat", "purezmq", "asyncio"): 90.0,
    ("lat", "pyzmq", "sync"): 60.0,
    ("lat", "pyzmq", "asyncio"): 180.0,
    ("lat", "floor", "sync"): 50.0,
    ("lat", "floor", "asyncio"): 100.0,
    ("fan", "purezmq", "sync"): 10.0,
    ("fan", "purezmq", "asyncio"): 10.0,
    ("fan", "pyzmq", "sync"): 8.0,
    ("fan", "pyzmq", "asyncio"): 40.0,
}


def guess(step: Step, count: int) -> float:
    """Seconds a run of ``step`` with ``count`` messages should take on a 2-core machine."""
    s = step.scenario
    if s.kind == "idle":
        return IDLE_S
    stages = 1 if s.transport == "inproc" else 2
    lib = "floor" if step.lib in FLOORS else step.lib
    per_message = PER_MESSAGE_US.get((s.kind, lib, s.api), 1.0) + s.size / BYTES_PER_US
    return stages * STAGE_S + count * per_message / 1e6


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
