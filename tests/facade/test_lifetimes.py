"""Object lifetimes as in pyzmq: what a program drops is closed with its LINGER, never hung on.

pyzmq programs rarely close everything. A socket the program drops is closed by the
garbage collector with its own LINGER; a Context the program drops is destroyed; a
Context left alive at interpreter exit is terminated before the process ends, so
what was queued under LINGER still goes out (DESIGN.md "Lifetimes").
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.waiting import wait_for

import purezmq as zmq

TERM_DEADLINE = 10.0
CHILD_TIMEOUT = 60


def _term_returns(ctx: zmq.Context, deadline: float = TERM_DEADLINE) -> bool:
    """Run ``ctx.term()`` in a thread; True if it returned within ``deadline``."""
    thread = threading.Thread(target=ctx.term, daemon=True)
    thread.start()
    thread.join(deadline)
    return not thread.is_alive()


def _drop(*objects: Any) -> None:
    del objects
    gc.collect()


@pytest.fixture
def quiet() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield


def test_the_context_does_not_keep_a_dropped_socket(quiet: None) -> None:
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PUSH)
    sock.bind("tcp://127.0.0.1:*")
    del sock
    gc.collect()
    assert _term_returns(ctx)


def test_a_socket_made_in_a_thread_that_returned_does_not_block_term(quiet: None) -> None:
    ctx = zmq.Context()

    def work() -> None:
        sock = ctx.socket(zmq.DEALER)
        sock.connect("tcp://127.0.0.1:1")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    gc.collect()
    assert _term_returns(ctx)


def test_a_socket_whose_thread_got_context_terminated_and_returned(quiet: None) -> None:
    ctx = zmq.Context()
    started = threading.Event()
    outcome: list[str] = []

    def work() -> None:
        sock = ctx.socket(zmq.PULL)
        sock.bind("tcp://127.0.0.1:*")
        started.set()
        try:
            sock.recv()
        except zmq.ContextTerminated:
            outcome.append("ETERM")  # returns without close(), as many programs do

    thread = threading.Thread(target=work)
    thread.start()
    started.wait(TERM_DEADLINE)
    assert _term_returns(ctx)
    thread.join(TERM_DEADLINE)
    assert outcome == ["ETERM"]


@pytest.mark.parametrize("transport", ["tcp", "ipc", "inproc"])
def test_a_dropped_socket_is_closed_with_its_own_linger(transport: str, tmp_path: Path) -> None:
    """Messages queued for a peer that is not there yet still reach it (LINGER -1)."""
    ctx = zmq.Context()
    address = {
        "tcp": f"tcp://127.0.0.1:{_free_port()}",
        "ipc": f"ipc://{tmp_path}/s",
        "inproc": "inproc://dropped",
    }[transport]
    push = ctx.socket(zmq.PUSH)
    push.connect(address)
    for i in range(10):
        push.send(b"%d" % i)
    with pytest.warns(ResourceWarning, match="Unclosed socket"):
        del push
        gc.collect()
    pull = ctx.socket(zmq.PULL)
    pull.rcvtimeo = 5000
    pull.bind(address)
    assert [pull.recv() for _ in range(10)] == [b"%d" % i for i in range(10)]
    pull.close()
    assert _term_returns(ctx)


def test_term_does_not_pin_the_sockets_it_waits_for(quiet: None) -> None:
    """A term() begun while a dropped socket is still referenced returns once it goes."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REQ)
    sock.connect("tcp://127.0.0.1:1")
    thread = threading.Thread(target=ctx.term, daemon=True)
    thread.start()
    wait_for(lambda: ctx.terminated)
    del sock
    gc.collect()
    thread.join(TERM_DEADLINE)
    assert not thread.is_alive()


