"""``device``: pyzmq's ``zmq.green.device``, forwarding in a greenlet."""

from __future__ import annotations

from typing import Any, NoReturn

from .. import constants
from .poll import Poller

_POLLIN = int(constants.PollEvent.POLLIN)


def device(device_type: int, frontend: Any, backend: Any) -> NoReturn:
    """Forward whole messages between ``frontend`` and ``backend`` both ways, for ever
    (until the context is terminated: ContextTerminated), blocking only this greenlet.

    ``device_type`` (QUEUE, FORWARDER, STREAMER) is not looked at, as in pyzmq; a
    ``backend`` of -1 means ``frontend`` (a REP socket answering with its requests).
    """
    if backend == -1:
        backend = frontend
    poller = Poller()
    poller.register(frontend, _POLLIN)
    poller.register(backend, _POLLIN)
    peers = {frontend: backend, backend: frontend}
    while True:
        for sock, _ in poller.poll():
            peers[sock].send_multipart(sock.recv_multipart())
