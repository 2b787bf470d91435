"""Ctrl-C and SIGTERM stop ``purezmq bench`` cleanly.

A long plan of tiny runs starts; once the first result line is out, one of its
workers is frozen (SIGSTOP) so that a run is certainly in progress, and the bench is
signalled. It must exit 128 + N without a traceback, report and write the runs that
finished, and leave none of its workers behind, the frozen one included.
"""

from __future__ import annotations

import gc
import json
import os
import queue
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from purezmq.bench.runner import _Worker, worker_env
from purezmq.bench.spec import Params

SRC = Path(__file__).resolve().parents[2] / "src"
DEADLINE = 30.0

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended while we looked
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def is_worker(pid: int) -> bool:
    """Whether ``pid`` runs a bench worker (and so is past its exec: a child stopped
    between fork and exec would hold its parent in Popen)."""
    try:
        return b"purezmq.bench.worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def alive(pid: int) -> bool:
    """Whether ``pid`` is still a process (a zombie no longer counts)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@contextmanager
def bench(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A bench of many tiny inproc runs, in a session of its own (as behind a terminal)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    args = ["--filter", "thr-inproc-16-sync", "--no-floor", "--repeat", "200"]
    args += ["--messages", "2", "--progress", "--json", str(tmp_path / "out.json")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "purezmq", "bench", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def first_result(proc: subprocess.Popen[str]) -> str:
    """The first line that reports a finished run."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("[1/"):
            return line
    raise AssertionError(f"the bench ended without a result (status {proc.wait()})")


def freeze_a_worker(parent: int, seen: set[int]) -> int:
    """Stop (SIGSTOP) one of ``parent``'s workers while it runs; every worker met goes
    into ``seen``."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        for pid in children(parent):
            seen.add(pid)
            if not is_worker(pid):
                continue
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                continue
            if pid in children(parent) and alive(pid):
                return pid
        time.sleep(0.005)  # polling /proc for the next worker, bounded by the deadline
    raise AssertionError("no worker caught running")


@pytest.mark.parametrize(
    ("signum", "group"), [(signal.SIGINT, True), (signal.SIGTERM, False)], ids=["INT", "TERM"]
)
def test_a_signal_stops_it_cleanly(tmp_path: Path, signum: int, group: bool) -> None:
    seen: set[int] = set()
    with bench(tmp_path) as proc:
        assert "thr-inproc-16-sync" in first_result(proc)
        frozen = freeze_a_worker(proc.pid, seen)
        try:
            # Ctrl-C reaches the terminal's whole process group; kill(1) one process.
            (os.killpg if group else os.kill)(proc.pid, signum)
            stdout, stderr = proc.communicate(timeout=DEADLINE)
        finally:
            if alive(frozen):
                os.kill(frozen, signal.SIGKILL)
        assert proc.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr
    assert f"interrupted by {signal.Signals(signum).name}" in stdout
    assert "thr-inproc-16-sync" in stdout  # the table of what finished
    doc: dict[str, Any] = json.loads((tmp_path / "out.json").read_text())
    assert doc["meta"]["interrupted"] == signal.Signals(signum).name
    assert 1 <= len(doc["runs"]) == doc["meta"]["runs_done"] < doc["meta"]["runs_planned"]
    assert all(run["status"] == "ok" for run in doc["runs"])
    assert doc["medians"]["thr-inproc-16-sync"]["purezmq"]["median"]["msg_s"] > 0
    assert frozen in seen
    assert not [pid for pid in seen if alive(pid)]


def test_releasing_a_worker_that_already_died_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The "go" written to a dead worker fails; the pipe must be closed then, not when the
    collector finalizes it (which printed a stray traceback into an interrupted run)."""
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    params = Params("no-such-role", "purezmq", "sync", "thr", "inproc", 16, 1, "")
    worker = _Worker("w", params, worker_env(False), queue.SimpleQueue())
    worker.kill()
    worker.popen.wait()
    worker.reader.join()
    worker.release()
    assert worker.popen.stdin is not None and worker.popen.stdin.closed
    worker.reap(time.monotonic() + DEADLINE)
    del worker
    gc.collect()
    assert unraisable == []
