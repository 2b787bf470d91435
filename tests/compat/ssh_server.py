"""A small SSH server on 127.0.0.1 for the tunnel tests: paramiko in server mode.

It lets in ``USER`` with ``PASSWORD``, or with the public key it is given, and opens
``direct-tcpip`` channels (what ``ssh -L`` asks for) to any address, forwarding each
through a thread. Nothing else: no shell, no exec.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import paramiko

from purezmq.ssh.forward import _pump

USER = "tunneller"
PASSWORD = "open sesame"


class _Interface(paramiko.ServerInterface):
    """What one connection may do."""

    def __init__(self, client_key: paramiko.PKey | None) -> None:
        self.client_key = client_key
        self.destinations: dict[int, tuple[str, int]] = {}

    def get_allowed_auths(self, username: str) -> str:
        return "password,publickey"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = (username, password) == (USER, PASSWORD)
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        ok = username == USER and self.client_key is not None and key == self.client_key
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_direct_tcpip_request(
        self, chanid: int, origin: tuple[str, int], destination: tuple[str, int]
    ) -> int:
        self.destinations[chanid] = destination
        return paramiko.OPEN_SUCCEEDED


class SSHServer:
    """Listens on 127.0.0.1:``port`` until ``close()``."""

    def __init__(self, client_key: paramiko.PKey | None = None) -> None:
        self.host_key = paramiko.RSAKey.generate(1024)
        self.client_key = client_key
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port: int = self.listener.getsockname()[1]
        self.transports: list[paramiko.Transport] = []
        self.forwarded = 0
        self.stopping = threading.Event()
        self._spawn(self._accept)

    def _spawn(self, target: Any, *args: Any) -> None:
        threading.Thread(target=target, args=args, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._serve, conn)

    def _serve(self, conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        self.transports.append(transport)
        transport.add_server_key(self.host_key)
        interface = _Interface(self.client_key)
        try:
            transport.start_server(server=interface)
        except (paramiko.SSHException, EOFError, OSError):
            return
        while not self.stopping.is_set() and transport.is_active():
            channel = transport.accept(timeout=0.1)
            if channel is not None:
                destination = interface.destinations.pop(channel.get_id())
                self._spawn(self._forward, channel, destination)

    def _forward(self, channel: paramiko.Channel, destination: tuple[str, int]) -> None:
        self.forwarded += 1
        with socket.create_connection(destination, timeout=5) as remote:
            remote.settimeout(None)
            try:
                _pump(remote, channel)
            except OSError:
                pass
            finally:
                channel.close()

    def close(self) -> None:
        self.stopping.set()
        self.listener.close()
        for transport in self.transports:
            transport.close()
