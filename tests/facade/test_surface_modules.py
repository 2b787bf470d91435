"""pyzmq's other modules exist in purezmq with their public names (checked against pyzmq),
and import under the alias as ``zmq.<name>``."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
import warnings
from types import ModuleType

import pytest

from purezmq.ssh import tunnel as ssh_tunnel

SURFACE: dict[str, list[str]] = {
    "decorators": ["context", "socket"],
    "log": [],
    "log.handlers": ["PUBHandler", "TopicLogger", "TOPIC_DELIM"],
    "log.__main__": ["main"],
    "ssh": ssh_tunnel.__all__,
    "ssh.tunnel": [
        *ssh_tunnel.__all__, "select_random_ports", "open_tunnel", "SSHException",
        "MaxRetryExceeded",
    ],
    "ssh.forward": ["forward_tunnel", "ForwardServer", "Handler"],
    "eventloop": ["IOLoop"],
    "eventloop.ioloop": ["IOLoop", "ZMQIOLoop", "install", "PeriodicCallback"],
    "eventloop.future": ["Context", "Socket", "Poller", "CancelledError"],
    "eventloop.zmqstream": ["ZMQStream"],
    "tests": [
        "BaseZMQTestCase", "PollZMQTestCase", "GreenTest", "SkipTest", "have_gevent",
        "skip_green", "skip_pypy", "require_zmq_4", "term_context", "PYPY",
    ],
    "asyncio": ["Context", "Socket", "Poller", "ZMQEventLoop", "install"],
    "sugar": ["SyncContext", "SyncSocket", "_FINISHED_TRACKER"],
    "sugar.attrsettr": ["AttributeSetter"],
    "backend.select": ["public_api", "select_backend"],
    "_future": ["_AsyncSocket", "_AsyncPoller"],
    "_typing": ["TypeAlias"],
    "curve_keygen": [],
}


def _quietly(name: str) -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zmq.tests and zmq.eventloop.ioloop warn
        return importlib.import_module(name)


@pytest.mark.parametrize("name", sorted(SURFACE))
def test_module_has_pyzmqs_names(name: str) -> None:
    theirs = _quietly(f"zmq.{name}")
    ours = _quietly(f"purezmq.{name}")
    assert [n for n in SURFACE[name] if not hasattr(theirs, n)] == []  # the list is pyzmq's
    assert [n for n in SURFACE[name] if not hasattr(ours, n)] == []
    for n in getattr(theirs, "__all__", []):
        assert hasattr(ours, n), n


def test_every_module_imports_under_the_alias() -> None:
    code = textwrap.dedent(f"""
        import importlib, warnings
        import purezmq
        purezmq.install_as_zmq()
        warnings.simplefilter("ignore")
        for name in {sorted(SURFACE)!r}:
            module = importlib.import_module("zmq." + name)
            assert module is importlib.import_module("purezmq." + name), name
        print("ok")
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
