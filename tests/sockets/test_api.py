"""pyzmq's API surface on real sockets: Context, Socket, Poller, Frame, select, options, errors."""

from __future__ import annotations

import asyncio
import errno
import json
import re
import socket
import threading
from collections.abc import Iterator

import pytest

import purezmq as zmq
import purezmq.asyncio as azmq
from tests.conftest import bind, bind_address
from tests.helpers.waiting import run, wait_for
from tests.sockets.harness import Env, Sock, eventually, recv_all, scenario, terminate


async def pair(env: Env) -> tuple[Sock, Sock]:
    bound = env.socket(zmq.PAIR)
    connected = env.socket(zmq.PAIR)
    connected.connect(env.bind(bound))
    return connected, bound


def sync_pair(ctx: zmq.Context, transport: str = "inproc", ipc_dir: str = "") -> tuple:
    bound = ctx.socket(zmq.PAIR)
    connected = ctx.socket(zmq.PAIR)
    for sock in (bound, connected):
        sock.linger = 0
        sock.rcvtimeo = 5000
    connected.connect(bind(bound, transport, ipc_dir))
    return connected, bound


@pytest.fixture
def socketpairs() -> Iterator[list[tuple[socket.socket, socket.socket]]]:
    pairs = [socket.socketpair() for _ in range(3)]
    yield pairs
    for a, b in pairs:
        a.close()
        b.close()


