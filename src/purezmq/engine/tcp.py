"""tcp:// and ipc:// addresses: listening sockets made now, connections opened on the loop.

Binding happens in the caller's thread with plain ``socket`` calls, so an error
(EADDRINUSE, a bad interface) reaches the ``bind()`` that caused it, and an
asyncio socket can bind before its loop runs. The loop only starts serving the
socket we made.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import sys
import tempfile
import uuid
from dataclasses import dataclass
from typing import Any

from ..core.endpoint import Endpoint, format_tcp
from ..core.errors import EADDRINUSE, EADDRNOTAVAIL, EINVAL, ENODEV, CoreError
from ..core.options import Options
from .iothread import original


@dataclass
class BoundSocket:
    """A listening socket, the endpoint it resolved to, and a path to unlink on close."""

    sock: socket.socket
    endpoint: str
    unlink: str | None = None
    inode: int = 0

    def remove_path(self) -> None:
        """Remove the ipc socket file; called on the thread that binds, so that a later
        bind of the same path by that thread cannot lose its new file to us."""
        path, self.unlink = self.unlink, None
        if path:
            try:
                if os.stat(path).st_ino == self.inode:
                    os.unlink(path)
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()
        self.remove_path()


def _bind_error(exc: OSError, endpoint: Endpoint) -> CoreError:
    code = exc.errno or EINVAL
    if code not in (EADDRINUSE, EADDRNOTAVAIL):
        code = ENODEV if isinstance(exc, socket.gaierror) else code
    return CoreError(code, f"cannot bind to {endpoint}: {exc.strerror or exc}")


def _bind_host(host: str, ipv6: bool) -> tuple[socket.AddressFamily, str]:
    if host == "*":
        return (socket.AF_INET6, "::") if ipv6 else (socket.AF_INET, "0.0.0.0")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if family == socket.AF_INET6 or _is_ipv4(host):
        return family, host
    # A hostname: take its first address of an allowed family.
    families = socket.AF_UNSPEC if ipv6 else socket.AF_INET
    info = _getaddrinfo(host, None, families, socket.SOCK_STREAM)
    return info[0][0], str(info[0][4][0])


def _is_ipv4(host: str) -> bool:
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return host.count(".") == 3


# The send buffer of an ipc connection when SNDBUF is left at the OS default. A Unix
# socket's default (208 KiB on Linux) holds a fifth of a 1 MiB message: the sender's
# and the receiver's loops then take turns at every fifth of it, each turn a wake-up,
# and `purezmq bench` moved half as many 64 KiB and 1 MiB messages over ipc as over
# tcp, whose loopback buffers grow to megabytes. With this much (the kernel caps it at
# net.core.wmem_max, and doubles it) ipc keeps pace with tcp: 2.1x the 64 KiB and 1.8x
# the 1 MiB throughput in the run that chose it (docs/performance.md).
IPC_SNDBUF = 4 << 20


def set_tcp_options(sock: socket.socket, options: Any) -> None:
    """TCP_NODELAY (as libzmq), buffer sizes and keep-alive from the socket options;
    on an ipc socket a larger send buffer unless SNDBUF is set (IPC_SNDBUF)."""
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if options.tcp_keepalive != -1:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, options.tcp_keepalive)
        if options.tcp_keepalive == 1:
            for name, value in (
                ("TCP_KEEPCNT", options.tcp_keepalive_cnt),
                ("TCP_KEEPIDLE", options.tcp_keepalive_idle),
                ("TCP_KEEPINTVL", options.tcp_keepalive_intvl),
            ):
                if value != -1 and hasattr(socket, name):
                    sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
    if options.sndbuf > 0:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, options.sndbuf)
    elif sock.family == socket.AF_UNIX:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, IPC_SNDBUF)
    if options.rcvbuf > 0:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, options.rcvbuf)


def ip_options(sock: socket.socket, options: Options) -> None:
    """TOS (IP_TOS, or IPV6_TCLASS) and BINDTODEVICE on a tcp socket, before its bind or
    connect, as libzmq sets them; OSError if the system refuses (BINDTODEVICE needs
    CAP_NET_RAW on Linux)."""
    if options.tos:
        if sock.family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, options.tos)
        else:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, options.tos)
    if options.bindtodevice:
        if not hasattr(socket, "SO_BINDTODEVICE"):
            raise OSError(errno.ENOTSUP, "BINDTODEVICE needs Linux")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, options.bindtodevice)


def tcp_listen(endpoint: Endpoint, options: Options) -> BoundSocket:
    """A listening tcp socket for ``endpoint`` (port 0 picks a free one)."""
    try:
        family, host = _bind_host(endpoint.host, bool(options.ipv6))
        sock = _socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        raise _bind_error(exc, endpoint) from None
    try:
        ip_options(sock, options)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, endpoint.port))
        sock.listen(options.backlog)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise _bind_error(exc, endpoint) from None
    bound_host, bound_port = sock.getsockname()[:2]
    return BoundSocket(sock, format_tcp(bound_host, bound_port))


def ipc_path(address: str) -> str:
    """The filesystem (or Linux abstract, for ``@name``) path of an ipc address."""
    if address.startswith("@"):
        return "\0" + address[1:]
    return address


def ipc_listen(endpoint: Endpoint, options: Options) -> BoundSocket:
    """A listening unix socket; ``ipc://*`` makes a fresh path in the temp directory."""
    address = endpoint.address
    if address == "*":
        address = os.path.join(tempfile.gettempdir(), f"purezmq-{uuid.uuid4().hex[:12]}")
    path = ipc_path(address)
    if not path.startswith("\0"):
        # As libzmq: a file left behind by an earlier run is removed before binding.
        try:
            os.unlink(path)
        except OSError:
            pass
    sock = _socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(path)
        sock.listen(options.backlog)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise _bind_error(exc, endpoint) from None
    if path.startswith("\0"):
        return BoundSocket(sock, f"ipc://{address}")
    return BoundSocket(sock, f"ipc://{address}", path, os.stat(path).st_ino)


