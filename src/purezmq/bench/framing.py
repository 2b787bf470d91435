"""Length-prefixed frames and listening sockets for the floor (plain Python sockets)."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator

from .common import unix_path
from .spec import Params

HEADER = struct.Struct("!I")
BATCH = 65536  # the floor's senders write in batches of at least this many bytes
CHUNK = 1 << 18  # and read in chunks of this size


class Deframer:
    """Cuts a byte stream into the messages of its length-prefixed frames."""

    __slots__ = ("buf",)

    def __init__(self) -> None:
        self.buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        buf = self.buf
        buf += data
        out: list[bytes] = []
        pos, end_of_data = 0, len(buf)
        with memoryview(buf) as view:
            while end_of_data - pos >= 4:
                end = pos + 4 + HEADER.unpack_from(view, pos)[0]
                if end > end_of_data:
                    break
                out.append(bytes(view[pos + 4 : end]))
                pos = end
        if pos:
            del buf[:pos]
        return out


def framed_batches(count: int, size: int) -> Iterator[bytes]:
    """``count`` length-prefixed messages of ``size`` bytes, joined into ~BATCH-byte writes."""
    pack, payload = HEADER.pack, b"x" * size
    parts: list[bytes] = []
    pending = 0
    for _ in range(count):
        parts.append(pack(size))
        parts.append(payload)
        pending += 4 + size
        if pending >= BATCH:
            yield b"".join(parts)
            parts.clear()
            pending = 0
    if parts:
        yield b"".join(parts)


def listen(p: Params, name: str) -> tuple[socket.socket, str]:
    """A listening socket: tcp on 127.0.0.1 for tcp, a unix socket for ipc and inproc."""
    if p.transport == "tcp":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        address = f"tcp:127.0.0.1:{sock.getsockname()[1]}"
    else:
        path = unix_path(p, name)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        address = f"unix:{path}"
    sock.listen(8)
    return sock, address


def split_address(address: str) -> tuple[str, str, int]:
    """``tcp:HOST:PORT`` or ``unix:PATH`` as (family, host or path, port)."""
    family, _, rest = address.partition(":")
    if family == "tcp":
        host, _, port = rest.rpartition(":")
        return family, host, int(port)
    return family, rest, 0


def connect(address: str) -> socket.socket:
    family, where, port = split_address(address)
    if family == "tcp":
        sock = socket.create_connection((where, port))
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(where)
    nodelay(sock)
    return sock


def nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
