"""Running ``python -m purezmq ...`` as real subprocesses, and reading them as they go.

A ``Cli`` process collects its stdout and stderr in reader threads, so a test can
wait on a condition over what it has printed so far (``wait_for``). Every process
is waited for with a timeout and killed at the end of the test if still running.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..helpers.waiting import wait_for

SRC = Path(__file__).resolve().parents[2] / "src"
# Seconds any one CLI process may take before the test fails.
TIMEOUT = 20.0


def environment() -> dict[str, str]:
    """The environment for a CLI process: this checkout's sources first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return env


class Cli:
    """One running ``purezmq`` command."""

    def __init__(self, args: list[str], stdin: bytes | None) -> None:
        self.args = args
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "purezmq", *args],
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment(),
        )
        self.out = bytearray()
        self.err = bytearray()
        self.readers = [self._reader(self.proc.stdout, self.out),
                        self._reader(self.proc.stderr, self.err)]
        if stdin:
            self.write(stdin)

    def _reader(self, stream: IO[bytes] | None, into: bytearray) -> threading.Thread:
        def pump() -> None:
            assert stream is not None
            while chunk := os.read(stream.fileno(), 65536):
                into.extend(chunk)

        thread = threading.Thread(target=pump, daemon=True)
        thread.start()
        return thread

    @property
    def lines(self) -> list[str]:
        """The complete lines printed on stdout so far."""
        return bytes(self.out).decode("utf-8", "replace").splitlines()[
            : bytes(self.out).count(b"\n")
        ]

    @property
    def stdout_text(self) -> str:
        return bytes(self.out).decode("utf-8", "replace")

    @property
    def stderr(self) -> str:
        return bytes(self.err).decode("utf-8", "replace")

    def bound(self, count: int = 1) -> list[str]:
        """The endpoints the command announced it bound, once it has announced ``count``."""
        def found() -> list[str]:
            endpoints = re.findall(r"^bound (\S+)", self.stderr, re.M)
            return endpoints if len(endpoints) >= count else []

        try:
            return wait_for(found, TIMEOUT)
        except AssertionError:
            raise AssertionError(f"no 'bound' line from {self.args}: {self.stderr}") from None

    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def close_stdin(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def wait(self, timeout: float = TIMEOUT) -> int:
        """The exit status, once the process and its output have ended."""
        code = self.proc.wait(timeout)
        for reader in self.readers:
            reader.join(timeout)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def run_cli(*args: str, stdin: bytes = b"", timeout: float = TIMEOUT
            ) -> subprocess.CompletedProcess[bytes]:
    """Run a command to its end, stdin given whole; its exit status and output."""
    return subprocess.run(
        [sys.executable, "-m", "purezmq", *args],
        input=stdin,
        capture_output=True,
        env=environment(),
        timeout=timeout,
    )


def seen_within(condition: Callable[[], object], seconds: float) -> bool:
    """Whether ``condition`` became true within ``seconds`` (a bounded look, not a sleep)."""
    try:
        wait_for(condition, seconds)
    except AssertionError:
        return False
    return True


def repeat_until(action: Callable[[], object], condition: Callable[[], object],
                 deadline: float = TIMEOUT) -> None:
    """Do ``action`` again and again until ``condition`` holds (slow joiners)."""
    def done() -> bool:
        action()
        return seen_within(condition, 0.05)

    wait_for(done, deadline)


INTERRUPTS = {signal.SIGINT: 130, signal.SIGTERM: 143}