def test_a_dropped_context_is_destroyed() -> None:
    """Dropping the last references: the socket closes, then the context is destroyed and
    its I/O thread stops."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PUSH)
    sock.bind("tcp://127.0.0.1:*")
    io = ctx.io_thread()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always", ResourceWarning)
        del ctx, sock
        gc.collect()
        # A recorded warning keeps its source (the socket, and so its context) alive.
        messages = [str(w.message) for w in record]
        del record[:]
        gc.collect()
        messages += [str(w.message) for w in record]
    assert any(m.startswith("Unclosed socket") for m in messages), messages
    assert any(m.startswith("Unclosed context") for m in messages), messages
    io.thread.join(TERM_DEADLINE)
    assert not io.thread.is_alive()


def test_with_context_closes_leftover_sockets_and_warns() -> None:
    with pytest.warns(ResourceWarning, match="unclosed socket"), zmq.Context() as ctx:
        sock = ctx.socket(zmq.PUSH)
        sock.connect("tcp://127.0.0.1:1")
        sock.send(b"never delivered")  # LINGER -1: term() alone would wait for ever
        sock.linger = 0
    assert sock.closed
    assert ctx.closed


# -- the end of the program ---------------------------------------------------------

_SENDER = """
import sys
import purezmq as zmq

def main(address, count, linger):
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    if linger is not None:
        push.linger = linger
    push.connect(address)
    for i in range(count):
        push.send(b"%d" % i)
    push.send(b"END")
    {ending}

main(sys.argv[1], int(sys.argv[2]), None if sys.argv[3] == "-" else int(sys.argv[3]))
"""


def _run_sender(ending: str, address: str, count: int, linger: int | None) -> Any:
    code = _SENDER.replace("{ending}", ending)
    return subprocess.Popen(
        [sys.executable, "-c", code, address, str(count), "-" if linger is None else str(linger)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.parametrize(
    "ending",
    [
        "return  # main() returns: socket and context are dropped",
        "globals().update(ctx=ctx, push=push)  # both outlive main(): left for the exit",
    ],
    ids=["dropped", "left-at-exit"],
)
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_a_program_that_never_closes_delivers_its_last_message(
    ending: str, transport: str, tmp_path: Path
) -> None:
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.rcvtimeo = 20000
    pull.bind("tcp://127.0.0.1:*" if transport == "tcp" else f"ipc://{tmp_path}/s")
    child = _run_sender(ending, pull.last_endpoint.decode(), 20000, None)
    received = []
    while not received or received[-1] != b"END":
        received.append(pull.recv())
    _, err = child.communicate(timeout=CHILD_TIMEOUT)
    assert child.returncode == 0, err
    assert len(received) == 20001
    ctx.destroy(linger=0)


@pytest.mark.parametrize("ending", ["return", "globals().update(ctx=ctx, push=push)"])
def test_a_finite_linger_bounds_the_exit_when_the_peer_never_comes(ending: str) -> None:
    child = _run_sender(ending, f"tcp://127.0.0.1:{_free_port()}", 10, 200)
    _, err = child.communicate(timeout=CHILD_TIMEOUT)
    assert child.returncode == 0, err


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_exit_code_of_a_child_is_unchanged_by_the_exit_flush() -> None:
    code = textwrap.dedent("""
        import sys, purezmq as zmq
        ctx = zmq.Context()
        s = ctx.socket(zmq.PUB)
        s.bind("tcp://127.0.0.1:*")
        sys.exit(7)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=CHILD_TIMEOUT)
    assert done.returncode == 7


BLOCKED_AT_EXIT = {
    "recv": "s.recv()",
    "recv_multipart": "s.recv_multipart()",
    "poll": "s.poll()",
    "poller": "p = zmq.Poller(); p.register(s, zmq.POLLIN); p.poll()",
    # Until the HWM of the pipe made at connect() is reached; then it blocks.
    "send": "t = ctx.socket(zmq.PUSH); t.connect('tcp://127.0.0.1:1'); "
            "[t.send(b'x') for _ in iter(int, 1)]",
}


