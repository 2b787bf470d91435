"""purezmq.green's sockets and poller in this process, without monkey-patching
(which cannot be undone; the patched programs run in test_green_processes.py)."""

from __future__ import annotations

import select
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

gevent = pytest.importorskip("gevent", reason="purezmq.green needs gevent (the 'green' extra)")

import purezmq.green as zmq  # noqa: E402

DEADLINE = 10


@pytest.fixture
def ctx() -> Iterator[Any]:
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


def pair(ctx: Any, kind_a: int = zmq.PAIR, kind_b: int = zmq.PAIR) -> tuple[Any, Any]:
    a, b = ctx.socket(kind_a), ctx.socket(kind_b)
    port = a.bind_to_random_port("tcp://127.0.0.1")
    b.connect(f"tcp://127.0.0.1:{port}")
    return a, b


def test_a_wait_lets_other_greenlets_run(ctx: Any) -> None:
    """While one greenlet waits in recv, others run; the recv returns the message."""
    a, b = pair(ctx)
    waiter = gevent.spawn(b.recv)
    gevent.idle()
    assert not waiter.dead  # parked, not blocking this greenlet
    a.send(b"hi")
    assert waiter.get(timeout=DEADLINE) == b"hi"


def test_gevent_timeout_during_recv_loses_no_message(ctx: Any) -> None:
    """gevent.Timeout interrupts recv; the message sent afterwards is the next recv's."""
    a, b = pair(ctx)
    with pytest.raises(gevent.Timeout), gevent.Timeout(0.05):
        b.recv()
    a.send(b"kept")
    assert b.recv() == b"kept"


def test_kill_during_recv_loses_no_message(ctx: Any) -> None:
    """A greenlet killed while (or just after) its recv is woken takes nothing."""
    a, b = pair(ctx)
    for n in range(20):
        waiter = gevent.spawn(b.recv_multipart)
        gevent.idle()
        a.send_multipart([b"m", str(n).encode()])
        waiter.kill(block=True)
        assert b.recv_multipart() == [b"m", str(n).encode()]


def test_rcvtimeo_and_sndtimeo_raise_again(ctx: Any) -> None:
    """RCVTIMEO on an empty socket and SNDTIMEO at the HWM raise Again."""
    a, _ = pair(ctx, zmq.PULL, zmq.PUSH)
    warnings.simplefilter("ignore", UserWarning)  # the TIMEO warning, tested below
    a.rcvtimeo = 30
    with pytest.raises(zmq.Again):
        a.recv()
    lone = ctx.socket(zmq.PUSH)
    lone.sndtimeo = 30
    with pytest.raises(zmq.Again):
        lone.send(b"nobody")  # no peer: would block for ever


def test_timeo_options_warn_as_pyzmq_green_does(ctx: Any) -> None:
    """pyzmq's zmq.green warns on every get and set of RCVTIMEO/SNDTIMEO; so does ours."""
    sock = ctx.socket(zmq.REQ)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sock.rcvtimeo = 5
        assert sock.sndtimeo == -1
        sock.setsockopt(zmq.SNDTIMEO, 7)
        sock.linger = 0
    assert [w.category for w in caught] == [UserWarning] * 3
    assert "zmq.green" in str(caught[0].message)


def test_noblock_raises_again_at_once(ctx: Any) -> None:
    _, b = pair(ctx)
    with pytest.raises(zmq.Again):
        b.recv(zmq.NOBLOCK)


def test_many_greenlets_on_one_socket(ctx: Any) -> None:
    """50 greenlets wait on one PULL; 50 messages reach 50 distinct greenlets."""
    pull, push = pair(ctx, zmq.PULL, zmq.PUSH)
    waiters = [gevent.spawn(pull.recv_string) for _ in range(50)]
    gevent.idle()
    for n in range(50):
        push.send_string(str(n))
    gevent.joinall(waiters, timeout=DEADLINE, raise_error=True)
    assert sorted(int(w.value) for w in waiters) == list(range(50))


