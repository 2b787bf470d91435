"""The command line as a whole: version, help, exit statuses, signals."""

from __future__ import annotations

import platform
import signal
from collections.abc import Callable

import pytest
import zmq

import purezmq
from purezmq.cli import COMMANDS

from .support import INTERRUPTS, Cli, run_cli

NEW_COMMANDS = [name for name in COMMANDS if name not in ("demo", "bench")]


def test_version_reports_what_runs() -> None:
    """`version` names purezmq's, libzmq's and pyzmq's versions, Python's and the extras."""
    done = run_cli("version")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[0].split() == ["purezmq", purezmq.__version__]
    assert lines[1].split()[:3] == ["libzmq", "behaviour", purezmq.zmq_version()]
    assert lines[2].split() == ["pyzmq", "API", purezmq.pyzmq_version()]
    assert lines[3].split()[:2] == ["Python", platform.python_version()]
    assert [line.split()[0] for line in lines[4:]] == ["uvloop", "PyNaCl"]


def test_dash_dash_version_is_one_line() -> None:
    done = run_cli("--version")
    assert done.returncode == 0
    text = done.stdout.decode()
    assert text.count("\n") == 1
    assert text.startswith(f"purezmq {purezmq.__version__} (libzmq {purezmq.zmq_version()}")


@pytest.mark.parametrize("name", NEW_COMMANDS)
def test_every_command_has_help_with_examples(name: str) -> None:
    done = run_cli(name, "--help")
    assert done.returncode == 0
    text = done.stdout.decode()
    assert "\nexamples:\n" in text
    assert f"purezmq {name}" in text.split("\nexamples:\n")[1]


def test_top_level_help_lists_every_command() -> None:
    text = run_cli("--help").stdout.decode()
    assert all(f"    {name} " in text for name in COMMANDS)


@pytest.mark.parametrize(
    "args",
    [
        ["sub"],  # no endpoint
        ["nosuchcommand"],
        ["pull", "tcp://127.0.0.1:5555", "--no-such-flag"],
        ["pull", "tcp://127.0.0.1:5555", "--count", "0"],
        ["push", "tcp://127.0.0.1:5555", "--subscribe", "a", "-m", "x"],
        ["push", "tcp://127.0.0.1:5555", "--hex", "-m", "not-hex"],
        ["pull", "tcp://127.0.0.1:5555", "--json", "--raw"],
        ["monitor", "tcp://127.0.0.1:5555", "--type", "push", "--traffic"],
    ],
)
def test_bad_usage_exits_2(args: list[str]) -> None:
    done = run_cli(*args)
    assert done.returncode == 2, done.stderr
    assert b"error:" in done.stderr
    assert b"Traceback" not in done.stderr


def test_address_in_use_exits_1_with_one_line(zctx: zmq.Context) -> None:
    taken = zctx.socket(zmq.PULL)
    taken.bind("tcp://127.0.0.1:*")
    endpoint = taken.last_endpoint.decode()
    done = run_cli("pull", "--bind", endpoint)
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        f"purezmq pull: cannot bind to {endpoint}: Address already in use"
    ]


def test_bad_endpoint_exits_1() -> None:
    done = run_cli("push", "foo://nowhere", "-m", "x")
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        "purezmq push: cannot connect to foo://nowhere: transport 'foo' is not supported"
    ]


def test_receive_timeout_before_count_exits_1() -> None:
    done = run_cli("pull", "--bind", "tcp://127.0.0.1:*", "--count", "2", "--timeout", "200")
    assert done.returncode == 1
    last = done.stderr.decode().splitlines()[-1]
    assert last == "purezmq pull: timed out after 200 ms with 0 of 2 messages"


def test_request_without_reply_exits_1_promptly(zctx: zmq.Context) -> None:
    """A REP that never answers: --timeout ends req with 1, its request dropped at exit."""
    mute = zctx.socket(zmq.REP)
    mute.bind("tcp://127.0.0.1:*")
    done = run_cli("req", mute.last_endpoint.decode(), "-m", "x", "--timeout", "200",
                   timeout=10)
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == ["purezmq req: no reply within 200 ms"]


def test_linger_bounds_the_wait_for_an_absent_peer(zctx: zmq.Context) -> None:
    """--linger: a message for a peer that never comes is given up after LINGER ms."""
    nobody = zctx.socket(zmq.PULL)
    nobody.bind("tcp://127.0.0.1:*")
    endpoint = nobody.last_endpoint.decode()
    nobody.close()  # the port is free again: connecting is refused
    done = run_cli("push", endpoint, "-m", "x", "--linger", "100", timeout=10)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("signum", list(INTERRUPTS))
def test_a_signal_ends_a_receiver_without_traceback(
    cli: Callable[..., Cli], signum: signal.Signals
) -> None:
    sub = cli("sub", "--bind", "tcp://127.0.0.1:*")
    sub.bound()
    sub.signal(signum)
    assert sub.wait() == INTERRUPTS[signum]
    assert "Traceback" not in sub.stderr


def test_a_signal_ends_a_sender_blocked_on_no_peer(cli: Callable[..., Cli]) -> None:
    """A bound PUSH with no puller blocks in send; Ctrl+C ends it, dropping the message."""
    push = cli("push", "--bind", "tcp://127.0.0.1:*", "-m", "x")
    push.bound()
    push.signal(signal.SIGINT)
    assert push.wait() == 130
    assert "Traceback" not in push.stderr
