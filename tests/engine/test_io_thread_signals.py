"""Signals are the application's: purezmq's I/O thread blocks them, as libzmq's threads
do, so that the kernel delivers a Ctrl-C to a thread of the program (the main thread,
whose blocking call it interrupts) and never to the I/O thread, where it would leave
the main thread asleep in its poll until that poll's own timeout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import purezmq as zmq
from tests.helpers.signals import sigint_reaches_children

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")


def _blocked(native_id: int) -> set[int]:
    """The signals a thread of this process blocks, from /proc."""
    status = Path(f"/proc/self/task/{native_id}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("SigBlk:"))
    mask = int(line.split()[1], 16)
    return {number for number in range(1, 65) if mask >> (number - 1) & 1}


def test_the_io_thread_blocks_the_signals_a_program_handles() -> None:
    ctx = zmq.Context()
    try:
        sock = ctx.socket(zmq.PULL)
        sock.bind("tcp://127.0.0.1:*")  # the I/O thread runs from here on
        io = next(t for t in threading.enumerate() if t.name == "purezmq-io")
        assert io.native_id is not None
        blocked = _blocked(io.native_id)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGCHLD):
            assert sig in blocked, signal.Signals(sig).name
        assert signal.SIGINT not in _blocked(threading.main_thread().native_id or os.getpid())
    finally:
        ctx.destroy(linger=0)


def test_ctrl_c_interrupts_a_main_thread_waiting_on_a_socket() -> None:
    """A program blocked in poll() with no timeout ends on SIGINT with KeyboardInterrupt."""
    program = (
        "import purezmq as zmq, sys\n"
        "ctx = zmq.Context()\n"
        "s = ctx.socket(zmq.PULL)\n"
        "s.bind('tcp://127.0.0.1:*')\n"
        "try:\n"
        "    print('ready', flush=True)\n"
        "    s.poll()\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n"
    )
    with sigint_reaches_children():
        child = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=30)
    finally:
        child.kill()
    assert out == "interrupted\n"
