"""An ipc connection's send buffer: larger than a Unix socket's default unless SNDBUF
is set (engine/tcp.py, IPC_SNDBUF)."""

from __future__ import annotations

import socket

from purezmq.core.options import Options
from purezmq.engine.tcp import set_tcp_options

PUSH = 8


def _sndbuf(sock: socket.socket) -> int:
    return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))


def test_an_ipc_socket_gets_a_larger_send_buffer_than_the_default() -> None:
    ours, default = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with ours, default:
        set_tcp_options(ours, Options(PUSH))
        assert _sndbuf(ours) > _sndbuf(default)


def test_an_explicit_sndbuf_wins_on_ipc() -> None:
    options = Options(PUSH)
    options.sndbuf = 65536
    ours, _other = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with ours, _other:
        set_tcp_options(ours, options)
        assert _sndbuf(ours) == 2 * 65536  # Linux doubles what it is given


def test_a_tcp_socket_keeps_the_os_default_send_buffer() -> None:
    with socket.socket() as ours, socket.socket() as default:
        set_tcp_options(ours, Options(PUSH))
        assert _sndbuf(ours) == _sndbuf(default)
