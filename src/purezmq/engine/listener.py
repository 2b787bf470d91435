"""A bound endpoint: accepts connections and gives each a Session.

As in libzmq, the sessions a listener accepted end with it (``unbind`` closes them).
"""

from __future__ import annotations

import asyncio
import socket
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
        self.starting = False

    def __repr__(self) -> str:
        return f"<Listener {self.endpoint} sessions={len(self.sessions)}>"

    async def start(self) -> None:
        if self.closed:
            self.bound.close()
            return
        self.starting = True
        loop = self.engine.loop
        sock = self.bound.sock
        try:
            if sock.family == socket.AF_UNIX:
                server = await loop.create_unix_server(self._new_session, sock=sock)
            else:
                server = await loop.create_server(self._new_session, sock=sock)
        finally:
            self.starting = False
        self.server = server
        if self.closed:
            # close() came while the server was starting: finish its work.
            server.close()
            self.bound.close()

    def _new_session(self) -> Session:
        session = Session(self.engine, self.endpoint, on_lost=self.sessions.discard)
        session.accepted = True
        self.sessions.add(session)
        return session

    def close(self) -> None:
        """Stop accepting, and drop the connections this listener accepted."""
        self.closed = True
        if self.server is not None:
            self.server.close()
            self.bound.close()
        elif not self.starting:
            self.bound.close()
        # else: start() is awaiting the server and closes it when it gets it.
        for session in list(self.sessions):
            session.close()