def listen(endpoint: Endpoint, options: Options) -> BoundSocket:
    if endpoint.transport == "tcp":
        return tcp_listen(endpoint, options)
    return ipc_listen(endpoint, options)


async def connect(
    loop: asyncio.AbstractEventLoop, endpoint: Endpoint, options: Options
) -> socket.socket:
    """A non-blocking socket connected to ``endpoint`` (the caller makes its transport).

    tcp tries each address the name resolves to, in order, and raises the first
    error if none answers (ECONNREFUSED matters to RECONNECT_STOP).
    """
    if endpoint.transport == "tcp":
        ipv6 = bool(options.ipv6)
        family = socket.AF_UNSPEC if ipv6 or ":" in endpoint.host else socket.AF_INET
        try:
            # A numeric address needs no resolver (nor the loop's resolver thread).
            infos = _getaddrinfo(
                endpoint.host, endpoint.port, family, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST
            )
        except socket.gaierror:
            infos = await loop.getaddrinfo(
                endpoint.host, endpoint.port, family=family, type=socket.SOCK_STREAM
            )
        first_error: OSError | None = None
        for af, kind, proto, _, address in infos:
            sock = _socket(af, kind, proto)
            sock.setblocking(False)
            try:
                ip_options(sock, options)
                await loop.sock_connect(sock, address)
            except OSError as exc:
                sock.close()
                first_error = first_error or exc
                continue
            except BaseException:
                sock.close()
                raise
            return sock
        raise first_error or OSError(f"{endpoint.host} resolves to no address")
    # uvloop's create_unix_connection(path) cuts a Linux abstract name ("\0name") at its
    # first NUL; sock_connect does not.
    sock = _socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, ipc_path(endpoint.address))
    except BaseException:
        sock.close()
        raise
    return sock


# socket.socket and socket.getaddrinfo as gevent's monkey-patching found them: the I/O
# thread has no hub for gevent's sockets and resolver (see iothread.py).


def _socket(family: int, kind: int = socket.SOCK_STREAM, proto: int = 0) -> socket.socket:
    cls: type[socket.socket] = original("socket", "socket")
    return cls(family, kind, proto)


def _getaddrinfo(*args: Any) -> list[Any]:
    found: list[Any] = original("socket", "getaddrinfo")(*args)
    return found
