"""``purezmq keygen`` and the CURVE / PLAIN socket flags, against libzmq."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import zmq
import zmq.auth

from .support import TIMEOUT, Cli

pytest.importorskip("nacl.bindings", reason="CURVE needs PyNaCl (the curve extra)")


def test_keygen_writes_a_pair_pyzmq_reads(cli: Callable[..., Cli], tmp_path: Path) -> None:
    done = cli("keygen", str(tmp_path), "-n", "server")
    assert done.wait() == 0
    public, secret = zmq.auth.load_certificate(str(tmp_path / "server.key_secret"))
    assert secret is not None and zmq.curve_public(secret) == public
    assert zmq.auth.load_certificate(str(tmp_path / "server.key")) == (public, None)


def test_curve_client_flags_reach_a_libzmq_server(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    """`push --curve-serverkey KEY` (a key pair of its own) is admitted by a libzmq CURVE
    PULL, and what it sends arrives."""
    public, secret = zmq.curve_keypair()
    pull = zctx.socket(zmq.PULL)
    pull.curve_secretkey, pull.curve_server = secret, True
    pull.rcvtimeo = int(TIMEOUT * 1000)  # a CLI process starts slowly on a busy machine
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = cli("push", f"tcp://127.0.0.1:{port}", "--curve-serverkey", public.decode(),
               "-m", "boxed")
    try:
        assert pull.recv() == b"boxed"
    except zmq.Again:
        raise AssertionError(f"nothing arrived; the command said: {push.stderr!r}") from None
    assert push.wait() == 0


def test_curve_server_flags_admit_a_libzmq_client(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    public, secret = zmq.curve_keypair()
    pull = cli("pull", "--bind", "tcp://127.0.0.1:*", "--curve-server", "--curve-secretkey",
               secret.decode(), "--count", "1")
    push = zctx.socket(zmq.PUSH)
    push.curve_serverkey = public
    push.curve_publickey, push.curve_secretkey = zmq.curve_keypair()
    push.connect(pull.bound()[0])
    push.send(b"through CURVE")
    assert pull.wait() == 0
    assert pull.lines == ["through CURVE"]


def test_plain_flags_without_a_password_are_a_usage_error(cli: Callable[..., Cli]) -> None:
    bad = cli("push", "tcp://127.0.0.1:1", "--plain-user", "alice")
    assert bad.wait() != 0
    assert b"USER:PASSWORD" in bytes(bad.err)

