"""pyzmq's ``zmq.tests``: unittest helpers that other projects' test suites import.

Deprecated in pyzmq 25 (importing it warns), kept so that such suites run:
:class:`BaseZMQTestCase` makes sockets in ``Context.instance()`` and closes them
after each test, and terminates the contexts (failing if that takes longer than
``teardown_timeout``); :class:`GreenTest` is the gevent flavour, skipped when gevent
(or purezmq's green sockets) is not there. Needs pytest, as pyzmq's does.
"""

from __future__ import annotations

import importlib
import os
import platform
import signal
import warnings
from collections.abc import Callable
from threading import Thread
from types import ModuleType
from typing import Any
from unittest import SkipTest, TestCase

from pytest import mark

import purezmq as zmq

gzmq: ModuleType | None
try:
    import gevent

    gzmq = importlib.import_module("purezmq.green")
    have_gevent = True
except ImportError:
    gzmq = None
    have_gevent = False

warnings.warn(
    "zmq.tests is deprecated in pyzmq 25, we recommend managing your own contexts and sockets.",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "PYPY",
    "BaseZMQTestCase",
    "GreenTest",
    "PollZMQTestCase",
    "SkipTest",
    "have_gevent",
    "require_zmq_4",
    "skip_green",
    "skip_pypy",
    "term_context",
]

PYPY = platform.python_implementation() == "PyPy"
skip_pypy = mark.skipif(PYPY, reason="Doesn't work on PyPy")
require_zmq_4 = mark.skipif(zmq.zmq_version_info() < (4,), reason="requires zmq >= 4")


def term_context(ctx: Any, timeout: float) -> None:
    """Terminate ``ctx``, raising RuntimeError if that takes more than ``timeout`` s
    (sockets left open); the shared instance is forgotten then, for the next tests."""
    thread = Thread(target=ctx.term, daemon=True)
    thread.start()
    thread.join(timeout=timeout)
    if thread.is_alive():
        zmq.Context._instance = None
        raise RuntimeError("context could not terminate, open sockets likely remain in test")


