"""ZAP authentication on the running asyncio loop, as pyzmq's ``zmq.auth.asyncio``.

``start()`` binds the ZAP socket and schedules a task on the running loop that
awaits an asyncio Poller on it and answers each request; ``stop()`` cancels
the task and closes the socket.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

from .. import constants
from ..asyncio import Poller
from .base import Authenticator

__all__ = ["AsyncioAuthenticator"]


class AsyncioAuthenticator(Authenticator):
    """An Authenticator answering on the asyncio loop that called start()."""

    def __init__(
        self, context: Any = None, loop: Any = None, encoding: str = "utf-8", log: Any = None
    ) -> None:
        super().__init__(context, encoding, log)
        if loop is not None:
            warnings.warn(
                f"{type(self).__name__}(loop) is deprecated and ignored",
                DeprecationWarning,
                stacklevel=2,
            )
        self._poller: Poller | None = None
        self._task: asyncio.Future[None] | None = None

    async def _handle_zap(self) -> None:
        while self._poller is not None:
            events = await self._poller.poll()
            if self.zap_socket in dict(events):
                message = self.zap_socket.recv_multipart()
                await self.handle_zap_message(message)

    def start(self) -> None:
        """Bind the ZAP socket and start answering on the running loop."""
        super().start()
        self._poller = Poller()
        self._poller.register(self.zap_socket, constants.POLLIN)
        self._task = asyncio.ensure_future(self._handle_zap())

    def stop(self) -> None:
        """Stop answering and close the ZAP socket."""
        if self._task:
            self._task.cancel()
        if self._poller:
            self._poller.unregister(self.zap_socket)
            self._poller = None
        super().stop()