class HasFileno:
    """Any object with fileno() may be polled (pyzmq Poller)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def fileno(self) -> int:
        return self.sock.fileno()


# -- send/recv helpers, in both APIs over every transport ---------------------------


@scenario
async def test_send_recv_string(env: Env) -> None:
    """pyzmq Socket.send_string/recv_string: str encoded (utf-8 unless told) and decoded."""
    a, b = await pair(env)
    await a.send_string("héllo ✓")
    assert await b.recv_string() == "héllo ✓"
    await a.send_string("ünï", encoding="latin-1")
    assert await b.recv() == "ünï".encode("latin-1")
    await a.send("ünï".encode("utf-16"))
    assert await b.recv_string(encoding="utf-16") == "ünï"


@scenario
async def test_send_recv_json(env: Env) -> None:
    """pyzmq Socket.send_json/recv_json: one JSON frame."""
    a, b = await pair(env)
    obj = {"a": [1, 2.5, None, True], "b": "ü"}
    await a.send_json(obj)
    assert await b.recv_json() == obj
    await a.send_json([1, 2])
    assert json.loads(await b.recv()) == [1, 2]


@scenario
async def test_send_recv_pyobj(env: Env) -> None:
    """pyzmq Socket.send_pyobj/recv_pyobj: one pickled frame."""
    a, b = await pair(env)
    obj = {"tuple": (1, 2), "set": {3}, "bytes": b"\x00"}
    await a.send_pyobj(obj)
    assert await b.recv_pyobj() == obj


@scenario
async def test_send_recv_serialized(env: Env) -> None:
    """pyzmq send_serialized/recv_serialized: serialize() makes frames, deserialize() reads them."""
    a, b = await pair(env)

    def serialize(msg: dict) -> list[bytes]:
        return [msg["key"].encode(), json.dumps(msg["value"]).encode()]

    def deserialize(frames: list[bytes]) -> dict:
        return {"key": frames[0].decode(), "value": json.loads(frames[1])}

    msg = {"key": "k", "value": [1, {"x": 2}]}
    await a.send_serialized(msg, serialize)
    assert await b.recv_serialized(deserialize) == msg


@scenario
async def test_send_recv_multipart_and_frames(env: Env) -> None:
    """pyzmq: send_multipart takes buffers and Frames; copy=False gives Frames (.bytes, .more)."""
    a, b = await pair(env)
    await a.send_multipart([b"one", bytearray(b"two"), memoryview(b"three"), zmq.Frame(b"four")])
    assert await b.recv_multipart() == [b"one", b"two", b"three", b"four"]
    await a.send_multipart([b"x", b"y"])
    frames = await b.recv_multipart(copy=False)
    assert all(isinstance(f, zmq.Frame) for f in frames)
    assert [(f.bytes, f.more) for f in frames] == [(b"x", True), (b"y", False)]
    await a.send_multipart([b"p", b"q"])
    first = await b.recv(copy=False)
    assert (first.bytes, first.more, b.rcvmore) == (b"p", True, 1)
    last = await b.recv(copy=False)
    assert (last.bytes, last.more, b.rcvmore) == (b"q", False, 0)
    with pytest.raises(TypeError):
        await a.send("str is not bytes")


@scenario
async def test_operations_on_closed_socket_raise_enotsock(env: Env) -> None:
    """libzmq: any call on a closed socket fails with ENOTSOCK; closing twice is fine."""
    sock = env.socket(zmq.DEALER)
    sock.close()
    sock.close()
    assert sock.closed
    calls = [
        lambda: sock.send(b"x"),
        lambda: sock.recv(),
        lambda: sock.send_multipart([b"x"]),
        lambda: sock.recv_multipart(),
        lambda: sock.poll(0),
    ]
    for call in calls:
        with pytest.raises(zmq.ZMQError) as closed:
            await call()
        assert closed.value.errno == zmq.ENOTSOCK
    for sync_call in [
        lambda: sock.bind("inproc://closed"),
        lambda: sock.connect("inproc://closed"),
        lambda: sock.setsockopt(zmq.LINGER, 0),
        lambda: sock.getsockopt(zmq.LINGER),
    ]:
        with pytest.raises(zmq.ZMQError) as closed:
            sync_call()
        assert closed.value.errno == zmq.ENOTSOCK


@scenario
async def test_events_and_rcvmore(env: Env) -> None:
    """libzmq ZMQ_EVENTS: POLLOUT while a message can be sent, POLLIN once one is waiting."""
    a, b = await pair(env)
    await a.send(b"hello")  # a's queue exists at connect; this proves b's connection is up
    assert await b.recv() == b"hello"
    assert b.events & zmq.POLLOUT
    assert not b.events & zmq.POLLIN
    await a.send_multipart([b"1", b"2"])
    assert await b.poll(5000) == zmq.POLLIN
    assert b.getsockopt(zmq.EVENTS) & zmq.POLLIN
    assert (await b.recv(), b.rcvmore) == (b"1", 1)
    assert (await b.recv(), b.rcvmore) == (b"2", 0)
    assert not b.events & zmq.POLLIN


@scenario
async def test_unbind_then_bind_again(env: Env) -> None:
    """libzmq zmq_unbind: the endpoint is released and can be bound again (several times over)."""
    binder = env.socket(zmq.PULL)
    address = env.bind(binder)
    for round_ in range(5):
        binder.unbind(address)
        previous, binder = binder, env.socket(zmq.PULL)

        async def rebound(sock: Sock = binder) -> bool:
            # The listener closes on the I/O thread, as in libzmq: tcp may hold the port a moment.
            try:
                sock.bind(address)
            except zmq.ZMQError as exc:
                assert exc.errno == zmq.EADDRINUSE
                return False
            return True

        await eventually(rebound)
        push = env.socket(zmq.PUSH)
        push.connect(address)
        await push.send(b"to binder %d" % round_)
        assert await binder.recv() == b"to binder %d" % round_
        assert await previous.poll(0) == 0


@scenario
async def test_disconnect(env: Env) -> None:
    """libzmq zmq_disconnect: the peer's queue is dropped; later messages go to the other peers."""
    pulls = [env.socket(zmq.PULL) for _ in range(2)]
    push = env.socket(zmq.PUSH)
    addresses = [env.bind(pull) for pull in pulls]
    for address in addresses:
        push.connect(address)
    push.disconnect(addresses[1])
    for i in range(4):
        await push.send(b"%d" % i)
    assert await recv_all(pulls[0], 4) == [b"0", b"1", b"2", b"3"]
    assert await pulls[1].poll(100) == 0
    with pytest.raises(zmq.ZMQError) as not_connected:
        push.disconnect(addresses[1])
    assert not_connected.value.errno == errno.ENOENT


