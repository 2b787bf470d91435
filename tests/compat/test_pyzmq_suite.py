"""pyzmq's own test suite on purezmq, through tools/pyzmq_suite.py (about 70 s).

The harness runs the suite of the pinned pyzmq release with ``import zmq`` giving
purezmq and reports every test as passed, failed, skipped or excluded (C-level
details, listed with a reason in tools/pyzmq_suite_excluded.txt). This test holds the
line: nothing hangs, at least 95 % of the counted tests pass, and nothing fails
outside the security tests (test_auth, test_security, test_curve_keygen), whose
failures are reported and left out of the count only while CURVE is not available.
Deselect it with ``-m "not pyzmq_suite"``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import purezmq

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tools" / "pyzmq_suite.py"
MIN_RATE = 0.95
# What the security work covers (PLAIN, CURVE, ZAP): tolerated while it is pending.
SECURITY_FILES = ("tests/test_auth.py", "tests/test_security.py", "tests/test_curve_keygen.py")
# The harness's own limit is per test; this one is for the whole run.
RUN_DEADLINE = 1500
# pyzmq's gevent variants of its tests, defined only where gevent imports: with gevent
# present each must have run and passed through zmq.green (purezmq.green).
GREEN_CLASSES = (
    "TestSocketGreen", "TestPollGreen", "TestReqRepGreen", "TestMultipartGreen",
    "TestDeviceGreen", "TestPubSubGreen",
)

pytestmark = [pytest.mark.pyzmq_suite, pytest.mark.timeout(RUN_DEADLINE + 60)]


def _run_harness(tmp_path: Path) -> dict[str, Any]:
    report = tmp_path / "suite.json"
    done = subprocess.run(
        [sys.executable, str(HARNESS), "--json", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=RUN_DEADLINE,
    )
    if done.returncode == 1:
        pytest.skip(f"pyzmq's sources could not be had: {done.stderr.strip()[-500:]}")
    assert done.returncode == 0, f"the harness failed ({done.returncode}):\n{done.stderr[-2000:]}"
    outcome: dict[str, Any] = json.loads(report.read_text())
    return outcome


def _security_pending() -> bool:
    return not purezmq.has("curve")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of the suite for the module's tests."""
    return _run_harness(tmp_path_factory.mktemp("pyzmq-suite"))


def test_pyzmq_suite_passes(outcome: dict[str, Any]) -> None:
    failed: dict[str, str] = outcome["failed"]
    assert not outcome["hangs"], f"tests of the suite hung: {outcome['hangs']}"
    security = {t: why for t, why in failed.items() if t.startswith(SECURITY_FILES)}
    others = {t: why for t, why in failed.items() if t not in security}
    lines = [f"{t}: {why.splitlines()[0] if why else ''}" for t, why in sorted(others.items())]
    assert not others, "pyzmq's tests failing on purezmq:\n" + "\n".join(lines)
    if security and not _security_pending():
        pytest.fail(f"security tests failing although CURVE is available: {sorted(security)}")
    # While security is pending its failures are reported, not counted.
    passed = len(outcome["passed"])
    counted = passed + len(failed) - len(security)
    rate = passed / counted if counted else 0.0
    assert rate >= MIN_RATE, (
        f"{passed} of {counted} counted tests passed, {100 * rate:.1f} % < {100 * MIN_RATE:.0f} %"
    )
    if security:
        print(f"{len(security)} failures pending security (PLAIN/CURVE/ZAP):")
        print("\n".join(sorted(security)))


def _gevent_present() -> bool:
    try:
        import gevent  # noqa: F401
    except ImportError:
        return False
    return True


def test_pyzmq_green_tests_ran_on_purezmq_green(outcome: dict[str, Any]) -> None:
    if not _gevent_present():
        pytest.skip("gevent is not installed (the 'green' extra): pyzmq defines no green tests")
    ran = {cls: [t for t in outcome["passed"] if f"::{cls}::" in t] for cls in GREEN_CLASSES}
    missing = [cls for cls, tests in ran.items() if not tests]
    assert not missing, f"pyzmq's green test classes that did not run: {missing}"
    assert sum(map(len, ran.values())) >= 50
