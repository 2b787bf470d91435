"""Run pyzmq's own test suite against purezmq, and say how much of it passes.

    python tools/pyzmq_suite.py [--against purezmq|pyzmq] [--timeout S] [pytest args...]

It downloads pyzmq's source distribution with pip (cached under
``.pyzmq-suite/``), extracts its ``tests/`` and ``pytest.ini`` into a directory of
their own (pyzmq's own ``zmq/`` package must not be importable there), and runs them
with ``purezmq run -m pytest``, so that every ``import zmq`` gives purezmq. With
``--against pyzmq`` the same tests run on pyzmq itself, for reference.

The result counts every test except those listed, with a reason each, in
``tools/pyzmq_suite_excluded.txt`` (tests of C-level details purezmq cannot have).
Those still run, except the ones whose reason begins with ``not run:`` (a test that
would wait for ever, on pyzmq too): pytest deselects them.
It prints passed / failed / skipped, the pass rate over the tests that ran, each
failure, and writes the whole outcome as JSON with ``--json FILE``. Exit status: 0 if
the suite ran, 1 if pyzmq's sources could not be had (no network: said on stderr), 2 if
pytest itself could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

PYZMQ_VERSION = "27.3.0"
ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".pyzmq-suite"
EXCLUDED = Path(__file__).with_name("pyzmq_suite_excluded.txt")
# pytest-timeout's limit for one test: a hang is a failure, never a stuck run.
TEST_TIMEOUT = 60
# The excluded tests whose reason starts so are deselected, not run.
NOT_RUN = "not run:"


@dataclass
class Outcome:
    """What one run of the suite gave."""

    against: str
    passed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        ran = len(self.passed) + len(self.failed)
        return len(self.passed) / ran if ran else 0.0

    @property
    def hangs(self) -> list[str]:
        return [test for test, why in self.failed.items() if "Timeout" in why]


def fetch_tests() -> Path:
    """pyzmq's tests/ and pytest.ini, extracted under CACHE; raises OSError if pip fails."""
    suite = CACHE / f"pyzmq-{PYZMQ_VERSION}-tests"
    if (suite / "tests" / "conftest.py").exists():
        return suite
    CACHE.mkdir(exist_ok=True)
    archive = CACHE / f"pyzmq-{PYZMQ_VERSION}.tar.gz"
    if not archive.exists():
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", f"pyzmq=={PYZMQ_VERSION}",
             "--no-binary", ":all:", "--no-deps", "-q", "-d", str(CACHE)],
            capture_output=True, text=True,
        )
        if done.returncode or not archive.exists():
            raise OSError(f"pip could not download pyzmq {PYZMQ_VERSION}: {done.stderr[-500:]}")
    _extract(archive, suite)
    return suite


def _extract(archive: Path, suite: Path) -> None:
    prefix = f"pyzmq-{PYZMQ_VERSION}/"
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix(prefix)
            if name == "pytest.ini" or name.startswith("tests/"):
                member.name = name
                tar.extract(member, suite, filter="data")


def read_excluded() -> dict[str, str]:
    """Test id -> reason, from the excluded list (``id  # reason`` per line)."""
    excluded = {}
    for line in EXCLUDED.read_text().splitlines():
        test, _, reason = line.partition("#")
        if test.strip():
            excluded[test.strip()] = reason.strip()
    return excluded


def run(suite: Path, against: str, extra: list[str]) -> Outcome:
    """Run the suite in ``suite`` on ``against`` ("purezmq" or "pyzmq")."""
    report = suite / f"report-{against}.xml"
    not_run = [test for test, why in read_excluded().items() if why.startswith(NOT_RUN)]
    pytest = ["-m", "pytest", "tests", "-p", "no:cacheprovider", "-q",
              f"--timeout={TEST_TIMEOUT}", f"--junitxml={report}",
              *(f"--deselect={test}" for test in not_run), *extra]
    command = [sys.executable, *(["-m", "purezmq", "run"] if against == "purezmq" else []),
               *pytest]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if against == "purezmq":
        # The purezmq of this tree, whatever the interpreter has installed (a venv's
        # editable install may point at another checkout).
        env["PYTHONPATH"] = str(ROOT / "src")
    env.pop("ZMQ_TEST_TIMEOUT", None)
    if report.exists():
        report.unlink()
    subprocess.run(command, cwd=suite, env=env)
    if not report.exists():
        raise RuntimeError("pytest wrote no report")
    return _read_report(report, against)


def _read_report(report: Path, against: str) -> Outcome:
    outcome = Outcome(against, excluded=read_excluded())
    for case in ET.parse(report).getroot().iter("testcase"):
        test = _test_id(case)
        if test in outcome.excluded:
            continue
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        skipped = case.find("skipped")
        if problem is not None:
            outcome.failed[test] = (problem.get("message") or "")[:300]
        elif skipped is not None:
            outcome.skipped[test] = (skipped.get("message") or "")[:300]
        else:
            outcome.passed.append(test)
    return outcome


def _test_id(case: ET.Element) -> str:
    """``tests/test_x.py::Class::test`` from a junit testcase (classname tests.test_x.Class)."""
    parts = (case.get("classname") or "").split(".")
    module = [p for p in parts if not p[:1].isupper()]
    classes = [p for p in parts if p[:1].isupper()]
    return "::".join(["/".join(module) + ".py", *classes, case.get("name") or ""])


def summarise(outcome: Outcome) -> str:
    """The outcome as the lines to print."""
    lines = [
        f"pyzmq {PYZMQ_VERSION}'s tests on {outcome.against}: {len(outcome.passed)} passed,"
        f" {len(outcome.failed)} failed, {len(outcome.skipped)} skipped,"
        f" {len(outcome.excluded)} excluded (tools/pyzmq_suite_excluded.txt)",
        f"pass rate over the tests that ran: {100 * outcome.rate:.1f} %",
    ]
    if outcome.hangs:
        lines.append(f"HUNG (timed out after {TEST_TIMEOUT} s): {', '.join(outcome.hangs)}")
    lines += [f"FAILED {test}: {why}" for test, why in sorted(outcome.failed.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", choices=["purezmq", "pyzmq"], default="purezmq")
    parser.add_argument("--json", metavar="FILE", help="write the outcome as JSON")
    args, extra = parser.parse_known_args(argv)
    try:
        suite = fetch_tests()
    except OSError as exc:
        print(f"pyzmq_suite: {exc}", file=sys.stderr)
        return 1
    try:
        outcome = run(suite, args.against, extra)
    except RuntimeError as exc:
        print(f"pyzmq_suite: {exc}", file=sys.stderr)
        return 2
    print(summarise(outcome))
    if args.json:
        data = {**asdict(outcome), "rate": outcome.rate, "hangs": outcome.hangs}
        Path(args.json).write_text(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
