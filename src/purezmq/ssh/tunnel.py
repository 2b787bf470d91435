"""SSH tunnels for ZeroMQ connections (pyzmq's ``zmq.ssh.tunnel``).

``tunnel_connection(sock, "tcp://10.0.0.5:5555", "me@gateway")`` connects ``sock``
to an address that only the ssh server ``gateway`` can reach: it picks a free local
port, forwards it through ssh to the address (``ssh -L``), and connects ``sock`` to
``tcp://127.0.0.1:PORT``.

Two ways to run the tunnel, as in pyzmq: the ``ssh`` command driven by pexpect
(:func:`openssh_tunnel`, the default on POSIX; it asks for a password on the terminal
when the server wants one, and reuses an ssh ControlMaster when there is one), or
paramiko in a child process (:func:`paramiko_tunnel`, the default on Windows). Both
packages are optional: this module imports without them, and a call that needs one
raises ImportError naming it. Server strings are ``[user@]host[:port]``.
"""

from __future__ import annotations

import atexit
import os
import re
import signal
import socket
import sys
import warnings
from getpass import getpass, getuser
from multiprocessing import Process
from typing import Any

try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import paramiko
except ImportError:
    paramiko = None

try:
    import pexpect
except ImportError:
    pexpect = None

__all__ = [
    "openssh_tunnel",
    "paramiko_tunnel",
    "ssh_tunnel",
    "try_passwordless_ssh",
    "tunnel_connection",
]

if paramiko is not None:
    SSHException: type[Exception] = paramiko.ssh_exception.SSHException
else:

    class SSHException(Exception):  # type: ignore[no-redef]
        """Raised by ssh tunnels (paramiko's SSHException when paramiko is installed)."""


class MaxRetryExceeded(Exception):
    """ssh kept waiting for input this module could not give it."""


_NEEDS_PEXPECT = "{what} runs the ssh command with pexpect: pip install pexpect (or use paramiko)"
_NEEDS_PARAMIKO = "{what} needs paramiko: pip install paramiko"
# How ssh asks for a password or a key's passphrase, and how it asks about a new host.
_password_pat = re.compile(rb"pass(word|phrase)", re.IGNORECASE)
_NEW_HOST = "Are you sure you want to continue connecting"
_MAX_RETRY = 10  # polls of the ssh command's output, 0.1 s each, between prompts


def _require(module: Any, message: str, what: str) -> None:
    if module is None:
        raise ImportError(message.format(what=what))


def select_random_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports that are free now (held open together while choosing)."""
    sockets = []
    try:
        for _ in range(n):
            sock = socket.socket()
            sockets.append(sock)
            sock.bind(("", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _split_server(server: str) -> tuple[str, str, int]:
    """``[user@]host[:port]`` as (user, host, port); the user defaults to this one, the
    port to 22."""
    username, _, hostport = server.rpartition("@")
    host, _, port = hostport.partition(":")
    return username or getuser(), host, int(port) if port else 22


def _default_paramiko(use_paramiko: bool | None) -> bool:
    """pyzmq's default: paramiko on Windows, the ssh command elsewhere."""
    return sys.platform == "win32" if use_paramiko is None else use_paramiko


# -- can we log in without a password? ----------------------------------------------


def try_passwordless_ssh(server: str, keyfile: str | None, paramiko: bool | None = None) -> bool:
    """Whether ``server`` lets us in without a password (keys, agent), so that many
    tunnels to it ask for one at most once. ``paramiko`` chooses the way (default: the
    ssh command, except on Windows)."""
    if _default_paramiko(paramiko):
        return _try_passwordless_paramiko(server, keyfile)
    return _try_passwordless_openssh(server, keyfile)


def _try_passwordless_openssh(server: str, keyfile: str | None) -> bool:
    """Run ``ssh -f server exit``: True if it ends without asking for a password."""
    _require(pexpect, _NEEDS_PEXPECT, "try_passwordless_ssh")
    cmd = f"ssh -f {server}" + (f" -i {keyfile}" if keyfile else "") + " exit"
    child = pexpect.spawn(cmd, env=_env_without_askpass())
    for _ in range(_MAX_RETRY):
        try:
            if child.expect([_NEW_HOST, _password_pat], timeout=0.1) == 0:
                raise SSHException("The authenticity of the host can't be established.")
            return False
        except pexpect.TIMEOUT:
            continue
        except pexpect.EOF:
            return True
    raise MaxRetryExceeded(f"Failed after {_MAX_RETRY} attempts")


