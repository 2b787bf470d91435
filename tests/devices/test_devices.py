"""purezmq.devices: background devices built from socket types (pyzmq's zmq.devices)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq as zmq
from purezmq import devices

LOCAL = "tcp://127.0.0.1"
TIMEOUT_MS = 5000


@pytest.fixture
def thread_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException | None]:
    """Exceptions that escape any thread during the test (a device must end quietly)."""
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    return errors


@pytest.fixture
def dev_ctx() -> Iterator[zmq.Context]:
    """The context a device runs on; terminating it must end the device."""
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


def _sock(ctx: zmq.Context, kind: int) -> zmq.Socket:
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = sock.sndtimeo = TIMEOUT_MS
    return sock


def _quiet(dev: devices.Device, *, mon: bool = False) -> None:
    """Linger 0 on every device socket, so terminating its context never waits."""
    dev.setsockopt_in(zmq.LINGER, 0)
    dev.setsockopt_out(zmq.LINGER, 0)
    if mon:
        assert isinstance(dev, devices.proxydevice.ProxyBase)
        dev.setsockopt_mon(zmq.LINGER, 0)


def _stop(dev: devices.basedevice.BackgroundDevice, context: zmq.Context) -> None:
    """Terminate the device's context; its thread must then end."""
    context.term()
    dev.join(timeout=5)
    assert not dev.launcher.is_alive()
    assert dev.done


def _round_trip(client: zmq.Socket, worker: zmq.Socket, body: bytes) -> None:
    client.send(body)
    assert worker.recv() == body
    worker.send(body.upper())
    assert client.recv() == body.upper()