# -- options ------------------------------------------------------------------------


def test_option_attribute_form(ctx: zmq.Context) -> None:
    """pyzmq: socket options are attributes (``sock.linger = 0``) as well as get/setsockopt."""
    sock = ctx.socket(zmq.DEALER)
    sock.linger = 0
    assert sock.getsockopt(zmq.LINGER) == 0 and sock.linger == 0
    sock.setsockopt(zmq.SNDHWM, 7)
    assert sock.sndhwm == 7
    sock.routing_id = b"me"
    assert sock.get(zmq.ROUTING_ID) == b"me"
    sock.setsockopt_string(zmq.ROUTING_ID, "you")
    assert sock.getsockopt_string(zmq.ROUTING_ID) == "you"
    assert sock.getsockopt(zmq.TYPE) == zmq.DEALER == sock.type
    assert sock.rcvmore == 0
    sock.close()


def test_option_attributes_in_upper_case_too() -> None:
    """pyzmq looks option attributes up by ``name.upper()``: ``sock.RCVHWM = 7`` sets the
    option (it is not a plain attribute that hides it), on sockets and contexts alike."""
    ctx = zmq.Context()
    try:
        ctx.LINGER = 0  # a default for the context's new sockets
        ctx.IO_THREADS = 2
        assert ctx.io_threads == ctx.IO_THREADS == 2
        assert ctx.linger == ctx.LINGER == 0
        sock = ctx.socket(zmq.PULL)
        assert sock.LINGER == sock.linger == 0
        sock.RCVHWM = 7
        assert sock.getsockopt(zmq.RCVHWM) == sock.rcvhwm == sock.RCVHWM == 7
        sock.bind("tcp://127.0.0.1:*")
        assert sock.last_endpoint == sock.LAST_ENDPOINT
        assert "RCVHWM" not in vars(sock) and "LINGER" not in vars(ctx)
        sock.close()
    finally:
        ctx.term()


def test_last_endpoint_resolves_tcp_wildcard(ctx: zmq.Context) -> None:
    """libzmq ZMQ_LAST_ENDPOINT: binding tcp port * reports the port the system chose."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.bind("tcp://127.0.0.1:*")
    endpoint = pull.last_endpoint
    assert isinstance(endpoint, bytes)
    match = re.fullmatch(rb"tcp://127\.0\.0\.1:(\d+)", endpoint)
    assert match and int(match[1]) > 0
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.connect(endpoint.decode())
    push.send(b"over the chosen port")
    pull.rcvtimeo = 5000
    assert pull.recv() == b"over the chosen port"


def test_bind_to_random_port(ctx: zmq.Context) -> None:
    """pyzmq Socket.bind_to_random_port: binds a free port (in [min_port, max_port) if given)."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.rcvtimeo = 5000
    # Without a range pyzmq binds port * and lets the system choose.
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    assert pull.last_endpoint == b"tcp://127.0.0.1:%d" % port
    ranged = ctx.socket(zmq.PULL)
    ranged.linger = 0
    other = ranged.bind_to_random_port("tcp://127.0.0.1", min_port=20000, max_port=30000)
    assert 20000 <= other < 30000
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.connect(f"tcp://127.0.0.1:{port}")
    push.send(b"random")
    assert pull.recv() == b"random"


