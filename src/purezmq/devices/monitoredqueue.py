"""monitored_queue: a two-way queue that reports each message, tagged, on a monitor."""

from __future__ import annotations

from typing import Any

from ..constants import PollEvent, SocketType
from ..sugar.poll import Poller
from ..sugar.socket import Socket

_ROUTER = int(SocketType.ROUTER)
_POLLIN = int(PollEvent.POLLIN)


def _relay(
    src: Socket[Any], dst: Socket[Any], mon: Socket[Any], prefix: bytes, swap_ids: bool
) -> None:
    msg: list[bytes] = src.recv_multipart()
    if swap_ids:
        # ROUTER to ROUTER: the sender's identity comes first; the peer to route to
        # is named second. Exchange them so the out ROUTER routes on the right one.
        msg[0], msg[1] = msg[1], msg[0]
    dst.send_multipart(msg)
    mon.send_multipart([prefix, *msg])


def monitored_queue(
    in_socket: Socket[Any],
    out_socket: Socket[Any],
    mon_socket: Socket[Any],
    in_prefix: bytes = b"in",
    out_prefix: bytes = b"out",
) -> None:
    """Forward both ways between in and out; copy each message to ``mon_socket``.

    Messages from ``in_socket`` reach the monitor as ``[in_prefix, *frames]``,
    those from ``out_socket`` as ``[out_prefix, *frames]``. Runs until the context
    is terminated (ContextTerminated).
    """
    swap_ids = in_socket.type == _ROUTER and out_socket.type == _ROUTER
    poller = Poller()
    poller.register(in_socket, _POLLIN)
    poller.register(out_socket, _POLLIN)
    while True:
        ready = dict(poller.poll())
        if in_socket in ready:
            _relay(in_socket, out_socket, mon_socket, in_prefix, swap_ids)
        if out_socket in ready:
            _relay(out_socket, in_socket, mon_socket, out_prefix, swap_ids)


__all__ = ["monitored_queue"]