class BaseZMQTestCase(TestCase):
    """A TestCase with a Context, sockets closed after each test, and zmq assertions."""

    green = False
    teardown_timeout = 10
    test_timeout_seconds = int(os.environ.get("ZMQ_TEST_TIMEOUT") or 60)
    sockets: list[Any]
    context: Any

    @property
    def _is_pyzmq_test(self) -> bool:
        """Whether the test is this library's own (only those get an alarm)."""
        return type(self).__module__.split(".", 1)[0] == __name__.split(".", 1)[0]

    @property
    def _should_test_timeout(self) -> bool:
        return bool(
            self._is_pyzmq_test and hasattr(signal, "SIGALRM") and self.test_timeout_seconds
        )

    @property
    def Context(self) -> Any:
        """The Context class of the tests: gevent's flavour for green tests."""
        return gzmq.Context if self.green and gzmq is not None else zmq.Context

    def socket(self, socket_type: int) -> Any:
        """A socket of ``self.context``, closed after the test."""
        sock = self.context.socket(socket_type)
        self.sockets.append(sock)
        return sock

    def _alarm_timeout(self, timeout: int, *args: Any) -> None:
        raise TimeoutError(f"Test did not complete in {timeout} seconds")

    def setUp(self) -> None:
        super().setUp()
        if self.green and not have_gevent:
            raise SkipTest("requires gevent")
        self.context = self.Context.instance()
        self.sockets = []
        if self._should_test_timeout:
            signal.signal(signal.SIGALRM, lambda *a: self._alarm_timeout(self.test_timeout_seconds))
            signal.alarm(self.test_timeout_seconds)

    def _close_sockets(self, linger: int | None) -> set[Any]:
        """Close the test's sockets; the contexts they belong to."""
        contexts = {self.context}
        while self.sockets:
            sock = self.sockets.pop()
            contexts.add(sock.context)
            sock.close(linger)
        return contexts

    def tearDown(self) -> None:
        if self._should_test_timeout:
            signal.alarm(0)
        for ctx in self._close_sockets(0):
            try:
                term_context(ctx, self.teardown_timeout)
            except Exception:
                zmq.Context._instance = None
                raise
        super().tearDown()

    def create_bound_pair(
        self, type1: int = zmq.PAIR, type2: int = zmq.PAIR, interface: str = "tcp://127.0.0.1"
    ) -> tuple[Any, Any]:
        """Two sockets (LINGER 0): the first bound to a random port of ``interface``,
        the second connected to it."""
        first = self.context.socket(type1)
        first.setsockopt(zmq.LINGER, 0)
        port = first.bind_to_random_port(interface)
        second = self.context.socket(type2)
        second.setsockopt(zmq.LINGER, 0)
        second.connect(f"{interface}:{port}")
        self.sockets.extend([first, second])
        return first, second

    def ping_pong(self, s1: Any, s2: Any, msg: Any) -> Any:
        """``msg`` from s1 to s2 and back; what s1 got."""
        s1.send(msg)
        s2.send(s2.recv())
        return s1.recv()

    def ping_pong_json(self, s1: Any, s2: Any, o: Any) -> Any:
        """``o`` as JSON from s1 to s2 and back; what s1 got."""
        s1.send_json(o)
        s2.send_json(s2.recv_json())
        return s1.recv_json()

    def ping_pong_pyobj(self, s1: Any, s2: Any, o: Any) -> Any:
        """``o`` pickled from s1 to s2 and back; what s1 got."""
        s1.send_pyobj(o)
        s2.send_pyobj(s2.recv_pyobj())
        return s1.recv_pyobj()

    def assertRaisesErrno(
        self, errno: int, func: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> None:
        """Fail unless ``func(*args, **kwargs)`` raises ZMQError with ``errno``."""
        try:
            func(*args, **kwargs)
        except zmq.ZMQError as exc:
            self.assertEqual(
                exc.errno, errno,
                f"wrong error raised, expected '{zmq.ZMQError(errno)}'"
                f" got '{zmq.ZMQError(exc.errno)}'",
            )
        else:
            self.fail("Function did not raise any error")

    def _select_recv(self, multipart: bool, socket: Any, **kwargs: Any) -> Any:
        """recv[_multipart] that fails the test if nothing arrives within ``timeout`` s
        (default 5)."""
        readable, _, _ = zmq.select([socket], [], [], timeout=kwargs.pop("timeout", 5))
        assert readable, "Should have received a message"
        kwargs["flags"] = zmq.DONTWAIT | kwargs.get("flags", 0)
        recv = socket.recv_multipart if multipart else socket.recv
        return recv(**kwargs)

    def recv(self, socket: Any, **kwargs: Any) -> Any:
        """A frame from ``socket``, failing the test if none comes (see _select_recv)."""
        return self._select_recv(False, socket, **kwargs)

    def recv_multipart(self, socket: Any, **kwargs: Any) -> Any:
        """A message from ``socket``, failing the test if none comes."""
        return self._select_recv(True, socket, **kwargs)


class PollZMQTestCase(BaseZMQTestCase):
    """pyzmq's name for the polling tests' base; the same class."""


class GreenTest:
    """Mixin making a green (gevent) version of a BaseZMQTestCase: skipped without
    gevent and purezmq's green sockets."""

    green = True
    teardown_timeout = 10

    def assertRaisesErrno(
        self, errno: int, func: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> None:
        if errno == zmq.EAGAIN:
            raise SkipTest("Skipping because we're green.")
        BaseZMQTestCase.assertRaisesErrno(self, errno, func, *args, **kwargs)  # type: ignore[arg-type]

    def tearDown(self) -> None:
        test: Any = self
        if test._should_test_timeout:
            signal.alarm(0)
        contexts = BaseZMQTestCase._close_sockets(test, None)
        try:
            gevent.joinall(
                [gevent.spawn(ctx.term) for ctx in contexts],
                timeout=self.teardown_timeout, raise_error=True,
            )
        except gevent.Timeout:
            raise RuntimeError(
                "context could not terminate, open sockets likely remain in test"
            ) from None

    def skip_green(self) -> None:
        raise SkipTest("Skipping because we are green")


def skip_green(f: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: skip this test method in green test cases."""

    def skipping_test(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.green:
            raise SkipTest("Skipping because we are green")
        return f(self, *args, **kwargs)

    return skipping_test
