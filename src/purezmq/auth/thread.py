"""ZAP authentication in a background thread, as pyzmq's ``zmq.auth.thread``.

Theory of operation
-------------------
``ThreadAuthenticator.start()`` binds the ZAP socket (in the caller's thread,
so that a server socket created right after it finds the handler) and starts
a daemon thread that polls two sockets: the ZAP socket, whose requests it
answers, and one end of an inproc PAIR, on which ``stop()`` sends TERMINATE.
``handle_zap_message`` is a coroutine (a credentials provider may be async),
so the thread drives each one to completion on an event loop of its own.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from .. import constants
from ..sugar.poll import Poller
from ..sugar.socket import Socket
from .base import Authenticator

__all__ = ["AuthenticationThread", "ThreadAuthenticator"]

START_TIMEOUT = 10.0
"""Seconds start() waits for the thread to be polling (pyzmq's figure)."""


class AuthenticationThread(threading.Thread):
    """The thread that runs an Authenticator until TERMINATE arrives on its pipe."""

    def __init__(self, authenticator: Authenticator, pipe: Any) -> None:
        super().__init__(daemon=True)
        self.authenticator = authenticator
        self.log = authenticator.log
        self.pipe = pipe
        self.started = threading.Event()

    def run(self) -> None:
        """Poll the pipe and the ZAP socket; answer requests until TERMINATE."""
        loop = asyncio.new_event_loop()
        try:
            self._serve(loop)
        finally:
            self.pipe.close()
            loop.close()

    def _serve(self, loop: asyncio.AbstractEventLoop) -> None:
        poller = Poller()
        poller.register(self.pipe, constants.POLLIN)
        poller.register(self.authenticator.zap_socket, constants.POLLIN)
        self.started.set()
        while True:
            ready = dict(poller.poll())
            if self.pipe in ready and self._handle_pipe_message(self.pipe.recv_multipart()):
                return
            zap_socket = self.authenticator.zap_socket
            if zap_socket in ready:
                message = zap_socket.recv_multipart()
                loop.run_until_complete(self.authenticator.handle_zap_message(message))

    def _handle_pipe_message(self, msg: list[bytes]) -> bool:
        """True for TERMINATE; anything else is answered with ERROR."""
        command = msg[0]
        self.log.debug("auth received API command %r", command)
        if command == b"TERMINATE":
            return True
        self.log.error("Invalid auth command from API: %r", command)
        self.pipe.send(b"ERROR")
        return False


class ThreadAuthenticator(Authenticator):
    """An Authenticator answering in a background thread."""

    def __init__(self, context: Any = None, encoding: str = "utf-8", log: Any = None) -> None:
        super().__init__(context=context, encoding=encoding, log=log)
        self.pipe: Any = None
        self.pipe_endpoint = f"inproc://{id(self)}.inproc"
        self.thread: AuthenticationThread | None = None

    def start(self) -> None:
        """Bind the ZAP socket and start the thread; RuntimeError if it does not start."""
        super().start()
        self.pipe = self.context.socket(constants.PAIR, socket_class=Socket)
        self.pipe.linger = 1
        self.pipe.bind(self.pipe_endpoint)
        thread_pipe = self.context.socket(constants.PAIR, socket_class=Socket)
        thread_pipe.linger = 1
        thread_pipe.connect(self.pipe_endpoint)
        self.thread = AuthenticationThread(self, thread_pipe)
        self.thread.start()
        if not self.thread.started.wait(timeout=START_TIMEOUT):
            raise RuntimeError("Authenticator thread failed to start")

    def stop(self) -> None:
        """Stop the thread (it finishes the request in hand), then close the ZAP socket."""
        if self.pipe:
            self.pipe.send(b"TERMINATE")
            if self.thread is not None and self.is_alive():
                self.thread.join()
            self.thread = None
            self.pipe.close()
            self.pipe = None
        super().stop()

    def is_alive(self) -> bool:
        """Is the ZAP thread running?"""
        return bool(self.thread and self.thread.is_alive())

    def __del__(self) -> None:
        self.stop()
