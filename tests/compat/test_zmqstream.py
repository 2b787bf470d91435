"""purezmq.eventloop.zmqstream: ZMQStream callbacks on tornado's IOLoop, as pyzmq's."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from tornado.ioloop import IOLoop

import purezmq as zmq
import purezmq.asyncio as azmq
from purezmq.eventloop.zmqstream import ZMQStream, gen_log
from tests.helpers.waiting import run

TIMEOUT = 10

Test = Callable[[zmq.Context], Coroutine[Any, Any, None]]


def on_loop(test: Test) -> Callable[[zmq.Context], None]:
    """Run an async test on a fresh asyncio loop, which tornado's IOLoop.current() wraps."""

    def runner(ctx: zmq.Context) -> None:
        run(test(ctx), TIMEOUT * 2)

    runner.__name__ = test.__name__
    runner.__doc__ = test.__doc__
    return runner


def push_pull(ctx: zmq.Context) -> tuple[zmq.Socket, zmq.Socket]:
    push = ctx.socket(zmq.PUSH)
    pull = ctx.socket(zmq.PULL)
    push.linger = pull.linger = 0
    port = push.bind_to_random_port("tcp://127.0.0.1")
    pull.connect(f"tcp://127.0.0.1:{port}")
    return push, pull


async def until(condition: Callable[[], Any]) -> None:
    """Let the loop run until ``condition()`` holds (fails after TIMEOUT s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not condition():
        assert loop.time() < deadline, f"not met within {TIMEOUT}s"
        await asyncio.sleep(0.002)


@on_loop
async def test_on_recv_gets_every_multipart_message_in_order(ctx: zmq.Context) -> None:
    push, pull = push_pull(ctx)
    stream = ZMQStream(pull)
    assert stream.io_loop is IOLoop.current()
    got: list[list[bytes]] = []
    stream.on_recv(got.append)
    assert stream.receiving() and not stream.sending()
    sent = [[b"%d" % i, b"second", b"x" * i] for i in range(300)]
    for msg in sent:
        push.send_multipart(msg)
    await until(lambda: len(got) == len(sent))
    assert got == sent
    stream.close()


@on_loop
async def test_recv_without_copy_and_with_the_stream(ctx: zmq.Context) -> None:
    push, pull = push_pull(ctx)
    stream = ZMQStream(pull)
    got: list[tuple[ZMQStream, list[Any]]] = []
    stream.on_recv_stream(lambda s, msg: got.append((s, msg)), copy=False)
    push.send_multipart([b"a", b"b"])
    await until(lambda: got)
    (who, frames), = got
    assert who is stream
    assert [type(f) for f in frames] == [zmq.Frame, zmq.Frame]
    assert [f.bytes for f in frames] == [b"a", b"b"]


@on_loop
async def test_sends_queue_and_call_back(ctx: zmq.Context) -> None:
    push, pull = push_pull(ctx)
    stream = ZMQStream(push)
    sent: list[tuple[list[Any], Any]] = []
    stream.on_send(lambda msg, status: sent.append((msg, status)))
    stream.send_multipart([b"one", b"two"])
    stream.send(b"three")
    stream.send_string("четыре")
    stream.send_json({"five": 5})
    stream.send_pyobj(("six", 6))
    assert stream.sending()  # queued: nothing is sent before the loop runs
    await until(lambda: not stream.sending())
    own: list[Any] = []
    stream.send(b"seven", callback=lambda msg, status: own.append(msg))
    await until(lambda: own)
    assert [msg for msg, _ in sent] == [[b"one", b"two"], [b"three"], ["четыре".encode()],
                                        [b'{"five": 5}'], sent[4][0]]
    assert [status for _, status in sent] == [None] * 5
    assert own == [[b"seven"]]  # a callback given to send becomes the send callback
    assert pull.recv_multipart() == [b"one", b"two"]
    assert [pull.recv() for _ in range(2)] == [b"three", "четыре".encode()]
    assert (pull.recv_json(), pull.recv_pyobj(), pull.recv()) == ({"five": 5}, ("six", 6),
                                                                   b"seven")


@on_loop
async def test_on_send_stream_and_stop_on_send(ctx: zmq.Context) -> None:
    push, pull = push_pull(ctx)
    stream = ZMQStream(push)
    seen: list[Any] = []
    stream.on_send_stream(lambda s, msg, status: seen.append((s, msg)))
    stream.send(b"a")
    await until(lambda: seen)
    assert seen == [(stream, [b"a"])]
    stream.stop_on_send()
    stream.send(b"b")  # goes out, calling back nobody new
    assert pull.recv_multipart() == [b"a"]
    await until(lambda: pull.poll(0))
    assert pull.recv() == b"b"
    assert len(seen) == 1


@on_loop
async def test_flush_handles_waiting_messages_now(ctx: zmq.Context) -> None:
    push, pull = push_pull(ctx)
    stream = ZMQStream(pull)
    for i in range(5):
        push.send(b"%d" % i)
    assert pull.poll(TIMEOUT * 1000)
    got: list[list[bytes]] = []
    stream.on_recv(got.append)
    while len(got) < 2:  # the first messages may still be on their way
        stream.flush(zmq.POLLIN, limit=2 - len(got))
    assert got == [[b"0"], [b"1"]]
    out = ZMQStream(push)
    out.send(b"flushed")
    assert out.flush(zmq.POLLOUT) == 1 and not out.sending()
    await until(lambda: len(got) == 6)
    assert got[2:] == [[b"2"], [b"3"], [b"4"], [b"flushed"]]


@on_loop
async def test_flush_without_a_callback_drops_messages(ctx: zmq.Context) -> None:
    push, pull = push_pull(ctx)
    stream = ZMQStream(pull)
    push.send_multipart([b"dropped"])
    push.send_multipart([b"dropped too"])
    flushed = stream.flush(zmq.POLLIN)
    while flushed < 2:
        assert pull.poll(TIMEOUT * 1000)  # wait for the second one, then flush again
        flushed += stream.flush(zmq.POLLIN)
    assert flushed == 2
    push.send(b"kept")
    assert pull.recv() == b"kept"


@on_loop
async def test_stop_on_recv_leaves_messages_in_the_socket(ctx: zmq.Context) -> None:
    push, pull = push_pull(ctx)
    stream = ZMQStream(pull)
    got: list[Any] = []
    stream.on_recv(got.append)
    push.send(b"first")
    await until(lambda: got)
    stream.stop_on_recv()
    assert not stream.receiving()
    push.send(b"second")
    assert pull.poll(TIMEOUT * 1000)
    for _ in range(20):
        await asyncio.sleep(0)  # loop iterations in which the stream must not take it
    assert pull.recv() == b"second" and got == [[b"first"]]


@on_loop
async def test_close_closes_the_socket_and_calls_back(ctx: zmq.Context) -> None:
    _, pull = push_pull(ctx)
    stream = ZMQStream(pull)
    closed: list[bool] = []
    stream.set_close_callback(lambda: closed.append(True))
    assert not stream.closed()
    stream.close(linger=0)
    assert pull.closed and stream.closed() and closed == [True]
    with pytest.raises(OSError, match="Stream is closed"):
        stream.on_recv(print)
    stream.close()  # again: nothing
    assert closed == [True]


@on_loop
async def test_a_socket_closed_under_the_stream(ctx: zmq.Context) -> None:
    _, pull = push_pull(ctx)
    stream = ZMQStream(pull)
    stream.on_recv(print)
    pull.close()
    with pytest.warns(UserWarning, match="after closing socket"):
        assert stream.closed()
    assert stream.socket is None


@on_loop
async def test_a_stream_over_an_asyncio_socket_uses_a_sync_shadow(ctx: zmq.Context) -> None:
    actx = azmq.Context()
    push = actx.socket(zmq.PUSH)
    pull = actx.socket(zmq.PULL)
    port = push.bind_to_random_port("tcp://127.0.0.1")
    pull.connect(f"tcp://127.0.0.1:{port}")
    with pytest.warns(RuntimeWarning, match="shadow"):
        stream = ZMQStream(pull)
    assert type(stream.socket) is zmq.Socket
    assert stream.socket.underlying == pull.underlying
    got: list[Any] = []
    stream.on_recv(got.append)
    await push.send_multipart([b"via", b"shadow"])
    await until(lambda: got)
    assert got == [[b"via", b"shadow"]]
    stream.close()
    assert pull.closed
    actx.destroy(linger=0)


@on_loop
async def test_coroutine_callbacks_run_and_their_errors_are_logged(ctx: zmq.Context) -> None:
    push, pull = push_pull(ctx)
    stream = ZMQStream(pull)
    done: list[Any] = []

    async def callback(msg: list[bytes]) -> None:
        await asyncio.sleep(0)
        done.append(msg)
        raise ValueError("in the callback")

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    gen_log.addHandler(handler)
    try:
        stream.on_recv(callback)
        push.send(b"go")
        await until(lambda: records)
    finally:
        gen_log.removeHandler(handler)
    assert done == [[b"go"]]
    assert records[0].getMessage() == "Uncaught exception in ZMQStream callback"
    assert records[0].exc_info is not None and records[0].exc_info[0] is ValueError


def test_callbacks_must_be_callable(ctx: zmq.Context) -> None:
    async def main() -> None:
        stream = ZMQStream(ctx.socket(zmq.PULL))
        for register in (stream.on_recv, stream.on_send):
            with pytest.raises(AssertionError):
                register(1)  # type: ignore[arg-type]

    run(main())


def _child(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_pyzmq_tornado_program_runs_under_the_alias() -> None:
    out = _child("""
        import purezmq
        purezmq.install_as_zmq()
        import zmq
        from tornado.ioloop import IOLoop
        from zmq.eventloop.zmqstream import ZMQStream

        async def main():
            ctx = zmq.Context.instance()
            rep = ZMQStream(ctx.socket(zmq.REP))
            port = rep.bind_to_random_port("tcp://127.0.0.1")
            rep.on_recv(lambda msg: rep.send_multipart([b"echo"] + msg))
            req = ZMQStream(ctx.socket(zmq.REQ))
            req.connect(f"tcp://127.0.0.1:{port}")
            reply = IOLoop.current().asyncio_loop.create_future()
            req.on_recv(reply.set_result)
            req.send(b"hi")
            print(await reply)
            rep.close(0)
            req.close(0)

        IOLoop.current().run_sync(main, timeout=20)
    """)
    assert out.strip() == "[b'echo', b'hi']"


def test_without_tornado_the_eventloop_import_names_it() -> None:
    out = _child("""
        import sys
        sys.modules["tornado"] = None  # as if not installed
        import purezmq
        purezmq.install_as_zmq()
        import zmq, zmq.asyncio
        try:
            from zmq.eventloop import zmqstream
        except ImportError as exc:
            print(exc.name, "|", exc)
    """)
    assert out.startswith("tornado | zmq.eventloop needs tornado: pip install tornado")


def test_ioloop_shims_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from purezmq.eventloop import ioloop
    assert ioloop.IOLoop is IOLoop is ioloop.ZMQIOLoop
    with pytest.warns(DeprecationWarning, match="deprecated in pyzmq 17"):
        ioloop.install()