def test_unknown_option_is_einval(ctx: zmq.Context) -> None:
    """libzmq zmq_setsockopt/zmq_getsockopt: an unknown option fails with EINVAL."""
    sock = ctx.socket(zmq.PUSH)
    sock.linger = 0
    with pytest.raises(zmq.ZMQError) as unknown_set:
        sock.setsockopt(9999, 1)
    assert unknown_set.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as unknown_get:
        sock.getsockopt(9999)
    assert unknown_get.value.errno == zmq.EINVAL
    with pytest.raises(AttributeError):
        _ = sock.no_such_option


@pytest.mark.parametrize(
    ("option", "value"),
    [(zmq.LINGER, "10"), (zmq.SNDHWM, 1.5), (zmq.ROUTING_ID, "str"), (zmq.SUBSCRIBE, 5)],
)
def test_wrong_option_type_is_einval_and_typeerror(
    ctx: zmq.Context, option: int, value: object
) -> None:
    """pyzmq: a value of the wrong type raises TypeError; purezmq's is also ZMQError(EINVAL)."""
    sock = ctx.socket(zmq.SUB)
    sock.linger = 0
    with pytest.raises(zmq.ZMQError) as wrong:
        sock.setsockopt(option, value)
    assert wrong.value.errno == zmq.EINVAL
    assert isinstance(wrong.value, TypeError)


def test_eaddrinuse_on_double_bind(ctx: zmq.Context) -> None:
    """libzmq zmq_bind: an endpoint already bound fails with EADDRINUSE (tcp and inproc)."""
    first, second = ctx.socket(zmq.PULL), ctx.socket(zmq.PULL)
    first.linger = second.linger = 0
    for address in ("tcp://127.0.0.1:*", "inproc://taken"):
        first.bind(address)
        with pytest.raises(zmq.ZMQError) as taken:
            second.bind(first.last_endpoint.decode())
        assert taken.value.errno == zmq.EADDRINUSE


# -- Poller and select ----------------------------------------------------------------


def test_poller_sockets_and_fds(ctx: zmq.Context, socketpairs: list) -> None:
    """pyzmq Poller: polls sockets, int fds and objects with fileno() together; a ready
    plain descriptor is reported by its number, as pyzmq does."""
    a, b = sync_pair(ctx)
    (s1, w1), (s2, w2), (s3, w3) = socketpairs
    watched = [b, s1, s2.fileno(), HasFileno(s3)]
    poller = zmq.Poller()
    for item in watched:
        poller.register(item, zmq.POLLIN)
    assert poller.poll(0) == []
    for writer, item in [(w1, s1), (w2, s2), (w3, s3)]:
        writer.send(b"!")
        assert (item.fileno(), zmq.POLLIN) in poller.poll(5000)
    a.send(b"zmq")
    # The fds are still readable, so poll() returns at once: wait until b is among them.
    wait_for(lambda: (b, zmq.POLLIN) in poller.poll(0))
    assert len(poller.poll(0)) == 4
    poller.unregister(s1)
    assert len(poller.poll(0)) == 3
    poller.register(w1, zmq.POLLOUT)
    assert (w1.fileno(), zmq.POLLOUT) in poller.poll(0)


def test_poller_timeout_returns_empty(ctx: zmq.Context) -> None:
    """pyzmq Poller.poll(timeout): [] when nothing is ready within timeout ms."""
    _, b = sync_pair(ctx)
    poller = zmq.Poller()
    poller.register(b, zmq.POLLIN)
    assert poller.poll(20) == []
    poller.modify(b, zmq.POLLIN | zmq.POLLOUT)
    assert poller.poll(0) == [(b, zmq.POLLOUT)]


def test_select(ctx: zmq.Context, socketpairs: list) -> None:
    """pyzmq zmq.select: select.select over sockets and fds (timeout in seconds)."""
    a, b = sync_pair(ctx)
    (s1, w1), _, _ = socketpairs
    assert zmq.select([b, s1], [], [], 0.02) == ([], [], [])
    a.send(b"zmq")
    w1.send(b"fd")
    readable, writable, _ = zmq.select([b, s1], [a], [], 5)
    assert (readable, writable) == ([b, s1.fileno()], [a])


