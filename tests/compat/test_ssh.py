"""purezmq.ssh: tunnels through a local paramiko SSH server, and the optional imports."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

import purezmq as zmq
from purezmq.ssh import tunnel
from purezmq.ssh.forward import forward_server
from tests.compat.ssh_server import PASSWORD, USER, SSHServer

TIMEOUT = 30


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME with no keys and no agent: only what a test puts there is offered."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("PYZMQ_PARAMIKO_HOST_KEY_POLICY", raising=False)
    (tmp_path / ".ssh").mkdir()
    return tmp_path


@pytest.fixture
def server(home: Path) -> Iterator[SSHServer]:
    """The test SSH server, already in ~/.ssh/known_hosts."""
    ssh = SSHServer(client_key=paramiko.RSAKey.generate(1024))
    known = paramiko.HostKeys()
    known.add(f"[127.0.0.1]:{ssh.port}", ssh.host_key.get_name(), ssh.host_key)
    known.save(str(home / ".ssh" / "known_hosts"))
    yield ssh
    ssh.close()


@pytest.fixture
def rep(ctx: zmq.Context) -> zmq.Socket:
    sock = ctx.socket(zmq.REP)
    sock.linger = 0
    sock.bind("tcp://127.0.0.1:*")
    return sock


def _round_trip(req: zmq.Socket, rep: zmq.Socket) -> bytes:
    req.send(b"ping")
    assert rep.poll(TIMEOUT * 1000), "nothing came through the tunnel"
    rep.send(rep.recv() + b" pong")
    assert req.poll(TIMEOUT * 1000)
    return req.recv()  # type: ignore[no-any-return]


def test_select_random_ports_gives_distinct_free_ports() -> None:
    ports = tunnel.select_random_ports(20)
    assert len(set(ports)) == 20
    assert all(0 < port < 65536 for port in ports)


@pytest.mark.parametrize(
    ("server", "parts"),
    [("me@host:2222", ("me", "host", 2222)), ("host", (None, "host", 22))],
)
def test_server_strings(server: str, parts: tuple[str | None, str, int]) -> None:
    user, host, port = tunnel._split_server(server)
    assert (user if parts[0] else None, host, port) == parts


def test_only_tcp_addresses_are_tunnelled() -> None:
    with pytest.raises(ValueError, match="tcp://host:port"):
        tunnel.open_tunnel("ipc:///tmp/sock", "gateway")


def test_forward_server_carries_a_zmq_connection(
    ctx: zmq.Context, server: SSHServer, rep: zmq.Socket
) -> None:
    client = paramiko.SSHClient()
    client.load_host_keys(str(Path.home() / ".ssh" / "known_hosts"))
    client.connect("127.0.0.1", server.port, username=USER, password=PASSWORD,
                   look_for_keys=False, allow_agent=False)
    port = int(rep.last_endpoint.rsplit(b":", 1)[1])
    forward = forward_server(0, "127.0.0.1", port, client.get_transport())  # type: ignore[arg-type]
    threading.Thread(target=forward.serve_forever, args=(0.05,), daemon=True).start()
    try:
        req = ctx.socket(zmq.REQ)
        req.linger = 0
        req.connect(f"tcp://127.0.0.1:{forward.server_address[1]}")
        assert _round_trip(req, rep) == b"ping pong"
        assert server.forwarded == 1
    finally:
        forward.shutdown()
        forward.server_close()
        client.close()


def test_tunnel_connection_with_paramiko_asks_for_the_password(
    ctx: zmq.Context, server: SSHServer, rep: zmq.Socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No key to offer: the password is asked for, and the tunnel runs in a child process."""
    asked: list[str] = []
    monkeypatch.setattr(tunnel, "getpass", lambda prompt: asked.append(prompt) or PASSWORD)
    req = ctx.socket(zmq.REQ)
    req.linger = 0
    process = tunnel.tunnel_connection(
        req, rep.last_endpoint.decode(), f"{USER}@127.0.0.1:{server.port}", paramiko=True
    )
    try:
        assert asked == [f"{USER}@127.0.0.1:{server.port}'s password: "]
        assert req.last_endpoint.startswith(b"tcp://127.0.0.1:")
        assert _round_trip(req, rep) == b"ping pong"
    finally:
        process.terminate()
        process.join(TIMEOUT)


def test_try_passwordless_with_paramiko(server: SSHServer, home: Path) -> None:
    address = f"{USER}@127.0.0.1:{server.port}"
    assert not tunnel.try_passwordless_ssh(address, None, paramiko=True)  # no key at all
    stranger = home / "stranger"
    paramiko.RSAKey.generate(1024).write_private_key_file(str(stranger))
    assert not tunnel.try_passwordless_ssh(address, str(stranger), paramiko=True)
    known = home / "known"
    assert server.client_key is not None
    server.client_key.write_private_key_file(str(known))  # type: ignore[attr-defined]
    assert tunnel.try_passwordless_ssh(address, str(known), paramiko=True)


def test_unknown_hosts_are_refused_unless_a_policy_says(
    server: SSHServer, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (home / ".ssh" / "known_hosts").unlink()
    address = f"{USER}@127.0.0.1:{server.port}"
    with pytest.raises(paramiko.SSHException, match="not found in known_hosts"):
        tunnel.try_passwordless_ssh(address, None, paramiko=True)
    monkeypatch.setenv("PYZMQ_PARAMIKO_HOST_KEY_POLICY", "AutoAdd")
    assert not tunnel.try_passwordless_ssh(address, None, paramiko=True)


def test_zmq_ssh_imports_without_paramiko_or_pexpect() -> None:
    """Programs import zmq.ssh at start-up; only a tunnel call needs the package."""
    code = textwrap.dedent("""
        import sys
        sys.modules["paramiko"] = sys.modules["pexpect"] = None  # as if not installed
        import purezmq
        purezmq.install_as_zmq()
        import zmq
        from zmq.ssh import tunnel_connection, try_passwordless_ssh
        from zmq.ssh.tunnel import select_random_ports, SSHException
        print(len(select_random_ports(3)), issubclass(SSHException, Exception))
        sock = zmq.Context.instance().socket(zmq.REQ)
        for use_paramiko in (True, False):
            try:
                tunnel_connection(sock, "tcp://10.0.0.1:5555", "gw", paramiko=use_paramiko)
            except ImportError as exc:
                print(exc)
        sock.close()
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "3 True"
    assert lines[1] == "paramiko_tunnel needs paramiko: pip install paramiko"
    assert lines[2].startswith("openssh_tunnel runs the ssh command with pexpect: pip install")


def test_a_changed_host_key_or_a_non_ssh_server_raise(server: SSHServer, home: Path) -> None:
    """Only a refused login means "no passwordless ssh"; other failures are errors."""
    known = paramiko.HostKeys()
    other = paramiko.RSAKey.generate(1024)
    known.add(f"[127.0.0.1]:{server.port}", other.get_name(), other)
    known.save(str(home / ".ssh" / "known_hosts"))
    with pytest.raises(paramiko.BadHostKeyException):
        tunnel.try_passwordless_ssh(f"{USER}@127.0.0.1:{server.port}", None, paramiko=True)
    with socket.create_server(("127.0.0.1", 0)) as not_ssh:
        port = not_ssh.getsockname()[1]

        def answer() -> None:
            conn, _ = not_ssh.accept()
            conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
            conn.close()

        threading.Thread(target=answer, daemon=True).start()
        with pytest.raises(paramiko.SSHException):
            tunnel.try_passwordless_ssh(f"{USER}@127.0.0.1:{port}", None, paramiko=True)
