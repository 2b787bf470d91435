"""Running the green test programs: each in a child process with a deadline.

gevent's monkey-patching is global and cannot be undone, so every test that patches
runs a program from ``programs/`` in a child interpreter; a child that outlives its
deadline is killed and the test fails, so nothing hangs CI.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROGRAMS = Path(__file__).parent / "programs"
DEADLINE = 20.0

gevent = pytest.importorskip("gevent", reason="purezmq.green needs gevent (the 'green' extra)")


def start(program: str, *args: str) -> subprocess.Popen[str]:
    """``programs/<program>.py args`` in a child Python, its stdout a pipe of lines."""
    return subprocess.Popen(
        [sys.executable, str(PROGRAMS / f"{program}.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def finish(child: subprocess.Popen[str], deadline: float = DEADLINE) -> dict[str, Any]:
    """Wait for ``child`` (killing it after ``deadline`` s); its last stdout line as
    JSON. Fails unless it exited with status 0."""
    try:
        out, err = child.communicate(timeout=deadline)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        pytest.fail(f"{child.args} still running after {deadline}s\n{out}\n{err}")
    assert child.returncode == 0, f"{child.args} exited {child.returncode}\n{out}\n{err}"
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines, f"{child.args} printed nothing\n{err}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run(program: str, *args: str, deadline: float = DEADLINE) -> dict[str, Any]:
    """Run a program to its end; its result (see :func:`finish`)."""
    return finish(start(program, *args), deadline)


def first_line(child: subprocess.Popen[str]) -> dict[str, Any]:
    """The first line a running child prints, as JSON (its endpoint, its port ...);
    fails if none comes within the deadline."""
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], DEADLINE)
    line = child.stdout.readline() if ready else ""
    if not line:
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"{child.args} printed no first line\n{err}")
    result: dict[str, Any] = json.loads(line)
    return result