def test_asyncio_poller(ipc_dir: str, socketpairs: list) -> None:
    """pyzmq zmq.asyncio.Poller: an awaitable poll over asyncio sockets and fds."""
    (s1, w1), _, _ = socketpairs

    async def main() -> None:
        ctx = azmq.Context()
        try:
            a, b = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
            a.connect(bind(b, "inproc", ipc_dir))
            poller = azmq.Poller()
            poller.register(b, zmq.POLLIN)
            poller.register(s1, zmq.POLLIN)
            assert await poller.poll(10) == []
            waiting = asyncio.ensure_future(poller.poll(5000))
            await a.send(b"wake")
            assert await waiting == [(b, zmq.POLLIN)]
            assert await b.recv() == b"wake"
            w1.send(b"fd")
            assert await poller.poll(5000) == [(s1.fileno(), zmq.POLLIN)]
        finally:
            ctx.destroy(linger=0)

    run(main())


# -- Context --------------------------------------------------------------------------


def test_context_instance_is_shared() -> None:
    """pyzmq Context.instance(): one process-wide Context, a new one after it is terminated."""
    first = zmq.Context.instance()
    assert zmq.Context.instance() is first
    first.term()
    second = zmq.Context.instance()
    assert second is not first and not second.closed
    second.term()


def test_context_and_socket_managers() -> None:
    """pyzmq: ``with Context()`` terminates it; ``with ctx.socket()`` closes the socket."""
    with zmq.Context() as ctx:
        with ctx.socket(zmq.PUSH) as sock:
            sock.linger = 0
            sock.bind("inproc://managed")
        assert sock.closed
    assert ctx.closed
    with pytest.raises(zmq.ZMQError) as terminated:
        ctx.socket(zmq.PUSH)
    assert terminated.value.errno == zmq.ENOTSUP  # what pyzmq raises


