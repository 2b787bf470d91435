"""purezmq's public types, as mypy --strict sees them: tests/typecheck/cases.py checks
clean except on the lines marked ``# E: <code>``, each with exactly that error.

mypy runs in this process on the one file, against this tree's source (MYPYPATH), with
the project's configuration and a cache kept in the temporary directory between runs.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="the typing test needs mypy (the test extra)")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES = HERE / "cases.py"
CACHE = Path(tempfile.gettempdir()) / "purezmq-typing-mypy-cache"
_MARK = re.compile(r"#\s*E:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)\s*$")
_ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<text>.*)\s+\[(?P<code>[a-z-]+)\]$")


def expected_errors() -> set[tuple[int, str]]:
    """(line, error code) for every ``# E:`` mark in the cases file."""
    found = set()
    for number, line in enumerate(CASES.read_text().splitlines(), start=1):
        match = _MARK.search(line)
        if match:
            found |= {(number, code.strip()) for code in match.group(1).split(",")}
    return found


@pytest.fixture(scope="module")
def mypy_report() -> tuple[list[str], str]:
    """mypy's error lines, and its whole output (for failure messages)."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("MYPYPATH", str(ROOT / "src"))
    try:
        stdout, stderr, _ = mypy_api.run([
            str(CASES),
            "--config-file", str(ROOT / "pyproject.toml"),
            "--strict",
            "--cache-dir", str(CACHE),
            "--show-error-codes",
            "--no-error-summary",
            "--hide-error-context",
            "--no-pretty",
        ])
    finally:
        monkeypatch.undo()
    assert not stderr, stderr
    return [line for line in stdout.splitlines() if ": error: " in line], stdout


def _errors_in_cases(report: list[str]) -> set[tuple[int, str]]:
    errors = set()
    for line in report:
        match = _ERROR.match(line)
        if match and Path(match["path"]).resolve() == CASES:
            errors.add((int(match["line"]), match["code"]))
    return errors


def test_the_cases_file_marks_wrong_uses() -> None:
    """The issue's three examples are among the marked errors."""
    text = CASES.read_text()
    for use in ("x: int = sock.recv()", "y: int = sock.recv_string()", "sock.nosuchmethod()"):
        assert re.search(re.escape(use) + r"\s+# E: ", text), use


def test_every_wrong_use_is_an_error(mypy_report: tuple[list[str], str]) -> None:
    """Each marked line gives the error it is marked with."""
    report, output = mypy_report
    missing = sorted(expected_errors() - _errors_in_cases(report))
    assert missing == [], f"no longer errors (line, code): {missing}\n{output}"


def test_every_right_use_checks_clean(mypy_report: tuple[list[str], str]) -> None:
    """No error on an unmarked line, nor in purezmq itself (the package mypy follows)."""
    report, output = mypy_report
    unexpected = sorted(_errors_in_cases(report) - expected_errors())
    elsewhere = [line for line in report if not _ERROR.match(line)
                 or Path(_ERROR.match(line)["path"]).resolve() != CASES]  # type: ignore[index]
    assert unexpected == [], f"errors on right uses (line, code): {unexpected}\n{output}"
    assert elsewhere == [], output