def _try_passwordless_paramiko(server: str, keyfile: str | None) -> bool:
    """Log in with paramiko using keys only: False if the server refuses them, or if
    there is no key to offer.

    Hosts not in ~/.ssh/known_hosts are refused unless PYZMQ_PARAMIKO_HOST_KEY_POLICY
    names another paramiko policy ("AutoAdd", "Warning"), as with pyzmq: that refusal,
    a changed host key, and a server that does not speak ssh raise SSHException.
    """
    _require(paramiko, _NEEDS_PARAMIKO, "try_passwordless_ssh(paramiko=True)")
    username, host, port = _split_server(server)
    client = paramiko.SSHClient()
    known_hosts = os.path.expanduser("~/.ssh/known_hosts")
    if os.path.exists(known_hosts):
        client.load_host_keys(known_hosts)
    name = os.environ.get("PYZMQ_PARAMIKO_HOST_KEY_POLICY")
    policy = _WatchedPolicy(getattr(paramiko, f"{name}Policy")() if name else None)
    client.set_missing_host_key_policy(policy)
    try:
        client.connect(host, port, username=username, key_filename=keyfile, look_for_keys=True)
    except paramiko.BadHostKeyException:
        raise
    except paramiko.SSHException:
        transport = client.get_transport()
        if policy.refused or transport is None or not transport.is_active():
            raise
        return False  # logged in as far as authentication, which refused every key
    finally:
        client.close()
    return True


class _WatchedPolicy:
    """A paramiko missing-host-key policy (RejectPolicy if none is given) that
    remembers whether it refused the host."""

    def __init__(self, policy: Any) -> None:
        self.policy = policy if policy is not None else paramiko.RejectPolicy()
        self.refused = False

    def missing_host_key(self, client: Any, hostname: str, key: Any) -> None:
        try:
            self.policy.missing_host_key(client, hostname, key)
        except Exception:
            self.refused = True
            raise


# -- tunnels --------------------------------------------------------------------------


def tunnel_connection(
    socket: Any,
    addr: str,
    server: str,
    keyfile: str | None = None,
    password: str | None = None,
    paramiko: bool | None = None,
    timeout: int = 60,
) -> Any:
    """Connect ``socket`` to ``addr`` (tcp://host:port, as seen from ``server``) through
    an ssh tunnel; the tunnel (see :func:`open_tunnel`)."""
    new_url, tunnel = open_tunnel(
        addr, server, keyfile=keyfile, password=password, paramiko=paramiko, timeout=timeout
    )
    socket.connect(new_url)
    return tunnel


def open_tunnel(
    addr: str,
    server: str,
    keyfile: str | None = None,
    password: str | None = None,
    paramiko: bool | None = None,
    timeout: int = 60,
) -> tuple[str, Any]:
    """Forward a free local port to ``addr`` through ``server``.

    Returns
    -------
    (url, tunnel) : (str, int or Process)
        ``tcp://127.0.0.1:PORT`` to connect to instead of ``addr``, and the tunnel: the
        ssh command's pid (openssh) or the child Process running it (paramiko).
    """
    transport, _, hostport = addr.partition("://")
    if transport != "tcp" or ":" not in hostport:
        raise ValueError(f"ssh tunnels forward tcp://host:port addresses, not {addr!r}")
    remote_ip, _, remote_port = hostport.rpartition(":")
    local_port = select_random_ports(1)[0]
    make = paramiko_tunnel if _default_paramiko(paramiko) else openssh_tunnel
    tunnel = make(
        local_port, int(remote_port), server, remoteip=remote_ip,
        keyfile=keyfile, password=password, timeout=timeout,
    )
    return f"tcp://127.0.0.1:{local_port}", tunnel


def openssh_tunnel(
    lport: int,
    rport: int,
    server: str,
    remoteip: str = "127.0.0.1",
    keyfile: str | None = None,
    password: str | None = None,
    timeout: int = 60,
) -> int:
    """Forward 127.0.0.1:``lport`` here to ``remoteip:rport`` as seen from ``server``,
    with the ssh command: the pid of the ssh process that carries it.

    Through the ControlMaster of ``server`` if one runs (the forward is cancelled at
    exit); else a new ``ssh -f ... sleep TIMEOUT``, which stays up while the tunnel is
    used and for at least ``timeout`` seconds. ``password`` answers ssh's password
    prompt; without one, it is asked for on the terminal.
    """
    _require(pexpect, _NEEDS_PEXPECT, "openssh_tunnel")
    ssh = "ssh " + (f"-i {keyfile}" if keyfile else "")
    if ":" in server:
        server, port = server.split(":")
        ssh += f" -p {port}"
    forward = f"-L 127.0.0.1:{lport}:{remoteip}:{rport}"
    pid = _forward_through_master(ssh, forward, server)
    if pid is not None:
        return pid
    cmd = f"{ssh} -f -S none {forward} {server} sleep {timeout}"
    return _spawn_ssh(cmd, server, password)


