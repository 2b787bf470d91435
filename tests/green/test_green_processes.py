"""purezmq.green in monkey-patched programs, each in a child process with a deadline."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.waiting import wait_for

from .support import DEADLINE, finish, first_line, run, start

pytest.importorskip("gevent", reason="purezmq.green needs gevent (the 'green' extra)")


def _base(transport: str, tmp_path: Path) -> str:
    return "tcp://127.0.0.1" if transport == "tcp" else f"ipc://{tmp_path}"


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_patched_program_round_trips(transport: str, tmp_path: Path) -> None:
    """patch_all() first, then 100 greenlets x 10 round trips over ROUTER/DEALER and
    over PUB/SUB: every reply is the right one."""
    result = run("roundtrips", _base(transport, tmp_path))
    assert result["router_dealer"] == result["expected"] == 1000
    assert result["pub_sub"] == result["expected"]


@pytest.mark.interop
@pytest.mark.parametrize("server_lib, client_lib", [("pyzmq", "purezmq"), ("purezmq", "pyzmq")])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_green_interop_with_pyzmq_green(
    server_lib: str, client_lib: str, transport: str, tmp_path: Path
) -> None:
    """A purezmq.green program and a pyzmq zmq.green (libzmq) program, both
    monkey-patched, exchange 1000 round trips from 100 greenlets, either one serving."""
    pytest.importorskip("zmq.green", reason="pyzmq (a test dependency) is not installed")
    server = start("peer", server_lib, "server", _base(transport, tmp_path))
    endpoint = first_line(server)["endpoint"]
    client = run("peer", client_lib, "client", _base(transport, tmp_path), endpoint)
    assert client["good"] == client["expected"] == 1000
    assert finish(server)["served"] == 1000


def _get(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
        return json.loads(reply.read())


def test_load_generator_master_and_worker_with_http() -> None:
    """Master and worker processes exchange heartbeats, results and acks over
    DEALER/ROUTER while both answer HTTP requests from gevent.pywsgi; the master's
    /stop ends both cleanly."""
    master = start("loadgen", "master")
    hello = first_line(master)
    worker = start("loadgen", "worker", hello["endpoint"])
    worker_port = first_line(worker)["http"]
    wait_for(lambda: _get(worker_port, "/stats")["acks"] == 50)
    stats = wait_for(lambda: (s := _get(hello["http"], "/stats"))["heartbeats"] >= 3 and s)
    assert stats["results"] == 50
    assert len(stats["workers"]) == 1
    assert _get(hello["http"], "/stop") == {"stopping": True}
    assert finish(worker)["acks"] == 50
    final = finish(master)
    assert final["results"] == 50 and final["heartbeats"] >= 3


def test_patching_after_import_keeps_a_real_io_thread() -> None:
    """import purezmq, then patch_all(): green round trips work, and the I/O thread is
    a real OS thread whose loop polls with the original epoll, not gevent's."""
    facts = run("lifecycle", "after-import")
    assert facts["answers"] == [str(n) for n in range(10)]
    assert facts["thread"] == "_OsThread"
    assert facts["selector"] == "select.epoll"


def test_term_wakes_blocked_greenlets_and_returns() -> None:
    """term() in a greenlet wakes greenlets blocked in recv, poll and send (HWM) with
    ContextTerminated; once they close their sockets term() returns and the program
    exits 0, with no greenlet left blocked."""
    facts = run("lifecycle", "term-blocked")
    assert facts == {"outcomes": ["ContextTerminated"] * 3, "termed": True, "left_blocked": 0}


def test_term_waiting_for_linger_is_cooperative() -> None:
    """term() waiting for LINGER (LINGER -1, a peer that never comes) lets other
    greenlets run, and a gevent.Timeout around it interrupts it."""
    assert run("lifecycle", "term-linger") == {"outcome": "Timeout", "ticked": True}


@pytest.mark.parametrize("patching", ["exit-open", "exit-open-unpatched"])
def test_exit_with_open_green_sockets_and_blocked_greenlets(patching: str) -> None:
    """A program that ends with green sockets open and greenlets blocked in recv and poll exits
    (status 0) within the deadline, quietly: the greenlets stay parked, as on pyzmq,
    instead of failing with the exit hook's close ("... failed with ZMQError")."""
    child = start("lifecycle", patching)
    out, err = child.communicate(timeout=DEADLINE)
    assert (child.returncode, err) == (0, "")
    assert json.loads(out.splitlines()[-1]) == {"blocked": 4}


def test_plain_socket_in_a_greenlet_returns_when_a_message_comes() -> None:
    """Under patch_all() a plain purezmq socket's blocking recv in a greenlet (which
    blocks the hub, as pyzmq's does) returns when a real thread sends."""
    assert run("lifecycle", "plain-socket") == {"message": "hello"}
