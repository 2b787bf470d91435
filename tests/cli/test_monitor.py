"""``purezmq monitor``: events as libzmq peers come and go, and what their values mean."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import socket
from collections.abc import Callable

import pytest
import zmq

import purezmq
from purezmq.cli.monitor import describe

from .support import Cli, run_cli, seen_within

TCP = "tcp://127.0.0.1:*"
E = purezmq.Event


def _events(proc: Cli) -> list[str]:
    return [line.split()[1] for line in proc.lines]


def test_connecting_monitor_sees_a_libzmq_peer_come_and_go(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    peer = zctx.socket(zmq.ROUTER)
    peer.bind(TCP)
    endpoint = peer.last_endpoint.decode()
    monitor = cli("monitor", endpoint, "--type", "dealer")
    assert seen_within(lambda: "HANDSHAKE_SUCCEEDED" in _events(monitor), 10), monitor.lines
    connected = next(line for line in monitor.lines if " CONNECTED " in line)
    assert re.fullmatch(rf"\d\d:\d\d:\d\d\.\d{{3}} CONNECTED {endpoint} fd \d+", connected)
    peer.close(linger=0)
    assert seen_within(lambda: "DISCONNECTED" in _events(monitor), 10), monitor.lines
    events = _events(monitor)
    assert events.index("CONNECTED") < events.index("HANDSHAKE_SUCCEEDED")
    assert events.index("HANDSHAKE_SUCCEEDED") < events.index("DISCONNECTED")
    monitor.signal(signal.SIGINT)
    assert monitor.wait() == 130
    assert "Traceback" not in monitor.stderr


def test_bound_monitor_in_json_with_traffic(cli: Callable[..., Cli], zctx: zmq.Context) -> None:
    monitor = cli("monitor", TCP, "--type", "pull", "--json", "--traffic")
    endpoint = monitor.bound()[0]
    push = zctx.socket(zmq.PUSH)
    push.connect(endpoint)
    push.send_multipart([b"hi", b"\xff"])
    assert seen_within(lambda: any("message" in line for line in monitor.lines), 10)
    push.close(linger=0)
    assert seen_within(lambda: "DISCONNECTED" in monitor.stdout_text, 10)
    records = [json.loads(line) for line in monitor.lines]
    names = [r.get("event") or "message" for r in records]
    assert names[:3] == ["LISTENING", "ACCEPTED", "HANDSHAKE_SUCCEEDED"]
    assert names.index("message") < names.index("DISCONNECTED")
    message = records[names.index("message")]["message"]
    assert message == {"frames": ["hi", {"base64": "/w=="}]}
    accepted = records[1]
    assert accepted["endpoint"] == endpoint
    assert accepted["detail"] == f"fd {accepted['value']}"


def test_a_protocol_error_is_named(cli: Callable[..., Cli]) -> None:
    """A peer asking for PLAIN from a NULL socket: HANDSHAKE_FAILED_PROTOCOL, named."""
    monitor = cli("monitor", TCP, "--type", "rep")
    host, port = monitor.bound()[0].removeprefix("tcp://").rsplit(":", 1)
    greeting = b"\xff" + bytes(8) + b"\x7f\x03\x00" + b"PLAIN".ljust(20, b"\0") + bytes(32)
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(greeting)
        assert seen_within(lambda: "HANDSHAKE_FAILED_PROTOCOL" in monitor.stdout_text, 10)
    failed = next(line for line in monitor.lines if "HANDSHAKE_FAILED_PROTOCOL" in line)
    assert failed.endswith(" ZMTP_MECHANISM_MISMATCH")


def test_until_and_timeout_make_a_connection_check(zctx: zmq.Context) -> None:
    server = zctx.socket(zmq.REP)
    server.bind(TCP)
    endpoint = server.last_endpoint.decode()
    done = run_cli("monitor", endpoint, "--type", "req", "--until", "handshake_succeeded",
                   "--timeout", "10000")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines()[-1].split()[1] == "HANDSHAKE_SUCCEEDED"
    server.close(linger=0)
    done = run_cli("monitor", endpoint, "--type", "req", "--until", "HANDSHAKE_SUCCEEDED",
                   "--timeout", "300")
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        "purezmq monitor: no HANDSHAKE_SUCCEEDED within 300 ms"
    ]


@pytest.mark.parametrize(
    ("event", "value", "meaning"),
    [
        (E.CONNECTED, 7, "fd 7"),
        (E.CLOSED, 0xFFFFFFFF, "fd -1"),
        (E.BIND_FAILED, errno.EADDRINUSE, f"EADDRINUSE ({os.strerror(errno.EADDRINUSE)})"),
        (E.CONNECT_DELAYED, errno.EINPROGRESS,
         f"EINPROGRESS ({os.strerror(errno.EINPROGRESS)})"),
        (E.CONNECT_RETRIED, 200, "retry in 200 ms"),
        (E.HANDSHAKE_FAILED_PROTOCOL, 0x10000016, "ZMTP_MALFORMED_COMMAND_READY"),
        (E.HANDSHAKE_FAILED_PROTOCOL, 0x20000002, "ZAP_BAD_REQUEST_ID"),
        (E.HANDSHAKE_FAILED_AUTH, 400, "status 400"),
        (E.HANDSHAKE_SUCCEEDED, 0, ""),
    ],
)
def test_values_are_described(event: int, value: int, meaning: str) -> None:
    assert describe(event, value) == meaning
