"""``purezmq keygen`` and the CURVE / PLAIN socket flags, against libzmq."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator

from purezmq.cli import build_parser
from purezmq.cli.options import join_dashed_values

from .support import TIMEOUT, Cli

pytest.importorskip("nacl.bindings", reason="CURVE needs PyNaCl (the curve extra)")


def test_keygen_writes_a_pair_pyzmq_reads(cli: Callable[..., Cli], tmp_path: Path) -> None:
    done = cli("keygen", str(tmp_path), "-n", "server")
    assert done.wait() == 0
    public, secret = zmq.auth.load_certificate(str(tmp_path / "server.key_secret"))
    assert secret is not None and zmq.curve_public(secret) == public
    assert zmq.auth.load_certificate(str(tmp_path / "server.key")) == (public, None)


def _keypair_with_public_key_dashed() -> tuple[bytes, bytes]:
    """A CURVE key pair whose public key begins with "-" (one in 85 does)."""
    while True:
        public, secret = zmq.curve_keypair()
        if public.startswith(b"-"):
            return public, secret


def _keypair_with_secret_key_dashed() -> tuple[bytes, bytes]:
    """A CURVE key pair whose secret key begins with "-"."""
    while True:
        public, secret = zmq.curve_keypair()
        if secret.startswith(b"-"):
            return public, secret


def test_curve_client_flags_reach_a_libzmq_server(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    """`push --curve-serverkey KEY` (a key pair of its own) is admitted by a libzmq CURVE
    PULL, and what it sends arrives. The key begins with "-", which argparse would take
    for an option."""
    public, secret = _keypair_with_public_key_dashed()
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
    public, secret = _keypair_with_secret_key_dashed()  # as one secret key in 85 is
    pull = cli("pull", "--bind", "tcp://127.0.0.1:*", "--curve-server", "--curve-secretkey",
               secret.decode(), "--count", "1")
    _through_curve(zctx, pull, public)


def _through_curve(zctx: zmq.Context, server: Cli, server_public: bytes) -> None:
    """A libzmq CURVE client (a key pair of its own) sends to ``server``, a CLI ``pull
    --count 1``, which prints the message and ends."""
    push = zctx.socket(zmq.PUSH)
    push.curve_serverkey = server_public
    push.curve_publickey, push.curve_secretkey = zmq.curve_keypair()
    push.connect(server.bound()[0])
    push.send(b"through CURVE")
    assert server.wait() == 0
    assert server.lines == ["through CURVE"]


@pytest.mark.parametrize("spelling", ["--plain", "--plain-user"])
def test_plain_flags_without_a_password_are_a_usage_error(
    cli: Callable[..., Cli], spelling: str
) -> None:
    bad = cli("push", "tcp://127.0.0.1:1", spelling, "alice")
    assert bad.wait() != 0
    assert b"USER:PASSWORD" in bytes(bad.err)


@pytest.fixture
def authenticator(zctx: zmq.Context) -> Iterator[ThreadAuthenticator]:
    """pyzmq's ZAP handler for ``zctx``'s servers (libzmq asks it about every client)."""
    auth = ThreadAuthenticator(zctx)
    auth.start()
    yield auth
    auth.stop()


def _pull(zctx: zmq.Context, **security: Any) -> tuple[zmq.Socket[bytes], str]:
    """A libzmq PULL bound with ``security`` (options set before the bind, which is when
    libzmq's listener takes them)."""
    pull = zctx.socket(zmq.PULL)
    pull.rcvtimeo = int(TIMEOUT * 1000)  # a CLI process starts slowly on a busy machine
    for name, value in security.items():
        setattr(pull, name, value)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    return pull, f"tcp://127.0.0.1:{port}"


def test_plain_credentials_reach_a_libzmq_server(
    cli: Callable[..., Cli], zctx: zmq.Context, authenticator: ThreadAuthenticator
) -> None:
    authenticator.configure_plain(domain="*", passwords={"alice": "wonderland"})
    pull, endpoint = _pull(zctx, plain_server=True)
    push = cli("push", endpoint, "--plain", "alice:wonderland", "-m", "it is alice")
    frame = pull.recv(copy=False)
    assert frame.bytes == b"it is alice"
    assert frame.get("User-Id") == "alice"
    assert push.wait() == 0


def test_curve_keypair_files_on_both_sides(
    cli: Callable[..., Cli], zctx: zmq.Context, authenticator: ThreadAuthenticator,
    tmp_path: Path,
) -> None:
    """A purezmq CURVE server and client whose keys come from certificate files; the
    client is admitted by a libzmq server only because its file holds the known key."""
    assert cli("keygen", str(tmp_path), "-n", "server").wait() == 0
    assert cli("keygen", str(tmp_path), "-n", "client").wait() == 0
    server_public, _ = zmq.auth.load_certificate(str(tmp_path / "server.key"))
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "client.key").write_bytes((tmp_path / "client.key").read_bytes())
    authenticator.configure_curve(domain="*", location=str(allowed))

    _, server_secret = zmq.auth.load_certificate(str(tmp_path / "server.key_secret"))
    pull, endpoint = _pull(zctx, curve_server=True, curve_secretkey=server_secret)
    push = cli("push", endpoint, "--curve-keypair", str(tmp_path / "client.key_secret"),
               "--curve-serverkey", str(tmp_path / "server.key"), "-m", "known")
    assert pull.recv() == b"known"
    assert push.wait() == 0

    server = cli("pull", "--bind", "tcp://127.0.0.1:*", "--curve-server", "--curve-keypair",
                 str(tmp_path / "server.key_secret"), "--count", "1")
    _through_curve(zctx, server, server_public)


@pytest.mark.parametrize("which", ["server.key", "missing.key_secret"])
def test_a_certificate_without_a_secret_key_is_a_usage_error(
    cli: Callable[..., Cli], tmp_path: Path, which: str
) -> None:
    assert cli("keygen", str(tmp_path), "-n", "server").wait() == 0
    bad = cli("pull", "--bind", "tcp://127.0.0.1:*", "--curve-server", "--curve-keypair",
              str(tmp_path / which))
    assert bad.wait() == 2
    assert "--curve-keypair" in bad.stderr and which in bad.stderr



def test_a_key_or_credentials_beginning_with_a_dash_are_the_flags_values() -> None:
    """The words after the key and credential flags are their values whatever they look
    like; what follows ``--`` is left as it is."""
    argv = ["push", "tcp://127.0.0.1:1", "--curve-serverkey", "-k", "--plain-user", "-u:p",
            "--curve-secretkey", "--x", "--", "--curve-keypair", "-f"]
    assert join_dashed_values(argv) == [
        "push", "tcp://127.0.0.1:1", "--curve-serverkey=-k", "--plain-user=-u:p",
        "--curve-secretkey=--x", "--", "--curve-keypair", "-f"]
    args = build_parser().parse_args(join_dashed_values(argv[:6]))
    assert (args.curve_serverkey, args.plain) == ("-k", "-u:p")