def _until_subscribed(sub: zmq.Socket, traffic: Any) -> None:
    """Make traffic until the SUB sees a monitor copy (PUB drops until subscribed)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not sub.poll(50):
        assert time.monotonic() < deadline, "monitor SUB never received anything"
        traffic()


def _monitor_copies(sub: zmq.Socket, last_body: bytes, count: int) -> list[list[bytes]]:
    """The next ``count`` monitor messages ending with ``last_body`` (earlier ones skipped)."""
    found: list[list[bytes]] = []
    while len(found) < count:
        msg = sub.recv_multipart()
        if msg[-1] in (last_body, last_body.upper()):
            found.append(msg)
    return found


def test_thread_device_queue_router_dealer(
    ctx: zmq.Context, dev_ctx: zmq.Context, thread_errors: list[BaseException | None]
) -> None:
    dev = devices.ThreadDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER)
    dev.context_factory = lambda: dev_ctx
    _quiet(dev)
    in_port = dev.bind_in_to_random_port(LOCAL)
    out_port = dev.bind_out_to_random_port(LOCAL)
    assert in_port != out_port
    assert dev.daemon and not dev.done
    dev.start()

    client = _sock(ctx, zmq.REQ)
    client.connect(f"{LOCAL}:{in_port}")
    worker = _sock(ctx, zmq.REP)
    worker.connect(f"{LOCAL}:{out_port}")
    for i in range(3):
        _round_trip(client, worker, b"request %d" % i)

    _stop(dev, dev_ctx)
    assert thread_errors == []


def test_device_requires_socket_types() -> None:
    with pytest.raises(TypeError):
        devices.Device(zmq.QUEUE, None, zmq.DEALER)
    with pytest.raises(TypeError):
        devices.Device(zmq.QUEUE, zmq.ROUTER)


def test_default_factories() -> None:
    # pyzmq: threads share Context.instance(); a process makes a Context of its own.
    shared = zmq.Context.instance()
    try:
        assert devices.ThreadDevice.context_factory() is shared
        assert devices.ProcessDevice.context_factory is zmq.Context
    finally:
        shared.term()


def test_thread_proxy_pub_monitor(
    ctx: zmq.Context, thread_errors: list[BaseException | None]
) -> None:
    # Default context_factory: Context.instance(), terminated at the end.
    dev = devices.ThreadProxy(zmq.PULL, zmq.PUSH)
    assert dev.mon_type == zmq.PUB
    _quiet(dev, mon=True)
    in_port = dev.bind_in_to_random_port(LOCAL)
    out_port = dev.bind_out_to_random_port(LOCAL)
    mon_port = dev.bind_mon_to_random_port(LOCAL)
    dev.start()
    try:
        push = _sock(ctx, zmq.PUSH)
        push.connect(f"{LOCAL}:{in_port}")
        pull = _sock(ctx, zmq.PULL)
        pull.connect(f"{LOCAL}:{out_port}")
        sub = _sock(ctx, zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect(f"{LOCAL}:{mon_port}")

        def traffic() -> None:
            push.send_multipart([b"warm", b"up"])
            assert pull.recv_multipart() == [b"warm", b"up"]

        _until_subscribed(sub, traffic)
        push.send_multipart([b"two", b"frames"])
        assert pull.recv_multipart() == [b"two", b"frames"]
        # The monitor copy is the whole message, unprefixed.
        assert _monitor_copies(sub, b"frames", 1) == [[b"two", b"frames"]]
    finally:
        _stop(dev, zmq.Context.instance())
    assert thread_errors == []


def test_thread_proxy_steerable_terminate(
    ctx: zmq.Context, dev_ctx: zmq.Context, thread_errors: list[BaseException | None]
) -> None:
    dev = devices.ThreadProxySteerable(zmq.PULL, zmq.PUSH, zmq.PUB, zmq.REP)
    dev.context_factory = lambda: dev_ctx
    _quiet(dev, mon=True)
    dev.setsockopt_ctrl(zmq.LINGER, 0)
    in_port = dev.bind_in_to_random_port(LOCAL)
    out_port = dev.bind_out_to_random_port(LOCAL)
    dev.bind_mon_to_random_port(LOCAL)
    ctrl_port = dev.bind_ctrl_to_random_port(LOCAL)
    dev.start()

    push = _sock(ctx, zmq.PUSH)
    push.connect(f"{LOCAL}:{in_port}")
    pull = _sock(ctx, zmq.PULL)
    pull.connect(f"{LOCAL}:{out_port}")
    ctrl = _sock(ctx, zmq.REQ)
    ctrl.connect(f"{LOCAL}:{ctrl_port}")

    push.send(b"steered")
    assert pull.recv() == b"steered"
    ctrl.send(b"STATISTICS")
    stats = [int.from_bytes(part, "little") for part in ctrl.recv_multipart()]
    assert stats[0] == 1  # one message received by the frontend
    ctrl.send(b"TERMINATE")
    assert ctrl.recv() == b""  # a REP control socket answers every command

    dev.join(timeout=5)
    assert not dev.launcher.is_alive()
    assert dev.done
    assert thread_errors == []


def test_thread_monitored_queue_prefixes(
    ctx: zmq.Context, dev_ctx: zmq.Context, thread_errors: list[BaseException | None]
) -> None:
    dev = devices.ThreadMonitoredQueue(zmq.ROUTER, zmq.DEALER, zmq.PUB, b"IN", b"OUT")
    dev.context_factory = lambda: dev_ctx
    _quiet(dev, mon=True)
    in_port = dev.bind_in_to_random_port(LOCAL)
    out_port = dev.bind_out_to_random_port(LOCAL)
    mon_port = dev.bind_mon_to_random_port(LOCAL)
    dev.start()

    client = _sock(ctx, zmq.REQ)
    client.setsockopt(zmq.IDENTITY, b"client")
    client.connect(f"{LOCAL}:{in_port}")
    worker = _sock(ctx, zmq.REP)
    worker.connect(f"{LOCAL}:{out_port}")
    sub = _sock(ctx, zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(f"{LOCAL}:{mon_port}")

    _until_subscribed(sub, lambda: _round_trip(client, worker, b"warm-up"))
    _round_trip(client, worker, b"hello")
    assert _monitor_copies(sub, b"hello", 2) == [
        [b"IN", b"client", b"", b"hello"],
        [b"OUT", b"client", b"", b"HELLO"],
    ]

    _stop(dev, dev_ctx)
    assert thread_errors == []


def test_monitored_queue_router_router_swaps_identities(ctx: zmq.Context) -> None:
    front = _sock(ctx, zmq.ROUTER)
    back = _sock(ctx, zmq.ROUTER)
    mon = _sock(ctx, zmq.PUSH)
    front.bind("inproc://mq-front")
    back.bind("inproc://mq-back")
    mon.bind("inproc://mq-mon")
    client = _sock(ctx, zmq.DEALER)
    client.setsockopt(zmq.IDENTITY, b"client")
    client.connect("inproc://mq-front")
    worker = _sock(ctx, zmq.DEALER)
    worker.setsockopt(zmq.IDENTITY, b"worker")
    worker.connect("inproc://mq-back")
    copies = _sock(ctx, zmq.PULL)
    copies.connect("inproc://mq-mon")

    ended: list[BaseException] = []

    def serve() -> None:
        try:
            devices.monitored_queue(front, back, mon)
        except zmq.ContextTerminated as exc:
            ended.append(exc)
            for sock in (front, back, mon):
                sock.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    # The worker speaks first, so the back ROUTER knows it before the client sends.
    worker.send_multipart([b"nobody", b"ready"])
    assert copies.recv_multipart() == [b"out", b"nobody", b"worker", b"ready"]
    client.send_multipart([b"worker", b"job"])
    assert worker.recv_multipart() == [b"client", b"job"]
    assert copies.recv_multipart() == [b"in", b"worker", b"client", b"job"]
    worker.send_multipart([b"client", b"done"])
    assert client.recv_multipart() == [b"worker", b"done"]
    assert copies.recv_multipart() == [b"out", b"client", b"worker", b"done"]

    for sock in (client, worker, copies):
        sock.close()
    ctx.term()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(ended) == 1


def test_process_device_queue(ctx: zmq.Context) -> None:
    dev = devices.ProcessDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER)
    _quiet(dev)
    in_port = dev.bind_in_to_random_port(LOCAL)
    out_port = dev.bind_out_to_random_port(LOCAL)
    dev.start()
    try:
        client = _sock(ctx, zmq.REQ)
        client.connect(f"{LOCAL}:{in_port}")
        worker = _sock(ctx, zmq.REP)
        worker.connect(f"{LOCAL}:{out_port}")
        _round_trip(client, worker, b"across processes")
        assert dev.launcher.is_alive()
    finally:
        dev.launcher.terminate()
        dev.join(timeout=5)
    assert not dev.launcher.is_alive()
