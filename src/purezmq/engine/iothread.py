"""The I/O thread behind a sync Context: one asyncio loop, like libzmq's I/O thread.

Sessions, listeners and connecters of sync sockets live on this loop. The user's
threads talk to them through pipes, and start or stop them with :meth:`IOThread.call`
(wait for the result) or :meth:`IOThread.submit` (fire and forget).

Under gevent's monkey-patching (``gevent.monkey.patch_all()``, before or after
``import purezmq``; see ``purezmq/green/__init__.py``) the thread must stay a real
OS thread: patched ``threading`` would start a greenlet instead, and an asyncio loop
running in a greenlet is marked as *the* running loop of the whole OS thread (every
greenlet's ``asyncio.get_running_loop()`` would return it), and stalls whenever a
greenlet computes. So the thread is started with the unpatched ``_thread``, and its
loop is built only of unpatched parts (:func:`unpatched_loop`): gevent's selector,
socket pair and thread pool all need a gevent hub running in their thread, and
this one runs asyncio instead.

What the user's threads share with this one is unpatched too: :func:`os_lock` and
:class:`OsEvent` are what :meth:`IOThread.call` waits on and what the engine's
cross-thread locks are made of. A greenlet waiting on a gevent lock that a thread
without a hub releases would end with gevent's ``LoopExit`` ("would block forever")
when its hub has nothing else to do; on a real lock it blocks its thread instead,
for as long as the I/O thread takes (microseconds for a call), as libzmq's calls
block pyzmq's greenlets. Without gevent, nothing here differs from a plain
``threading.Thread`` running ``asyncio.new_event_loop()``.
"""

from __future__ import annotations

import _thread
import asyncio
import concurrent.futures
import encodings.idna  # noqa: F401  (see below)
import signal
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

# getaddrinfo() encodes host names with the idna codec, importing it at its first
# call. Imported here instead, in the importing thread: under gevent's patching
# importlib's module locks are gevent locks, and a greenlet importing the same module
# while the I/O thread does would end with LoopExit (gevent does the same for itself).

# What gevent.monkey replaces and the I/O thread must not use, by module.
_PATCHED_MODULES = ("_thread", "threading", "socket", "select", "selectors")


def original(module: str, name: str) -> Any:
    """``module.name`` as it was before gevent's monkey-patching (as it is, without it).

    Never imports gevent: a program that did not load ``gevent.monkey`` patched nothing.
    """
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None:
        return monkey.get_original(module, name)
    return getattr(__import__(module), name)


def os_lock() -> _thread.LockType:
    """A real ``threading.Lock``, even under gevent's patching."""
    lock: _thread.LockType = original("_thread", "allocate_lock")()
    return lock


# How long stop() waits for the loop's thread to end (seconds); see IOThread.stop.
STOP_WAIT = 5.0


class OsEvent:
    """``threading.Event`` (set, is_set, wait) on a real lock: safe to wait on in a
    greenlet for a thread without a gevent hub (see the module docstring)."""

    __slots__ = ("_flag", "_lock")

    def __init__(self) -> None:
        self._flag = False
        self._lock = os_lock()
        self._lock.acquire()

    def set(self) -> None:
        if not self._flag:
            self._flag = True
            try:
                self._lock.release()
            except RuntimeError:
                pass  # two setters raced: released once is enough

    def is_set(self) -> bool:
        return self._flag

    def wait(self, timeout: float | None = None) -> bool:
        """Block until set or ``timeout`` seconds pass (None: for ever); True if set."""
        if self._flag:
            return True
        if self._lock.acquire(timeout=-1 if timeout is None else max(timeout, 0)):
            self._lock.release()  # pass it on to the next waiter
        return self._flag


def gevent_patched() -> bool:
    """True if gevent's monkey-patching replaced threads, sockets or selectors."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and any(monkey.is_module_patched(m) for m in _PATCHED_MODULES)


class _UnpatchedLoop(asyncio.SelectorEventLoop):
    """An asyncio loop that touches nothing gevent patched: the original selector
    (given to the constructor), the original socket pair for its self-pipe, and
    real threads for blocking calls (getaddrinfo) instead of a thread pool whose
    "threads" would be greenlets that no hub ever runs in this thread."""

    def _make_self_pipe(self) -> None:
        # As asyncio's, with the unpatched socketpair: a gevent socket belongs to the
        # hub of the thread that made it, and is closed by another.
        self._ssock, self._csock = original("socket", "socketpair")()
        self._ssock.setblocking(False)
        self._csock.setblocking(False)
        self._internal_fds += 1  # type: ignore[attr-defined]
        self._add_reader(self._ssock.fileno(), self._read_from_self)  # type: ignore[attr-defined]

    async def getaddrinfo(
        self, host: Any, port: Any, *, family: int = 0, type: int = 0,  # noqa: A002
        proto: int = 0,
        flags: int = 0,
    ) -> list[Any]:
        # asyncio's would call the patched socket.getaddrinfo: gevent's resolver, which
        # needs a hub in the thread it runs in.
        lookup = original("socket", "getaddrinfo")
        found: list[Any] = await self.run_in_executor(
            None, lookup, host, port, family, type, proto, flags
        )
        return found

    def run_in_executor(  # type: ignore[override]
        self, executor: concurrent.futures.Executor | None, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        if executor is not None:
            return super().run_in_executor(executor, func, *args)
        future: asyncio.Future[T] = self.create_future()
        original("_thread", "start_new_thread")(self._run_blocking, (future, func, args))
        return future

    def _run_blocking(self, future: asyncio.Future[T], func: Callable[..., T], args: Any) -> None:
        """A real thread's body: run ``func`` and hand its outcome to the loop."""
        try:
            result = func(*args)
        except BaseException as exc:  # handed to the loop's future
            self._settle(future, None, exc)
        else:
            self._settle(future, result, None)

    def _settle(self, future: asyncio.Future[T], result: Any, exc: BaseException | None) -> None:
        def settle() -> None:
            if future.cancelled():
                return
            if exc is not None:
                future.set_exception(exc)
            else:
                future.set_result(result)

        try:
            self.call_soon_threadsafe(settle)
        except RuntimeError:
            pass  # the loop closed meanwhile: nobody waits for the answer


