"""The parent's side of one run: start the workers, wait (bounded), collect, clean up."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .metrics import metrics
from .spec import FLOORS, ROLES, SCALE_KINDS, SOLO_ROLES, Params, Scenario, connecter_shares
from .stopping import WAKE, StopRequest, block_in_this_thread

EXIT_GRACE = 5.0  # seconds a worker has to exit once released
STACKS_WAIT = 0.5  # seconds for a stuck worker to print its stacks (SIGUSR1) before the kill
# The scale scenarios' runs are killed after this many times --timeout, and their
# workers given this many times EXIT_GRACE: thousands of connections are made before
# their timed part and closed after it (purezmq took over 5 s to close a ROUTER
# with 10,000 connections).
SCALE_TIMEOUTS = 5


@dataclass
class Options:
    quick: bool
    timeout: float
    messages: int | None
    ipc_dir: str
    stats: bool = False
    uvloop: bool = False
    stop: StopRequest = field(default_factory=StopRequest)


@dataclass
class Run:
    scenario: str
    lib: str
    repeat: int
    status: str = "ok"  # ok, timeout, error
    seconds: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    note: str = ""


class _Failed(Exception):
    pass


class _TimedOut(Exception):
    pass


def worker_env(uvloop: bool) -> dict[str, str]:
    """The environment of the workers: this purezmq importable, uvloop asked for if wanted."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    if uvloop:
        env["PUREZMQ_UVLOOP"] = "1"
    return env


class _Worker:
    def __init__(self, name: str, p: Params, env: dict[str, str], events: queue.SimpleQueue[Any]):
        self.name = name
        self.stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in reap)
        # A session of its own: a Ctrl-C at the terminal reaches the parent alone, which
        # then kills the workers it started, rather than each of them dying its own way.
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "purezmq.bench.worker", p.to_json()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self.ready: dict[str, str] | None = None
        self.result: dict[str, Any] | None = None
        self.failure = ""  # why it could not run, if it said so
        self.reader = threading.Thread(target=self._read, args=(events,), daemon=True)
        self.reader.start()

    def _read(self, events: queue.SimpleQueue[Any]) -> None:
        block_in_this_thread()
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            events.put((self, line))
        events.put((self, None))

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def stderr_tail(self, lines: int = 6) -> str:
        return " | ".join(self.stderr_text().strip().splitlines()[-lines:])

    def release(self) -> None:
        stdin = self.popen.stdin
        assert stdin is not None
        # It may have exited already (inproc runs do not wait, a killed one cannot read):
        # the write then fails, and the close must still happen here, or the unflushed
        # "go" fails again when the collector finalizes the pipe, as a stray traceback.
        with contextlib.suppress(OSError, ValueError):
            stdin.write("go\n")
        with contextlib.suppress(OSError, ValueError):
            stdin.close()

    def kill(self) -> None:
        """SIGKILL, if it still runs (stopped or not)."""
        if self.popen.poll() is None:
            self.popen.kill()

    def reap(self, deadline: float) -> bool:
        """Wait for the exit until ``deadline``, else kill; True if it exited by itself.

        Its last lines are read (and queued) by the time this returns.
        """
        try:
            self.popen.wait(max(0.0, deadline - time.monotonic()))
            return True
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            return False
        finally:
            self.reader.join(max(0.0, deadline - time.monotonic()))
            self.stderr.close()


