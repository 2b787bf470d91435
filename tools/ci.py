"""The project's checks, in the order CI runs them; exit status 0 only if all pass.

    python tools/ci.py [--quick]

1. ``ruff check`` and ``mypy`` (strict, configured in pyproject.toml);
2. the whole test suite on this interpreter (pyzmq's own suite and the docs site
   included, through tests/compat and tests/docs);
3. the suite again with every engine shortcut off (``PUREZMQ_FASTPATHS=off``): the
   shortcuts must not change behaviour, so the same tests pass both ways;
4. the suite on each other CPython from 3.10 to 3.13 that the machine has, each in a
   virtual environment of its own under ``.ci/venvs/`` (made once, then reused); a
   version the machine lacks is skipped with a line saying so.

Steps 3 and 4 leave out tests/compat (pyzmq's suite and Jupyter, minutes of
subprocesses that exercise the same code as step 2) and run two at a time: most of
the suite waits on sockets, not on the CPU. ``--quick`` stops after step 2.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENVS = ROOT / ".ci" / "venvs"
OTHER_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
PYTEST = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
# The slow subprocess-driven tests, run once (step 2) rather than on every interpreter.
ONCE_ONLY = ["--ignore=tests/compat"]


@dataclass
class Step:
    """One command of the run and what became of it."""

    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    # Makes what the command needs (a venv) and returns the command; in the step's time.
    prepare: Callable[[], list[str]] | None = None
    status: int | None = None
    seconds: float = 0.0
    output: str = ""

    def run(self, capture: bool) -> Step:
        started = time.monotonic()
        if self.prepare is not None:
            try:
                self.argv = self.prepare()
            except subprocess.CalledProcessError as exc:
                self.status, self.output = 1, f"could not prepare: {exc}\n"
                return self
        print(f"--- {self.name}: {' '.join(self.argv)}", flush=True)
        done = subprocess.run(
            self.argv, cwd=ROOT, env=self.env, text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if capture else None,
        )
        self.status, self.output = done.returncode, done.stdout or ""
        self.seconds = time.monotonic() - started
        return self


def find_python(version: str) -> str | None:
    """An interpreter of that CPython version on this machine, or None."""
    candidates = [shutil.which(f"python{version}")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(str(p) for p in pyenv.glob(f"{version}.*/bin/python{version}"))
    for candidate in candidates:
        if candidate and _version_of(candidate) == version:
            return candidate
    return None


def _version_of(python: str) -> str:
    code = "import sys; print('%d.%d' % sys.version_info[:2])"
    done = subprocess.run([python, "-c", code], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def venv_for(version: str, python: str) -> str:
    """The interpreter of a venv of that version with purezmq[test] in it (made once)."""
    home = VENVS / version
    interpreter = home / "bin" / "python"
    stamp = home / "installed-from"
    wanted = (ROOT / "pyproject.toml").read_text()
    if not (interpreter.exists() and stamp.exists() and stamp.read_text() == wanted):
        subprocess.run([python, "-m", "venv", "--clear", str(home)], check=True)
        subprocess.run(
            [str(interpreter), "-m", "pip", "install", "-q", "-e", ".[test]"],
            cwd=ROOT, check=True, capture_output=True,
        )
        stamp.write_text(wanted)
    return str(interpreter)


def _suite_in_venv(version: str, python: str) -> list[str]:
    return [venv_for(version, python), *PYTEST, *ONCE_ONLY]


def later_steps() -> tuple[list[Step], list[str]]:
    """Steps 3 and 4, and the lines saying which interpreters were not found."""
    off = dict(os.environ, PUREZMQ_FASTPATHS="off")
    steps = [Step("shortcuts off", [sys.executable, *PYTEST, *ONCE_ONLY], env=off)]
    missing = []
    this = f"{sys.version_info[0]}.{sys.version_info[1]}"
    for version in OTHER_PYTHONS:
        if version == this:
            continue
        python = find_python(version)
        if python is None:
            missing.append(f"--- CPython {version}: not on this machine, skipped")
            continue
        steps.append(Step(f"CPython {version}", [],
                          prepare=functools.partial(_suite_in_venv, version, python)))
    return steps, missing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop after this interpreter")
    args = parser.parse_args(argv)
    first = [
        Step("ruff", [sys.executable, "-m", "ruff", "check", "src", "tests", "tools"]),
        Step("mypy", [sys.executable, "-m", "mypy"]),
        Step("tests", [sys.executable, *PYTEST]),
    ]
    done = [step.run(capture=False) for step in first]
    if not args.quick:
        steps, missing = later_steps()
        print("\n".join(missing), flush=True)
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda step: step.run(capture=True), steps))
        for step in steps:
            print(f"--- {step.name} output:\n{step.output}", end="", flush=True)
        done += steps
    return report(done)


def report(steps: list[Step]) -> int:
    print("\n--- summary")
    for step in steps:
        verdict = "ok" if step.status == 0 else f"FAILED (exit {step.status})"
        print(f"{step.name:>16}: {verdict:<18} {step.seconds:6.0f} s")
    return 0 if all(step.status == 0 for step in steps) else 1


if __name__ == "__main__":
    sys.exit(main())
