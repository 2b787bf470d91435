"""STREAM sockets against plain (not ZeroMQ) peers: zmq_socket(3), ZMQ_STREAM.

Every scenario runs with sync and asyncio sockets, over tcp and ipc. The plain peer is
a blocking Python socket whose calls run in a worker thread (``asyncio.to_thread``),
so an asyncio STREAM socket on the scenario's loop keeps running meanwhile. Every
plain call has a timeout, as every ZeroMQ socket has RCVTIMEO/SNDTIMEO.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

import pytest

import purezmq as zmq
from purezmq.utils.monitor import parse_monitor_message
from tests.sockets.harness import TIMEOUT_MS, Env, Sock, scenario

PLAIN_TIMEOUT = TIMEOUT_MS / 1000
E = zmq.Event


@pytest.fixture(params=["tcp", "ipc"])
def transport(request: pytest.FixtureRequest) -> str:
    """STREAM is for byte streams: tcp and ipc (as libzmq's raw engine)."""
    return str(request.param)


def _family_and_address(endpoint: str) -> tuple[int, Any]:
    kind, _, rest = endpoint.partition("://")
    if kind == "ipc":
        return socket.AF_UNIX, rest
    host, _, port = rest.rpartition(":")
    return socket.AF_INET, (host, int(port))


class Plain:
    """A plain stream socket, the peer a STREAM socket exists for."""

    def __init__(self, sock: socket.socket) -> None:
        sock.settimeout(PLAIN_TIMEOUT)
        self.sock = sock

    @classmethod
    async def connect(cls, endpoint: str) -> Plain:
        family, address = _family_and_address(endpoint)
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(PLAIN_TIMEOUT)
        await asyncio.to_thread(sock.connect, address)
        return cls(sock)

    async def send(self, data: bytes) -> None:
        await asyncio.to_thread(self.sock.sendall, data)

    async def recv_exactly(self, size: int) -> bytes:
        """``size`` octets, however they arrive; fails at the end of the stream."""
        got = await asyncio.to_thread(self._recv_exactly, size)
        assert len(got) == size, f"the stream ended after {len(got)} of {size} octets"
        return got

    def _recv_exactly(self, size: int) -> bytes:
        chunks = []
        left = size
        while left:
            chunk = self.sock.recv(min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def start_sending(self, data: bytes) -> asyncio.Future[None]:
        """Send ``data`` from a worker thread that starts now, even if the caller then
        blocks the loop (a sync socket's call)."""
        return asyncio.get_running_loop().run_in_executor(None, self.sock.sendall, data)

    def start_receiving(self, size: int) -> asyncio.Future[bytes]:
        """``size`` octets, read by a worker thread that starts now."""
        return asyncio.get_running_loop().run_in_executor(None, self._recv_exactly, size)

    async def recv_to_end(self) -> bytes:
        """Everything until the peer closes (a timeout fails the test)."""
        return await asyncio.to_thread(self._recv_exactly, 1 << 40)

    def reset(self) -> None:
        """Close with a reset (SO_LINGER 0) where the family has one: a vanished peer."""
        if self.sock.family != socket.AF_UNIX:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self) -> None:
        self.sock.close()


class PlainServer:
    """A plain listening socket for a STREAM socket to connect() to."""

    def __init__(self, env: Env) -> None:
        if env.transport == "tcp":
            self.sock = socket.socket()
            self.sock.bind(("127.0.0.1", 0))
            self.endpoint = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"
        else:
            self.endpoint = env.free_endpoint()
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.bind(self.endpoint[len("ipc://") :])
        self.sock.listen(16)
        self.sock.settimeout(PLAIN_TIMEOUT)

    async def accept(self) -> Plain:
        conn, _ = await asyncio.to_thread(self.sock.accept)
        return Plain(conn)

    def close(self) -> None:
        self.sock.close()


def stream(env: Env, **options: Any) -> Sock:
    return env.socket(zmq.STREAM, **options)


async def accepted(server: Sock, endpoint: str) -> tuple[Plain, bytes]:
    """A plain client connected to ``server``, and the routing id its notice gave."""
    client = await Plain.connect(endpoint)
    routing_id, data = await server.recv_multipart()
    assert data == b"" and routing_id
    return client, routing_id


# -- serving plain clients ------------------------------------------------------------


@scenario
async def test_echo_server(env: Env) -> None:
    """Each read arrives as [routing id, data]; [routing id, data] writes to that peer."""
    server = stream(env)
    endpoint = env.bind(server)
    client, routing_id = await accepted(server, endpoint)
    await client.send(b"ping")
    got = b""
    while len(got) < 4:  # one read is one message: the bytes may come in pieces
        rid, data = await server.recv_multipart()
        assert rid == routing_id
        got += data
        await server.send_multipart([rid, data])
    assert got == b"ping"
    assert await client.recv_exactly(4) == b"ping"
    client.close()


@scenario
async def test_http_like_request_and_response(env: Env) -> None:
    """A server answers a request and closes the connection with an empty frame: the
    client reads the whole response, then the end of the stream."""
    server = stream(env)
    endpoint = env.bind(server)
    client, routing_id = await accepted(server, endpoint)
    request = b"GET / HTTP/1.0\r\nHost: example\r\n\r\n"
    await client.send(request)
    got = b""
    while not got.endswith(b"\r\n\r\n"):
        rid, data = await server.recv_multipart()
        assert rid == routing_id
        got += data
    assert got == request
    body = b"hello, world\n" * 1000
    head = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
    await server.send_multipart([routing_id, head])
    await server.send_multipart([routing_id, body])
    await server.send_multipart([routing_id, b""])
    assert await client.recv_to_end() == head + body
    client.close()


@scenario
async def test_notices_mark_connect_and_disconnect(env: Env) -> None:
    """STREAM_NOTIFY (on by default): [id, b""] when a peer connects and when it goes."""
    server = stream(env)
    endpoint = env.bind(server)
    client, routing_id = await accepted(server, endpoint)
    await client.send(b"last words")
    client.close()
    got = b""
    while True:
        rid, data = await server.recv_multipart()
        assert rid == routing_id
        if not data:
            break
        got += data
    assert got == b"last words"


@scenario
async def test_no_notices_without_stream_notify(env: Env) -> None:
    """With STREAM_NOTIFY 0 only data arrives; the peer still gets a routing id."""
    server = stream(env, stream_notify=0)
    endpoint = env.bind(server)
    first = await Plain.connect(endpoint)
    await first.send(b"a")
    rid_a, data = await server.recv_multipart()
    assert data == b"a"
    first.close()
    second = await Plain.connect(endpoint)
    await second.send(b"b")
    rid_b, data = await server.recv_multipart()
    assert data == b"b" and rid_b != rid_a  # the first one's end brought no notice
    second.close()


@scenario
async def test_close_by_empty_frame(env: Env) -> None:
    """[id, b""] closes that connection (the peer reads the end of the stream); no
    notice follows, and the routing id is unknown from then on."""
    server = stream(env)
    endpoint = env.bind(server)
    client, routing_id = await accepted(server, endpoint)
    other, other_id = await accepted(server, endpoint)
    await server.send_multipart([routing_id, b""])
    assert await client.recv_to_end() == b""
    with pytest.raises(zmq.ZMQError) as info:
        await server.send_multipart([routing_id, b"too late"])
    assert info.value.errno == zmq.EHOSTUNREACH
    await other.send(b"still here")
    assert await server.recv_multipart() == [other_id, b"still here"]
    client.close()
    other.close()


@scenario
async def test_unknown_routing_id_is_unreachable(env: Env) -> None:
    """STREAM is always mandatory: EHOSTUNREACH for an unknown id, at the routing-id
    frame when sent frame by frame (as libzmq)."""
    server = stream(env)
    env.bind(server)
    with pytest.raises(zmq.ZMQError) as info:
        await server.send_multipart([b"\x00nope", b"data"])
    assert info.value.errno == zmq.EHOSTUNREACH
    with pytest.raises(zmq.ZMQError) as info:
        await server.send(b"\x00nope", zmq.SNDMORE)
    assert info.value.errno == zmq.EHOSTUNREACH


@scenario
async def test_sndmore_on_the_data_frame_is_ignored(env: Env) -> None:
    """The frame after the routing id is written at once, whatever its MORE flag."""
    server = stream(env)
    endpoint = env.bind(server)
    client, routing_id = await accepted(server, endpoint)
    await server.send(routing_id, zmq.SNDMORE)
    await server.send(b"written", zmq.SNDMORE)
    assert await client.recv_exactly(7) == b"written"
    await server.send_multipart([routing_id, b"next"])
    assert await client.recv_exactly(4) == b"next"
    client.close()


@scenario
async def test_many_peers(env: Env) -> None:
    """Twenty peers at once: every one is answered on its own connection."""
    server = stream(env)
    endpoint = env.bind(server)
    peers = [await accepted(server, endpoint) for _ in range(20)]
    assert len({rid for _, rid in peers}) == 20
    for n, (client, _) in enumerate(peers):
        await client.send(b"%02d" % n)
    answered = 0
    buffers: dict[bytes, bytes] = {}
    while answered < 20:
        rid, data = await server.recv_multipart()
        buffers[rid] = buffers.get(rid, b"") + data
        if len(buffers[rid]) == 2:
            await server.send_multipart([rid, b"re:" + buffers[rid]])
            answered += 1
    for n, (client, _) in enumerate(peers):
        assert await client.recv_exactly(5) == b"re:%02d" % n
        client.close()


@scenario
async def test_a_vanished_peer_ends_only_its_connection(env: Env) -> None:
    """A peer that resets its connection costs the socket that connection only."""
    server = stream(env)
    endpoint = env.bind(server)
    gone, gone_id = await accepted(server, endpoint)
    staying, staying_id = await accepted(server, endpoint)
    gone.reset()
    assert await server.recv_multipart() == [gone_id, b""]
    await staying.send(b"hi")
    assert await server.recv_multipart() == [staying_id, b"hi"]
    await server.send_multipart([staying_id, b"ho"])
    assert await staying.recv_exactly(2) == b"ho"
    staying.close()


@scenario
async def test_large_transfers_under_small_hwms(env: Env) -> None:
    """Megabytes each way through HWMs of 2 messages: reading pauses while the socket's
    pipe is full and nothing is lost or reordered."""
    server = stream(env, rcvhwm=2, sndhwm=2)
    endpoint = env.bind(server)
    client, routing_id = await accepted(server, endpoint)
    upload = bytes(range(256)) * 8192  # 2 MiB
    sending = client.start_sending(upload)
    got = bytearray()
    while len(got) < len(upload):
        rid, data = await server.recv_multipart()
        assert rid == routing_id
        got += data
    await sending
    assert got == upload
    chunks = [bytes([n]) * 65536 for n in range(32)]
    receiving = client.start_receiving(65536 * 32)
    for chunk in chunks:
        await server.send_multipart([routing_id, chunk])
    assert await receiving == b"".join(chunks)
    client.close()


@scenario
async def test_no_greeting_is_sent(env: Env) -> None:
    """No ZMTP greeting: the first octets a peer reads are the first ones sent to it."""
    server = stream(env)
    endpoint = env.bind(server)
    client, routing_id = await accepted(server, endpoint)
    await server.send_multipart([routing_id, b"first"])
    assert await client.recv_exactly(5) == b"first"
    client.close()


# -- connecting to plain servers ------------------------------------------------------


@scenario
async def test_connect_to_a_plain_server(env: Env) -> None:
    """After connect(), ROUTING_ID is the new peer's id; what is sent before the
    connection is up goes out once it is; the connection brings a notice."""
    listener = PlainServer(env)
    client = stream(env)
    client.connect(listener.endpoint)
    routing_id = client.getsockopt(zmq.ROUTING_ID)
    assert routing_id[:1] == b"\x00" and len(routing_id) == 5
    await client.send_multipart([routing_id, b"early"])
    conn = await listener.accept()
    assert await client.recv_multipart() == [routing_id, b""]
    assert await conn.recv_exactly(5) == b"early"
    await conn.send(b"welcome")
    assert await client.recv_multipart() == [routing_id, b"welcome"]
    conn.close()
    listener.close()


@scenario
async def test_connected_endpoint_reconnects_with_the_same_id(env: Env) -> None:
    """A server that hangs up: a notice, then (as libzmq) a reconnection under the same
    routing id, with a notice of its own."""
    listener = PlainServer(env)
    client = stream(env, reconnect_ivl=10)
    client.connect(listener.endpoint)
    routing_id = client.getsockopt(zmq.ROUTING_ID)
    first = await listener.accept()
    assert await client.recv_multipart() == [routing_id, b""]
    first.close()
    assert await client.recv_multipart() == [routing_id, b""]
    second = await listener.accept()
    assert await client.recv_multipart() == [routing_id, b""]
    await client.send_multipart([routing_id, b"again"])
    assert await second.recv_exactly(5) == b"again"
    second.close()
    listener.close()


@scenario
async def test_connect_routing_id_names_the_peer(env: Env) -> None:
    """CONNECT_ROUTING_ID names the next connect()'s peer; a name in use is EINVAL."""
    listener = PlainServer(env)
    client = stream(env)
    client.connect_routing_id = b"upstream"
    client.connect(listener.endpoint)
    conn = await listener.accept()
    assert await client.recv_multipart() == [b"upstream", b""]
    await conn.send(b"x")
    assert await client.recv_multipart() == [b"upstream", b"x"]
    client.connect_routing_id = b"upstream"
    with pytest.raises(zmq.ZMQError) as info:
        client.connect(listener.endpoint)
    assert info.value.errno == zmq.EINVAL
    conn.close()
    listener.close()


@scenario
async def test_monitor_events(env: Env) -> None:
    """The monitor sees ACCEPTED, CONNECTED and DISCONNECTED, and no handshake events."""
    server = stream(env)
    mon = Sock(server.get_monitor_socket(), env.is_async)
    endpoint = env.bind(server)
    client, _ = await accepted(server, endpoint)
    client.close()
    assert (await server.recv_multipart())[1] == b""
    seen = []
    while E.DISCONNECTED not in seen:
        seen.append(parse_monitor_message(await mon.recv_multipart())["event"])
    assert seen == [E.LISTENING, E.ACCEPTED, E.DISCONNECTED]
    listener = PlainServer(env)
    server.connect(listener.endpoint)
    conn = await listener.accept()
    while E.CONNECTED not in seen:
        seen.append(parse_monitor_message(await mon.recv_multipart())["event"])
    assert E.HANDSHAKE_SUCCEEDED not in seen
    server.disable_monitor()
    mon.close()
    conn.close()
    listener.close()


@scenario
async def test_linger_delivers_what_was_sent_before_close(env: Env) -> None:
    """A socket closed with LINGER still writes what it had queued."""
    server = stream(env)
    endpoint = env.bind(server)
    client, routing_id = await accepted(server, endpoint)
    payload = b"z" * 300_000
    await server.send_multipart([routing_id, payload])
    server.close(linger=2000)
    assert await client.recv_exactly(len(payload)) == payload
    client.close()


# -- options ----------------------------------------------------------------------------


def test_stream_notify_is_write_only_and_stream_only(ctx: zmq.Context) -> None:
    """As libzmq: STREAM_NOTIFY takes 0 or 1, reads back as EINVAL, and other types
    refuse it."""
    sock = ctx.socket(zmq.STREAM)
    sock.stream_notify = 0
    with pytest.raises(zmq.ZMQError) as info:
        sock.getsockopt(zmq.STREAM_NOTIFY)
    assert info.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError):
        sock.stream_notify = 2
    dealer = ctx.socket(zmq.DEALER)
    with pytest.raises(zmq.ZMQError) as info:
        dealer.stream_notify = 1
    assert info.value.errno == zmq.EINVAL
    sock.close()
    dealer.close()


def test_routing_id_reads_back_the_last_generated_one(ctx: zmq.Context) -> None:
    """ROUTING_ID on a STREAM socket is the id given to its latest peer (libzmq)."""
    sock = ctx.socket(zmq.STREAM)
    sock.linger = 0
    sock.connect("tcp://127.0.0.1:9")  # never connects: the pipe is made at connect()
    first = sock.routing_id
    sock.connect("tcp://127.0.0.1:7")
    assert first[:1] == b"\x00" and sock.routing_id not in (first, b"")
    sock.close()
