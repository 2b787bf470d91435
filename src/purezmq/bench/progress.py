"""The progress on stderr: which run, which round, time elapsed and an estimate of the time left.

On a terminal it is one line rewritten in place (once a second, and at each run's
start); elsewhere, when asked (``--progress``), a line per finished run. ``-v`` adds a
line per finished run with its numbers either way.
"""

from __future__ import annotations

import sys
import textwrap
import threading
import time
from collections.abc import Sequence
from typing import Any, TextIO

from .estimate import Estimate
from .runner import Run
from .spec import Step
from .stopping import block_in_this_thread

LIVE, LOG = "live", "log"
TICK = 1.0  # seconds between redraws of the live line
ERASE = "\r\033[K"


def choose_mode(asked: bool | None, stream: TextIO) -> str | None:
    """``live`` on a terminal, ``log`` elsewhere if asked (--progress), else None
    (and None whenever --no-progress)."""
    if asked is False:
        return None
    if stream.isatty():
        return LIVE
    return LOG if asked else None


def clock(seconds: float) -> str:
    """0:07, 12:05, 1:02:03."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    text = f"{rest // 60}:{rest % 60:02d}"
    return f"{hours}:{text.zfill(5)}" if hours else text


def time_left(seconds: float) -> str:
    """``about 40 s left``, ``about 12 min left`` (rounded as an estimate deserves)."""
    if seconds < 1:
        return "almost done"
    if seconds < 10:
        return f"about {round(seconds)} s left"
    if seconds < 90:
        return f"about {round(seconds / 5) * 5} s left"
    return f"about {round(seconds / 60)} min left"


class Progress:
    """What a run of the plan tells the user while it goes."""

    def __init__(
        self,
        plan: Sequence[Step],
        estimate: Estimate,
        mode: str | None,
        verbose: bool,
        stream: TextIO | None = None,
    ) -> None:
        self.plan, self.estimate, self.mode, self.verbose = plan, estimate, mode, verbose
        self.stream = stream if stream is not None else sys.stderr
        self.rounds = 1 + max((step.repeat for step in plan), default=0)
        self.began = self.run_began = time.monotonic()
        self.index = 0
        self._lock = threading.Lock()
        self._closed = threading.Event()
        if mode == LIVE:
            threading.Thread(target=self._tick, daemon=True).start()

    def start(self, index: int) -> None:
        """Run ``index`` of the plan starts."""
        with self._lock:
            self.index, self.run_began = index, time.monotonic()
        self._redraw()

    def end(self, run: Run) -> None:
        """The run that started last is over."""
        self.estimate.done(self.index, run.seconds)
        if self.verbose or self.mode == LOG:
            line = f"{self._head()}: {describe(run, self.verbose)}"
            if self.mode is not None:
                line += f" | {self._timing()}"
            self._write(line + "\n", erase=self.mode == LIVE)

    def close(self) -> None:
        """No more runs: take the live line away."""
        with self._lock:
            self._closed.set()
            if self.mode == LIVE:
                self._emit("", erase=True)

    def _head(self) -> str:
        step = self.plan[self.index]
        where = f"[{self.index + 1}/{len(self.plan)}] {step.scenario.name} {step.lib}"
        return where + f", round {step.repeat + 1}/{self.rounds}"

    def _timing(self) -> str:
        now = time.monotonic()
        left = self.estimate.left(self.index, now - self.run_began)
        return f"{clock(now - self.began)} elapsed, {time_left(left)}"

    def _redraw(self) -> None:
        if self.mode != LIVE:
            return
        text = f"{self._head()} ... | {self._timing()}"
        with self._lock:
            if not self._closed.is_set():
                self._emit(text, erase=True)

    def _tick(self) -> None:
        block_in_this_thread()
        while not self._closed.wait(TICK):
            self._redraw()

    def _write(self, text: str, erase: bool) -> None:
        with self._lock:
            self._emit(text, erase)

    def _emit(self, text: str, erase: bool) -> None:
        self.stream.write((ERASE if erase else "") + text)
        self.stream.flush()


def describe(run: Run, verbose: bool) -> str:
    """A run's numbers (or why it failed); with ``verbose`` its loops, counters, stacks."""
    if run.status != "ok":
        text = f"{run.status} ({run.note})"
        if verbose:
            for name, stack in run.raw.get("stacks", {}).items():
                text += f"\n    {name} stacks:\n" + textwrap.indent(stack.strip(), "      ")
        return text
    text = " ".join(f"{k}={v:.4g}" for k, v in run.metrics.items()) + f" [{run.seconds:.1f} s]"
    if run.note:
        text += f" ({run.note})"
    if verbose:
        text += "".join(_details(run.raw))
    return text


def _details(raw: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    roles = [("binder", raw.get("binder") or {})]
    roles += [(f"connecter{i}", r or {}) for i, r in enumerate(raw.get("connecters", []))]
    for role, result in roles:
        if result.get("loop"):
            lines.append(f"\n    {role} loop: {result['loop']}")
        if result.get("stats"):
            counters = ", ".join(f"{k}={v}" for k, v in result["stats"].items())
            lines.append(f"\n    {role} statistics(): {counters}")
    return lines