def unpatched_loop() -> asyncio.AbstractEventLoop:
    """An asyncio loop built only of gevent's originals (see :class:`_UnpatchedLoop`)."""
    selector = original("selectors", "DefaultSelector")()
    return _UnpatchedLoop(selector)


def new_event_loop(use_uvloop: bool = False) -> asyncio.AbstractEventLoop:
    """A fresh loop; uvloop's when asked for and installed; an unpatched one when
    gevent has monkey-patched the standard library (uvloop's executor would not run)."""
    if gevent_patched():
        return unpatched_loop()
    if use_uvloop:
        try:
            import uvloop
        except ImportError:
            pass
        else:
            loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
            return loop
    return asyncio.new_event_loop()


class _OsThread:
    """A daemon OS thread started with the unpatched ``_thread`` module, for when
    gevent patched ``threading`` (whose ``Thread.start`` then makes a greenlet).

    Joining waits on an unpatched lock, which blocks a greenlet's whole thread, but
    only while the loop winds down.
    """

    def __init__(self, target: Callable[[], None]) -> None:
        self._target = target
        self._running = OsEvent()
        self._alive = True
        original("_thread", "start_new_thread")(self._run, ())

    def _run(self) -> None:
        try:
            self._target()
        finally:
            self._alive = False
            self._running.set()

    def is_alive(self) -> bool:
        return self._alive

    def join(self, timeout: float | None = None) -> None:
        """Return once the thread's target has returned (or ``timeout`` seconds passed)."""
        self._running.wait(timeout)


def start_thread(target: Callable[[], None], name: str) -> threading.Thread | _OsThread:
    """A started daemon thread running ``target``: a real OS thread, gevent or not."""
    if gevent_patched():
        return _OsThread(target)
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


class IOThread:
    """A daemon thread running an asyncio loop until :meth:`stop`."""

    def __init__(self, use_uvloop: bool = False) -> None:
        self.loop = new_event_loop(use_uvloop)
        ready = OsEvent()
        self.thread_id = 0
        self.thread = start_thread(lambda: self._run(ready), "purezmq-io")
        ready.wait()

    def __repr__(self) -> str:
        return f"<IOThread {'running' if self.thread.is_alive() else 'stopped'}>"

    def _run(self, ready: OsEvent) -> None:
        _leave_signals_to_the_program()
        # The identity the engine compares with (threading.get_ident, patched or not,
        # as the engine's own checks call it).
        self.thread_id = threading.get_ident()
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
        return _outcome(future)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine on the loop and wait for its result (TimeoutError after
        ``timeout`` seconds, None: for ever)."""
        return _outcome(asyncio.run_coroutine_threadsafe(coro, self.loop), timeout)

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Schedule ``fn(*args)`` on the loop without waiting."""
        if self.in_thread():
            self.loop.call_soon(fn, *args)
        else:
            self.loop.call_soon_threadsafe(fn, *args)

    def stop(self) -> None:
        """Stop the loop and join the thread (idempotent).

        The join is bounded: everything that had to be flushed was waited for before
        (LINGER), and a loop that does not stop within STOP_WAIT is stuck (a lock that
        a KeyboardInterrupt made the main thread drop at the wrong instant, say). The
        daemon thread then ends with the process, rather than hang it at exit.
        """
        if self.thread.is_alive():
            try:
                self.loop.call_soon_threadsafe(self.loop.stop)
            except RuntimeError:
                pass  # the loop is already closed
            if not self.in_thread():
                self.thread.join(STOP_WAIT)


def _leave_signals_to_the_program() -> None:
    """Block every signal in this thread, as libzmq's own threads do. A signal sent to
    the process then goes to one of the program's threads: a Ctrl-C interrupts the main
    thread's blocking call (a poll, a sleep) at once, where delivered here it would only
    set Python's flag and leave the main thread asleep until its call returned by
    itself. Python runs its handlers in the main thread whichever thread received it."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())


def _outcome(future: concurrent.futures.Future[T], timeout: float | None = None) -> T:
    """``future.result(timeout)``, waiting on an :class:`OsEvent`: the future's own
    condition is a gevent lock under monkey-patching (see the module docstring)."""
    done = OsEvent()
    future.add_done_callback(lambda _: done.set())
    done.wait(timeout)
    return future.result(0)
