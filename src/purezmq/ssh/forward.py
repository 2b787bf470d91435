"""Local port forwarding over a paramiko transport (``ssh -L``), for ``paramiko_tunnel``.

Theory of operation: a threading TCP server listens on 127.0.0.1; each connection it
accepts gets a ``direct-tcpip`` channel to the destination through the ssh transport,
and a thread that copies bytes both ways until either side closes.
"""

from __future__ import annotations

import logging
import select
import socket
import socketserver
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import paramiko

__all__ = ["forward_tunnel"]

logger = logging.getLogger("ssh")
_CHUNK = 16384


class ForwardServer(socketserver.ThreadingTCPServer):
    """The local end of a tunnel: one thread per forwarded connection."""

    daemon_threads = True
    allow_reuse_address = True


class Handler(socketserver.BaseRequestHandler):
    """Forwards one accepted connection; subclasses say through what and to where."""

    ssh_transport: paramiko.Transport
    chain_host: str
    chain_port: int

    def handle(self) -> None:
        local: socket.socket = self.request
        destination = (self.chain_host, self.chain_port)
        try:
            channel = self.ssh_transport.open_channel(
                "direct-tcpip", destination, local.getpeername()
            )
        except Exception as exc:
            logger.debug("Incoming request to %s:%d failed: %r", *destination, exc)
            return
        if channel is None:
            logger.debug("Incoming request to %s:%d was rejected by the SSH server.", *destination)
            return
        logger.debug("Tunnel open %r -> %r", local.getpeername(), destination)
        try:
            _pump(local, channel)
        finally:
            channel.close()
            local.close()
        logger.debug("Tunnel closed")


def _pump(local: socket.socket, channel: Any) -> None:
    """Copy bytes between ``local`` and ``channel`` until one of them closes."""
    while True:
        readable, _, _ = select.select([local, channel], [], [])
        for source, sink in ((local, channel), (channel, local)):
            if source in readable:
                data = source.recv(_CHUNK)
                if not data:
                    return
                sink.sendall(data)


def forward_server(
    local_port: int, remote_host: str, remote_port: int, transport: paramiko.Transport
) -> ForwardServer:
    """A server on 127.0.0.1:``local_port`` forwarding to ``remote_host:remote_port`` as
    seen from the ssh server (call its ``serve_forever``, and ``shutdown`` to stop)."""

    class ToDestination(Handler):
        chain_host = remote_host
        chain_port = remote_port
        ssh_transport = transport

    return ForwardServer(("127.0.0.1", local_port), ToDestination)


def forward_tunnel(
    local_port: int, remote_host: str, remote_port: int, transport: paramiko.Transport
) -> None:
    """Forward 127.0.0.1:``local_port`` to ``remote_host:remote_port`` through
    ``transport``, for ever (``ssh -L local_port:remote_host:remote_port``)."""
    forward_server(local_port, remote_host, remote_port, transport).serve_forever()