class _Session:
    def __init__(
        self, deadline: float, env: dict[str, str], stop: StopRequest, grace: float = EXIT_GRACE
    ) -> None:
        self.deadline, self.env, self.stop, self.grace = deadline, env, stop, grace
        # A SimpleQueue: the stop signal's handler puts on it, maybe in the middle of a get.
        self.events: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.workers: list[_Worker] = []

    def start(self, name: str, p: Params) -> _Worker:
        worker = _Worker(name, p, self.env, self.events)
        self.workers.append(worker)
        return worker

    def pump(self, done: Any, waiting_for: str) -> None:
        """Handle the workers' lines until ``done()``; raise on a timeout, a worker's death
        or a stop signal (:class:`.Interrupted`)."""
        with self.stop.waking(self.events):
            while not done():
                self.stop.check()
                self._next(waiting_for)

    def _next(self, waiting_for: str) -> None:
        remaining = self.deadline - time.monotonic()
        try:
            event = self.events.get(timeout=max(0.0, remaining))
        except queue.Empty:
            silent = [w.name for w in self.workers if w.result is None]
            raise _TimedOut(f"{waiting_for}; no result from {', '.join(silent)}") from None
        if event is not WAKE:
            self._handle(*event)

    def _handle(self, worker: _Worker, line: str | None) -> None:
        """One line of a worker's (None: its end of output)."""
        if line is None:
            if worker.result is None:
                worker.popen.wait()
                code = worker.popen.returncode
                why = worker.failure or worker.stderr_tail()
                raise _Failed(f"{worker.name} exited {code}: {why}")
            return
        tag, _, data = line.partition(" ")
        if tag == "READY":
            worker.ready = json.loads(data)
        elif tag == "RESULT":
            worker.result = json.loads(data)
        elif tag == "FAIL":
            worker.failure = json.loads(data)
        elif tag == "CPU" and worker.result is not None:
            # Said once released, after the result: into the result, where metrics look.
            worker.result["cpu_end"] = json.loads(data)

    def stacks(self) -> dict[str, str]:
        """Every live worker's threads' stacks (asked for with SIGUSR1), by worker."""
        alive = [w for w in self.workers if w.popen.poll() is None]
        for worker in alive:
            worker.popen.send_signal(signal.SIGUSR1)
        time.sleep(STACKS_WAIT)
        return {w.name: w.stderr_text()[-4000:] for w in alive}

    def finish(self, ok: bool) -> str:
        """Release or kill every worker; a note if one had to be killed after its result."""
        if not ok:
            for worker in self.workers:
                worker.kill()
        for worker in self.workers:
            worker.release()
        deadline = time.monotonic() + self.grace
        stuck = [w.name for w in self.workers if not w.reap(deadline)]
        if ok:
            self._drain()  # a killed worker's last line may be cut short: not read
        return f"killed at exit: {', '.join(stuck)}" if ok and stuck else ""

    def _drain(self) -> None:
        """Handle the lines the workers said after their results (their CPU times)."""
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            if event is not WAKE and event[1] is not None:
                self._handle(*event)


def limits_of(s: Scenario, opts: Options) -> tuple[float, float]:
    """Seconds before a run of ``s`` is killed, and for its workers to exit once released."""
    times = SCALE_TIMEOUTS if s.kind in SCALE_KINDS else 1
    return opts.timeout * times, EXIT_GRACE * times


def _params(s: Scenario, lib: str, role: str, opts: Options) -> Params:
    count = s.count(opts.quick, opts.messages)
    return Params(
        role=role,
        lib=lib,
        api=s.api,
        kind=s.kind,
        transport=s.transport,
        size=s.size,
        count=count,
        ipc_dir=opts.ipc_dir,
        stats=opts.stats and lib not in FLOORS,
        uvloop=opts.uvloop,
        copy=s.copy,
        curve=s.curve,
        peers=s.peers,
        lifetime=sum(limits_of(s, opts)) + 30,
    )


def _collect(session: _Session, s: Scenario, lib: str, opts: Options) -> dict[str, Any]:
    """Start the run's workers and return their results as {binder, connecters}."""
    solo = SOLO_ROLES.get(s.kind)
    if solo or s.transport == "inproc":
        role = solo or "inproc"
        only = session.start(role, _params(s, lib, role, opts))
        session.pump(lambda: only.result is not None, f"the {role} result")
        assert only.result is not None
        if solo:
            return {"binder": only.result, "connecters": []}
        return only.result
    binder_role, connecter_role, _ = ROLES[s.kind]
    binder = session.start(binder_role, _params(s, lib, binder_role, opts))
    session.pump(lambda: binder.ready is not None, f"{binder_role} to bind")
    assert binder.ready is not None
    p = _params(s, lib, connecter_role, opts).but(endpoints=binder.ready)
    connecters = [
        session.start(f"{connecter_role}{i}", p.but(peers=len(share), first=share.start))
        for i, share in enumerate(connecter_shares(s))
    ]
    everyone = [binder, *connecters]
    session.pump(lambda: all(w.result is not None for w in everyone), "the results")
    return {"binder": binder.result, "connecters": [w.result for w in connecters]}


def run_once(s: Scenario, lib: str, repeat: int, opts: Options) -> Run:
    """One run of one scenario with one library (or the floor), bounded by ``opts.timeout``."""
    run = Run(s.name, lib, repeat)
    start = time.monotonic()
    timeout, grace = limits_of(s, opts)
    session = _Session(start + timeout, worker_env(opts.uvloop), opts.stop, grace)
    ok = False
    try:
        run.raw = _collect(session, s, lib, opts)
        ok = True
    except _TimedOut as exc:
        run.status, run.note = "timeout", f"{timeout:g} s waiting for {exc}"
        run.raw = {"stacks": session.stacks()}
    except (_Failed, OSError, KeyError, ValueError) as exc:
        run.status, run.note = "error", str(exc)
    finally:
        exit_note = session.finish(ok)
    run.note = run.note or exit_note
    run.seconds = time.monotonic() - start
    if ok:
        _measured(run, s)
    return run


def _measured(run: Run, s: Scenario) -> None:
    """The run's metrics from its workers' results (an error if they do not add up)."""
    try:
        run.metrics = metrics(s, run.raw)
    except (KeyError, ValueError, ZeroDivisionError) as exc:
        run.status, run.note = "error", f"its results do not add up: {exc!r}"
