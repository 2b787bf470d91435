"""The I/O thread behind a sync Context: one asyncio loop, like libzmq's I/O thread.

Sessions, listeners and connecters of sync sockets live on this loop. The user's
threads talk to them through pipes, and start or stop them with :meth:`IOThread.call`
(wait for the result) or :meth:`IOThread.submit` (fire and forget).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def new_event_loop(use_uvloop: bool = False) -> asyncio.AbstractEventLoop:
    """A fresh loop; uvloop's when asked for and installed."""
    if use_uvloop:
        try:
            import uvloop
        except ImportError:
            pass
        else:
            loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
            return loop
    return asyncio.new_event_loop()


class IOThread:
    """A daemon thread running an asyncio loop until :meth:`stop`."""

    def __init__(self, use_uvloop: bool = False) -> None:
        self.loop = new_event_loop(use_uvloop)
        ready = threading.Event()
        self.thread = threading.Thread(
            target=self._run, args=(ready,), name="purezmq-io", daemon=True
        )
        self.thread.start()
        ready.wait()
        self.thread_id: int = self.thread.ident or 0

    def __repr__(self) -> str:
        return f"<IOThread {'running' if self.thread.is_alive() else 'stopped'}>"

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(ready.set)
        try:
            self.loop.run_forever()
        finally:
            self._cancel_leftovers()
            self.loop.close()

    def _cancel_leftovers(self) -> None:
        tasks = asyncio.all_tasks(self.loop)
        for task in tasks:
            task.cancel()
        if tasks:
            self.loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))

    def in_thread(self) -> bool:
        return threading.get_ident() == self.thread_id

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the loop and return its result (or raise its exception)."""
        if self.in_thread():
            return fn(*args)
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to the caller's thread
                future.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return future.result()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Schedule ``fn(*args)`` on the loop without waiting."""
        if self.in_thread():
            self.loop.call_soon(fn, *args)
        else:
            self.loop.call_soon_threadsafe(fn, *args)

    def stop(self) -> None:
        """Stop the loop and join the thread (idempotent)."""
        if self.thread.is_alive():
            try:
                self.loop.call_soon_threadsafe(self.loop.stop)
            except RuntimeError:
                pass  # the loop is already closed
            if not self.in_thread():
                self.thread.join()
