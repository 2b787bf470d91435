"""The bench's progress line (the run, its round, the time elapsed, an estimate of the
time left) and the durations its --help states, which come from the same estimate."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from purezmq.bench import progress as progress_module
from purezmq.bench.estimate import Estimate, guesses
from purezmq.bench.progress import ERASE, LIVE, LOG, Progress, choose_mode, clock, time_left
from purezmq.bench.report import libs_of
from purezmq.bench.runner import Run
from purezmq.bench.spec import APIS, TRANSPORTS, Scenario, plan, select

THR = Scenario("thr", "inproc", 16, "sync")
LAT = Scenario("lat", "inproc", 16, "sync")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(progress_module, "time", fake)
    return fake


def test_clock_and_time_left_read_as_a_person_would_say_them() -> None:
    assert [clock(s) for s in (0, 7.9, 65, 725, 3723)] == ["0:00", "0:07", "1:05", "12:05",
                                                          "1:02:03"]
    assert time_left(0.4) == "almost done"
    assert time_left(7.4) == "about 7 s left"
    assert time_left(42) == "about 40 s left"
    assert time_left(130) == "about 2 min left"
    assert time_left(12 * 60 + 20) == "about 12 min left"


def test_the_estimate_learns_from_the_runs_that_are_over() -> None:
    steps = plan([THR, LAT], ["purezmq"], 2, floors=False)
    estimate = Estimate(steps, [1.0, 1.0, 2.0, 2.0])
    assert estimate.left(0, 0.0) == 6.0
    assert estimate.left(0, 0.25) == 5.75  # the run under way counts down
    assert estimate.left(0, 5.0) == 5.0  # and never below zero
    estimate.done(0, 3.0)  # three times slower than guessed
    assert estimate.expected(1) == 3.0  # the same scenario's next round: as its first
    assert estimate.expected(2) == 6.0  # another one: its guess, scaled by 3
    assert estimate.left(1, 0.0) == 3.0 + 6.0 + 6.0


def test_each_finished_run_logs_its_place_elapsed_and_left(fake_clock: FakeClock) -> None:
    steps = plan([THR, LAT], ["purezmq"], 2, floors=False)
    stream = io.StringIO()
    shown = Progress(steps, Estimate(steps, [10.0, 10.0, 100.0, 100.0]), LOG, False, stream)
    shown.start(0)
    assert stream.getvalue() == ""  # the log mode writes when a run is over
    fake_clock.now += 20.0
    shown.end(Run(THR.name, "purezmq", 0, seconds=20.0, metrics={"msg_s": 5.0}))
    shown.start(1)
    fake_clock.now += 1.0
    shown.end(Run(THR.name, "purezmq", 1, status="timeout", seconds=1.0, note="killed"))
    first, second = stream.getvalue().splitlines()
    # After the first run, 2 x slower than guessed: 20 + 200 + 200 s left.
    assert first == (f"[1/4] {THR.name} purezmq, round 1/2: msg_s=5 [20.0 s] | 0:20 elapsed,"
                     " about 7 min left")
    assert second.startswith(f"[2/4] {THR.name} purezmq, round 2/2: timeout (killed) |")
    # 21 s spent where 20 were guessed: the other scenario's 2 x 100 s scaled by 1.05.
    assert second.endswith("0:21 elapsed, about 4 min left")


def test_on_a_terminal_one_line_is_rewritten_and_taken_away(fake_clock: FakeClock) -> None:
    steps = plan([THR], ["purezmq", "pyzmq"], 1, floors=False)
    stream = Terminal()
    assert choose_mode(None, stream) == LIVE
    assert choose_mode(False, stream) is None
    assert choose_mode(None, io.StringIO()) is None
    assert choose_mode(True, io.StringIO()) == LOG
    shown = Progress(steps, Estimate(steps, [30.0, 30.0]), LIVE, False, stream)
    try:
        shown.start(1)
        fake_clock.now += 12.0
        shown._redraw()  # what the ticking thread does every second
    finally:
        shown.close()
    text = stream.getvalue()
    assert text.startswith(ERASE + f"[2/2] {THR.name} pyzmq, round 1/1 ... | 0:00 elapsed,"
                           " about 30 s left")
    assert ERASE + f"[2/2] {THR.name} pyzmq, round 1/1 ... | 0:12 elapsed, about 20 s left" in text
    assert text.endswith(ERASE)


def test_help_states_what_the_progress_line_estimates_for_the_default_runs() -> None:
    out = subprocess.run([sys.executable, "-m", "purezmq", "bench", "--help"],
                         capture_output=True, text=True, check=True).stdout
    paragraph = " ".join(out.split("How long:", 1)[1].split("\n\n", 1)[0].split())
    stated = [int(n) for n in re.findall(r"about (\d+)", paragraph)]
    scenarios = select(list(APIS), list(TRANSPORTS), [], False)
    estimated = []
    for quick in (False, True):
        for vs in (None, "pyzmq"):
            steps = plan(scenarios, libs_of(vs), 3, True)  # the default plan
            before_any_run = Estimate(steps, guesses(steps, quick, None)).left(0, 0.0)
            estimated.append(round(before_any_run / 60))
    assert stated == estimated
    assert estimated[1] > estimated[0] > estimated[2] > 0  # --vs costs, --quick saves
