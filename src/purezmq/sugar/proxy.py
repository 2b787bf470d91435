"""proxy, proxy_steerable and device: libzmq's built-in proxy (zmq_proxy(3)), in Python.

The proxy forwards whole messages between a frontend and a backend socket in both
directions, copying each one to ``capture`` when given. The steerable proxy also
obeys commands on a ``control`` socket (zmq_proxy_steerable(3)): ``PAUSE`` stops
forwarding, ``RESUME`` restarts it, ``TERMINATE`` returns, and ``STATISTICS``
replies with eight 64-bit counters: messages and bytes received and sent by the
frontend, then the same for the backend. Both return or raise as libzmq does: a
terminated context ends them with ContextTerminated.

The loop is written once over small "wait" and "move" steps, so that the asyncio
proxy in ``purezmq.asyncio`` differs only in awaiting them.
"""

from __future__ import annotations

import struct
from typing import Any, TypeVar

from .. import constants
from ..error import ZMQError
from .poll import Poller

POLLIN = int(constants.PollEvent.POLLIN)
REP = int(constants.SocketType.REP)
NOBLOCK = int(constants.Flag.NOBLOCK)
# libzmq moves at most this many messages from one side before looking at the other.
BURST = 1000


class ProxyState:
    """Counters and the paused/terminated state of one proxy run."""

    def __init__(self) -> None:
        # frontend: msgs in, bytes in, msgs out, bytes out; then the same for the backend
        self.stats = [0] * 8
        self.paused = False
        self.terminated = False

    def count(self, side: int, direction: int, msg: list[bytes]) -> None:
        # zmq_proxy_steerable(3): "Message totals count each part ... individually."
        base = side * 4 + direction * 2
        self.stats[base] += len(msg)
        self.stats[base + 1] += sum(map(len, msg))

    def command(self, cmd: bytes, rep: bool = False) -> list[bytes] | None:
        """Apply a control command; the reply to send back, if it has one.

        STATISTICS always replies; the other commands reply with an empty message
        when the control socket is a REP (which must answer), as libzmq does.
        """
        if cmd == b"PAUSE":
            self.paused = True
        elif cmd == b"RESUME":
            self.paused = False
        elif cmd == b"TERMINATE":
            self.terminated = True
        elif cmd == b"STATISTICS":
            return [struct.pack("=Q", value) for value in self.stats]
        else:
            raise ZMQError(constants.Errno.EINVAL, f"unknown proxy command {cmd!r}")
        return [b""] if rep else None


def _move(src: Any, dst: Any, capture: Any, state: ProxyState, side: int) -> None:
    """Forward up to BURST waiting messages from ``src`` (side 0 frontend, 1 backend)."""
    for _ in range(BURST):
        try:
            msg = src.recv_multipart(NOBLOCK)
        except ZMQError as exc:
            if exc.errno == constants.Errno.EAGAIN:
                return
            raise
        state.count(side, 0, msg)
        if capture is not None:
            capture.send_multipart(msg)
        dst.send_multipart(msg)
        state.count(1 - side, 1, msg)


P = TypeVar("P", bound=Poller)


def _poller(frontend: Any, backend: Any, control: Any, poller_class: type[P]) -> P:
    poller = poller_class()
    poller.register(frontend, POLLIN)
    if backend is not frontend:
        poller.register(backend, POLLIN)
    if control is not None:
        poller.register(control, POLLIN)
    return poller


def _handle_control(control: Any, state: ProxyState) -> None:
    reply = state.command(control.recv(), control.type == REP)
    if reply is not None:
        control.send_multipart(reply)


def _step(ready: dict[Any, int], frontend: Any, backend: Any, capture: Any,
          control: Any, state: ProxyState) -> None:
    if control is not None and control in ready:
        _handle_control(control, state)
    if state.paused or state.terminated:
        return
    if frontend in ready:
        _move(frontend, backend, capture, state, 0)
    if backend in ready and backend is not frontend:
        _move(backend, frontend, capture, state, 1)


def proxy_steerable(frontend: Any, backend: Any, capture: Any = None, control: Any = None) -> None:
    """Forward between ``frontend`` and ``backend`` until ``control`` says TERMINATE."""
    state = ProxyState()
    poller = _poller(frontend, backend, control, Poller)
    while not state.terminated:
        _step(dict(poller.poll()), frontend, backend, capture, control, state)


def proxy(frontend: Any, backend: Any, capture: Any = None) -> None:
    """Forward between ``frontend`` and ``backend`` until the context is terminated."""
    proxy_steerable(frontend, backend, capture)


def device(device_type: int, frontend: Any, backend: Any) -> None:
    """pyzmq's deprecated ``zmq.device``: a proxy (the type is not used, as in libzmq 3+)."""
    proxy(frontend, backend)