def _forward_through_master(ssh: str, forward: str, server: str) -> int | None:
    """Add the forward to a running ControlMaster: its pid, or None if there is none."""
    output, status = pexpect.run(f"{ssh} -O check {server}", withexitstatus=True)
    if status:
        return None
    pid = int(output[output.find(b"(pid=") + 5 : output.find(b")")])
    cmd = f"{ssh} -O forward {forward} {server}"
    _, status = pexpect.run(cmd, withexitstatus=True)
    if status:
        return None
    atexit.register(_stop_tunnel, cmd.replace("-O forward", "-O cancel", 1))
    return pid


def _stop_tunnel(cmd: str) -> None:
    pexpect.run(cmd)


def _spawn_ssh(cmd: str, server: str, password: str | None) -> int:
    """Run ``cmd`` (an ssh that forks once logged in), answering password prompts; its pid."""
    tunnel = pexpect.spawn(cmd, env=_env_without_askpass())
    failed = False
    for _ in range(_MAX_RETRY):
        try:
            if tunnel.expect([_NEW_HOST, _password_pat], timeout=0.1) == 0:
                raise SSHException("The authenticity of the host can't be established.")
        except pexpect.TIMEOUT:
            continue
        except pexpect.EOF:
            if tunnel.exitstatus:
                raise RuntimeError(
                    f"tunnel '{cmd}' failed to start: {tunnel.before!r}"
                ) from None
            return int(tunnel.pid)
        if failed:
            print("Password rejected, try again")
            password = None
        if password is None:
            password = getpass(f"{server}'s password: ")
        tunnel.sendline(password)
        failed = True
    raise MaxRetryExceeded(f"Failed after {_MAX_RETRY} attempts")


def _env_without_askpass() -> dict[str, str]:
    """This environment without SSH_ASKPASS, so that ssh asks on its terminal."""
    env = dict(os.environ)
    env.pop("SSH_ASKPASS", None)
    return env


def paramiko_tunnel(
    lport: int,
    rport: int,
    server: str,
    remoteip: str = "127.0.0.1",
    keyfile: str | None = None,
    password: str | None = None,
    timeout: int = 60,
) -> Process:
    """Forward 127.0.0.1:``lport`` here to ``remoteip:rport`` as seen from ``server``,
    with paramiko in a daemon child process: that Process (terminate it to stop).

    Without ``password``, it is asked for on the terminal unless keys let us in.
    ``timeout`` is accepted for openssh_tunnel's sake: this tunnel lasts as long as
    its process.
    """
    _require(paramiko, _NEEDS_PARAMIKO, "paramiko_tunnel")
    if password is None and not _try_passwordless_paramiko(server, keyfile):
        password = getpass(f"{server}'s password: ")
    process = Process(
        target=_paramiko_tunnel,
        args=(lport, rport, server, remoteip),
        kwargs={"keyfile": keyfile, "password": password},
        daemon=True,
    )
    process.start()
    return process


def _paramiko_tunnel(
    lport: int,
    rport: int,
    server: str,
    remoteip: str,
    keyfile: str | None = None,
    password: str | None = None,
) -> None:
    """The child process of paramiko_tunnel: log in, then forward until killed."""
    from .forward import forward_tunnel

    username, host, port = _split_server(server)
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.WarningPolicy())
    try:
        client.connect(
            host, port, username=username, key_filename=keyfile,
            look_for_keys=True, password=password,
        )
    except Exception as exc:
        print(f"*** Failed to connect to {host}:{port}: {exc!r}")
        sys.exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent
    try:
        forward_tunnel(lport, remoteip, rport, client.get_transport())
    except Exception as exc:
        print(f"Port forwarding stopped uncleanly: {exc}")
        sys.exit(255)


ssh_tunnel = paramiko_tunnel if sys.platform == "win32" else openssh_tunnel