def test_reading_events_does_not_strand_a_waiter(ctx: Any) -> None:
    """Reading EVENTS drains the FD; a greenlet waiting in recv still gets its message."""
    a, b = pair(ctx)
    waiter = gevent.spawn(b.recv)
    gevent.idle()
    a.send(b"x")
    # Block the whole thread (not the greenlet) until the FD says "changed", then
    # drain it by reading EVENTS before the hub's watcher can see it.
    assert select.select([b.FD], [], [], DEADLINE)[0]
    assert b.getsockopt(zmq.EVENTS) & zmq.POLLIN
    assert waiter.get(timeout=DEADLINE) == b"x"


def test_every_form_of_send_and_recv(ctx: Any) -> None:
    """json, pyobj, string, multipart, serialized and recv_into wait greenly."""
    a, b = pair(ctx)
    jobs = [
        (lambda: a.send_json({"k": 1}), b.recv_json, {"k": 1}),
        (lambda: a.send_pyobj((1, "x")), b.recv_pyobj, (1, "x")),
        (lambda: a.send_string("é"), b.recv_string, "é"),
        (lambda: a.send_multipart([b"1", b"2"]), b.recv_multipart, [b"1", b"2"]),
    ]
    for send, recv, expected in jobs:
        waiter = gevent.spawn(recv)
        gevent.idle()
        send()
        assert waiter.get(timeout=DEADLINE) == expected
    buffer = bytearray(8)
    waiter = gevent.spawn(b.recv_into, buffer)
    gevent.idle()
    a.send(b"abc")
    assert waiter.get(timeout=DEADLINE) == 3 and buffer[:3] == b"abc"


def test_poller_waits_on_sockets_and_descriptors(ctx: Any) -> None:
    """Poller.poll blocks only its greenlet, and wakes for a socket or a plain fd."""
    a, b = pair(ctx)
    r, w = socket.socketpair()
    poller = zmq.Poller()
    poller.register(b, zmq.POLLIN)
    poller.register(r, zmq.POLLIN)
    assert poller.poll(10) == []
    waiter = gevent.spawn(poller.poll, DEADLINE * 1000)
    gevent.idle()
    assert not waiter.dead
    w.send(b"!")
    assert waiter.get(timeout=DEADLINE) == [(r.fileno(), zmq.POLLIN)]  # pyzmq: the number
    r.recv(1)
    waiter = gevent.spawn(poller.poll, DEADLINE * 1000)
    gevent.idle()
    a.send(b"m")
    assert waiter.get(timeout=DEADLINE) == [(b, zmq.POLLIN)]
    r.close()
    w.close()


def test_socket_poll_and_close_while_waiting(ctx: Any) -> None:
    """Socket.poll waits greenly; closing a socket wakes its waiters with ENOTSOCK."""
    a, b = pair(ctx)
    poll = gevent.spawn(b.poll, DEADLINE * 1000)
    gevent.idle()
    a.send(b"m")
    assert poll.get(timeout=DEADLINE) == zmq.POLLIN
    c, _ = pair(ctx)
    waiter = gevent.spawn(c.recv)
    gevent.idle()
    c.close()
    with pytest.raises(zmq.ZMQError) as info:
        waiter.get(timeout=DEADLINE)
    assert info.value.errno == zmq.ENOTSOCK


def test_device_forwards_both_ways(ctx: Any) -> None:
    """green.device runs in a greenlet: a REP device answers requests with themselves."""
    rep, req = pair(ctx, zmq.REP, zmq.REQ)
    forwarder = gevent.spawn(zmq.device, zmq.QUEUE, rep, rep)
    req.send(b"echo")
    assert gevent.spawn(req.recv).get(timeout=DEADLINE) == b"echo"
    forwarder.kill()


def test_import_without_gevent_names_the_extra() -> None:
    """Without gevent, importing purezmq.green raises ImportError naming the extra."""
    code = (
        "import sys; sys.modules['gevent'] = None\n"
        "try:\n    import purezmq.green\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=DEADLINE, check=True).stdout
    assert "pip install 'purezmq[green]'" in out


def test_green_eventloop_names() -> None:
    """pyzmq's zmq.green.eventloop: tornado's IOLoop, and a ZMQStream defaulting to it."""
    pytest.importorskip("tornado")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from purezmq.eventloop.zmqstream import ZMQStream as BaseStream
        from purezmq.green.eventloop import IOLoop
        from purezmq.green.eventloop.zmqstream import ZMQStream
    assert issubclass(ZMQStream, BaseStream)
    assert IOLoop.__module__.startswith("tornado")