def test_term_interrupts_blocked_recv() -> None:
    """libzmq zmq_ctx_term: blocked calls fail with ETERM; term returns once their sockets close."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PULL)
    sock.bind("inproc://blocked")
    raised: list[BaseException] = []

    def blocked_recv() -> None:
        try:
            sock.recv()
        except BaseException as exc:
            raised.append(exc)
        sock.close(linger=0)

    thread = threading.Thread(target=blocked_recv)
    thread.start()
    terminate(ctx)
    thread.join(5)
    assert not thread.is_alive()
    assert len(raised) == 1 and isinstance(raised[0], zmq.ContextTerminated)
    assert raised[0].errno == zmq.ETERM


def test_destroy_with_linger_zero_drops_pending() -> None:
    """pyzmq Context.destroy(linger=0): closes every socket at once, unsent messages dropped."""
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    push.connect(f"tcp://127.0.0.1:{port}")
    for _ in range(3):
        push.send(b"never delivered", zmq.NOBLOCK)
    destroyer = threading.Thread(target=ctx.destroy, kwargs={"linger": 0}, daemon=True)
    destroyer.start()
    destroyer.join(10)
    assert not destroyer.is_alive(), "destroy(linger=0) waited for undeliverable messages"
    assert push.closed and ctx.closed


# -- asyncio --------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["asyncio"])
@scenario
async def test_cancelled_recv_loses_no_message(env: Env) -> None:
    """pyzmq asyncio: cancelling a pending recv takes nothing from the socket."""
    push = env.socket(zmq.PUSH)
    pull = env.socket(zmq.PULL)
    push.connect(env.bind(pull))
    for receive in (pull.sock.recv, pull.sock.recv_multipart, pull.sock.recv_string):
        pending = receive()  # queued at once: nothing is there yet
        pending.cancel()
        await push.send(b"kept")
        assert await pull.recv() == b"kept"
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(pull.sock.recv(), 0.02)
    await push.send(b"kept after timeout")
    assert await pull.recv() == b"kept after timeout"


@pytest.mark.parametrize("api", ["asyncio"])
@scenario
async def test_several_asyncio_sockets_on_one_loop(env: Env) -> None:
    """pyzmq asyncio: sockets on one loop make progress concurrently."""
    count = 200
    pipes = []
    for _ in range(3):
        pull = env.socket(zmq.PULL, rcvhwm=5)
        push = env.socket(zmq.PUSH, sndhwm=5)
        push.connect(env.bind(pull))
        pipes.append((push, pull))

    async def send_all(push: Sock, name: int) -> None:
        for i in range(count):
            await push.send(b"%d:%d" % (name, i))

    results = await asyncio.gather(
        *(send_all(push, n) for n, (push, _) in enumerate(pipes)),
        *(recv_all(pull, count) for _, pull in pipes),
    )
    for n, got in enumerate(results[len(pipes) :]):
        assert got == [b"%d:%d" % (n, i) for i in range(count)]


def test_sync_thread_and_asyncio_socket_over_inproc() -> None:
    """pyzmq: a sync socket in a thread and an asyncio socket share inproc via Context.shadow."""
    ctx = zmq.Context()
    count = 100

    def echo() -> None:
        sock = ctx.socket(zmq.PAIR)
        sock.linger = 0
        sock.rcvtimeo = 5000
        sock.connect("inproc://mixed")
        try:
            for _ in range(count):
                sock.send_multipart(sock.recv_multipart())
        finally:
            sock.close()

    async def main() -> None:
        actx = azmq.Context.shadow(ctx)
        sock = actx.socket(zmq.PAIR)
        sock.linger = 0
        sock.rcvtimeo = 5000
        sock.bind("inproc://mixed")
        thread = threading.Thread(target=echo)
        thread.start()
        try:
            for i in range(count):
                await sock.send_multipart([b"%d" % i, b"x" * i])
                assert await sock.recv_multipart() == [b"%d" % i, b"x" * i]
        finally:
            sock.close()
            await asyncio.get_running_loop().run_in_executor(None, thread.join, 5)
        assert not thread.is_alive()

    run(main())
    terminate(ctx)


def test_sync_and_asyncio_contexts_over_tcp() -> None:
    """pyzmq: a sync Context and an asyncio Context talk over tcp (inproc names are per Context)."""
    sync_ctx = zmq.Context()
    server = sync_ctx.socket(zmq.REP)
    server.linger = 0
    server.rcvtimeo = 5000
    address = bind(server, "tcp", "")

    def serve() -> None:
        for _ in range(3):
            server.send(b"re " + server.recv())

    async def main() -> None:
        actx = azmq.Context()
        client = actx.socket(zmq.REQ)
        client.linger = 0
        client.connect(address)
        for i in range(3):
            await client.send(b"%d" % i)
            assert await client.recv() == b"re %d" % i
        actx.destroy(linger=0)

    thread = threading.Thread(target=serve)
    thread.start()
    run(main())
    thread.join(5)
    server.close()
    terminate(sync_ctx)


def test_endpoints_may_be_bytes(ctx: zmq.Context, transport: str, ipc_dir: str) -> None:
    """bind/connect/unbind/disconnect take bytes as pyzmq does: LAST_ENDPOINT goes back in."""
    pull = ctx.socket(zmq.PULL)
    push = ctx.socket(zmq.PUSH)
    for sock in (pull, push):
        sock.linger = 0
    pull.bind(bind_address(transport, ipc_dir).encode())
    endpoint = pull.last_endpoint
    assert isinstance(endpoint, bytes)
    push.connect(endpoint)
    push.send(b"over bytes")
    pull.rcvtimeo = 5000
    assert pull.recv() == b"over bytes"
    push.disconnect(endpoint)
    pull.unbind(endpoint)
    with pytest.raises(zmq.ZMQError) as info:
        pull.bind(b"tcp://\xff")
    assert info.value.errno == zmq.EINVAL
