"""Jupyter on purezmq: a real ipykernel driven by a real jupyter_client, both on purezmq.

Each client flavour (blocking, threaded, asyncio) over each transport (tcp, ipc) is
one child process (``jupyter_driver.py``, which installs purezmq as ``zmq``). It starts
its kernel with ``python -m purezmq run -m ipykernel_launcher`` and runs the checks on
that kernel. The children run three at a time, each under a deadline, and each check is
reported as a test of its own here. This process's ``zmq`` stays pyzmq.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ipykernel", reason="the Jupyter tests need ipykernel")
pytest.importorskip("jupyter_client", reason="the Jupyter tests need jupyter_client")


DRIVER = Path(__file__).with_name("jupyter_driver.py")
FLAVOURS = ["blocking", "threaded", "async"]
TRANSPORTS = ["tcp", "ipc"]
CHECKS = [
    "start",
    "purezmq_everywhere",
    "kernel_info",
    "execute",
    "streams",
    "error",
    "complete",
    "inspect",
    "stdin",
    "heartbeat",
    "hb_channel",
    "buffers",
    "interrupt_signal",
    "interrupt_message",
    "restart",
    "shutdown",
]
CHILD_DEADLINE = 120.0
WORKERS = 3  # client processes at a time: they mostly wait for their kernels

# The module's first test also runs every client process (the module fixture).
pytestmark = pytest.mark.timeout(int(CHILD_DEADLINE * 2 + 60))


def _run_driver(flavour: str, transport: str) -> dict[str, dict[str, Any]]:
    """Run one client process; its checks by name (a missing one did not report)."""
    workdir = tempfile.mkdtemp(prefix="pzj")
    env = dict(os.environ)
    env["JUPYTER_RUNTIME_DIR"] = os.path.join(workdir, "runtime")
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    # The child's zmq is purezmq through install_as_zmq(), not through PYTHONPATH.
    env.pop("PYTHONPATH", None)
    try:
        done = subprocess.run(
            [sys.executable, str(DRIVER), flavour, transport, workdir],
            capture_output=True,
            text=True,
            timeout=CHILD_DEADLINE,
            env=env,
        )
        out, err = done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        err = f"the client did not finish within {CHILD_DEADLINE}s"
    results = {}
    for line in out.splitlines():
        if line.startswith("{"):
            result = json.loads(line)
            results[result["check"]] = result
    results["_stderr"] = {"detail": err[-4000:]}
    return results


@pytest.fixture(scope="module")
def reports() -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """Every flavour x transport run, WORKERS at a time."""
    runs = [(flavour, transport) for flavour in FLAVOURS for transport in TRANSPORTS]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        done = pool.map(lambda run: _run_driver(*run), runs)
        return dict(zip(runs, done, strict=True))


# Now and then (a few interrupts in a few hundred under load) the interrupted cell's
# reply does not come: the kernel's main thread is still asleep in the cell's
# time.sleep(), SIGINT is caught (not blocked, not ignored, not pending) and Python's
# flag for it is set, so the KeyboardInterrupt comes as soon as anything else wakes
# that thread. The signal was taken by another of the kernel's threads (ipykernel's
# own threads do not block signals), and a sleeping main thread is not woken by a
# signal another thread handles. It happens with pyzmq on both sides too, at the same
# rate, in the same driver: an OS-and-ipykernel race, not a purezmq one.
INTERRUPT_SOMETIMES_LOSES_THE_REPLY = pytest.mark.xfail(
    reason="intermittent, with pyzmq as with purezmq: SIGINT is sometimes taken by one of"
    " the kernel's other threads, and the main thread sleeps on in the cell",
    strict=False,
)


def _marks(flavour: str, check: str) -> list[Any]:
    if check in ("interrupt_signal", "interrupt_message"):
        return [INTERRUPT_SOMETIMES_LOSES_THE_REPLY]
    return []


def _params() -> list[Any]:
    params = []
    for flavour in FLAVOURS:
        for transport in TRANSPORTS:
            for check in CHECKS:
                marks = _marks(flavour, check)
                params.append(pytest.param(flavour, transport, check, marks=marks))
    return params


@pytest.mark.parametrize(("flavour", "transport", "check"), _params())
def test_jupyter(
    reports: dict[tuple[str, str], dict[str, dict[str, Any]]],
    flavour: str,
    transport: str,
    check: str,
) -> None:
    """The check passed in the client process of this flavour and transport."""
    report = reports[(flavour, transport)]
    result = report.get(check)
    assert result is not None, f"{check} did not run; the client's stderr:\n" + report[
        "_stderr"
    ]["detail"]
    assert result["ok"], result["detail"]