def _assert_quiet_exit_with_a_daemon(socket_type: str, daemon_lines: list[str]) -> None:
    """A program whose daemon thread runs ``daemon_lines`` (then says so on stderr) on
    a bound socket ``s`` while the main thread ends: it exits 0, and prints nothing
    but the main thread's line."""
    body = "\n".join("    " + line for line in daemon_lines)
    code = (
        "import sys, threading, purezmq as zmq\n"
        "ctx = zmq.Context()\n"
        f"s = ctx.socket(zmq.{socket_type})\n"
        "s.bind('tcp://127.0.0.1:*')\n"
        "started = threading.Event()\n"
        "def daemon():\n"
        "    started.set()\n"
        f"{body}\n"
        "    print('the call of the daemon returned', file=sys.stderr)\n"
        "threading.Thread(target=daemon, daemon=True).start()\n"
        "started.wait()\n"
        "print('main done')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=CHILD_TIMEOUT)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "main done\n"


@pytest.mark.parametrize("call", sorted(BLOCKED_AT_EXIT))
def test_a_daemon_thread_blocked_at_exit_stays_quiet(call: str) -> None:
    """A daemon thread left blocked in a call when the program ends dies with the
    process, as on pyzmq: the exit hook's close and term do not raise into it (a
    traceback, "Exception in thread", at every exit)."""
    _assert_quiet_exit_with_a_daemon("PULL", [BLOCKED_AT_EXIT[call]])


# Calls that a daemon thread starts after the exit hook has closed its socket: the
# race of a send that found the pipe full just before the hook closed the socket
# and then looked at the socket again (seen once in CI, on CPython 3.10).
CALLED_AFTER_EXIT_CLOSE = {
    "send": "s.send(b'x')",
    "recv": "s.recv()",
    "bind": "s.bind('tcp://127.0.0.1:*')",
    "connect": "s.connect('tcp://127.0.0.1:1')",
    "get": "s.get(zmq.RCVHWM)",
    "poll": "s.poll(0)",
    "new_socket": "ctx.socket(zmq.PUSH)",
}


@pytest.mark.parametrize("call", sorted(CALLED_AFTER_EXIT_CLOSE))
def test_a_daemon_thread_calling_a_socket_the_exit_hook_closed_stays_quiet(call: str) -> None:
    wait_for_the_exit_hook = "for _ in iter(lambda: s.closed and ctx.closed, True): pass"
    _assert_quiet_exit_with_a_daemon("DEALER", [wait_for_the_exit_hook,
                                                CALLED_AFTER_EXIT_CLOSE[call]])


LATE_SENDER = """
import purezmq as zmq
ctx = zmq.Context()

class Client:
    def __init__(self):
        self.sock = ctx.socket(zmq.PUSH)
        self.sock.connect(ENDPOINT)
        self.sock.send(b"hello")

    def __del__(self):  # at shutdown: after the exit hook
        try:
            self.sock.send(b"bye")
        except zmq.ZMQError as exc:
            print(exc.errno == zmq.ENOTSOCK, exc)
        try:
            ctx.socket(zmq.PUSH)
        except zmq.ZMQError as exc:
            print(exc.errno == zmq.ENOTSUP, exc)

client = Client()  # never closed: a module global, collected at shutdown
"""


def test_a_socket_used_after_the_exit_hook_closed_it_says_why() -> None:
    """The exit hook closed the socket (and sent its queue): a ``__del__`` that sends
    later gets ENOTSOCK, and the error says the socket was closed at exit."""
    from purezmq.sugar.exiting import CLOSED_AT_EXIT, TERMINATED_AT_EXIT

    port = _free_port()
    code = textwrap.dedent(LATE_SENDER.replace("ENDPOINT", repr(f"tcp://127.0.0.1:{port}")))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=CHILD_TIMEOUT)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"True {CLOSED_AT_EXIT}\nTrue {TERMINATED_AT_EXIT}\n"
