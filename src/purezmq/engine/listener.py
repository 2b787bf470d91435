"""A bound endpoint: accepts connections and gives each a Session.

As in libzmq, the sessions a listener accepted end with it (``unbind`` closes them).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from .session import Session
from .tcp import BoundSocket

if TYPE_CHECKING:
    from .socket_engine import SocketEngine


class Listener:
    """Serves one listening socket on the engine's loop."""

    def __init__(self, engine: SocketEngine, bound: BoundSocket) -> None:
        self.engine = engine
        self.bound = bound
        self.endpoint = bound.endpoint
        self.server: asyncio.AbstractServer | None = None
        self.sessions: set[Session] = set()
        self.closed = False

    def __repr__(self) -> str:
        return f"<Listener {self.endpoint} sessions={len(self.sessions)}>"

    async def start(self) -> None:
        if self.closed:
            return
        loop = self.engine.loop
        if self.bound.sock.family == getattr(__import__("socket"), "AF_UNIX", None):
            self.server = await loop.create_unix_server(self._new_session, sock=self.bound.sock)
        else:
            self.server = await loop.create_server(self._new_session, sock=self.bound.sock)
        if self.closed:
            self.server.close()

    def _new_session(self) -> Session:
        session = Session(self.engine, self.endpoint, on_lost=self.sessions.discard)
        self.sessions.add(session)
        return session

    def close(self) -> None:
        """Stop accepting, and drop the connections this listener accepted."""
        self.closed = True
        if self.server is not None:
            self.server.close()
        self.bound.close()
        for session in list(self.sessions):
            session.close()
