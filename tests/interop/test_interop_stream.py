"""STREAM against libzmq's STREAM (through pyzmq): raw bytes, both ways, both binding.

Two STREAM sockets carry raw bytes between them, so this checks the parts the two
libraries must agree on: no greeting, a connect notice on both ends, the data as it
was sent, and the notices when a connection ends. libzmq 4.3.5 does not close a
connection when its STREAM sends ``[id, b""]`` (the connection stays up and goes
quiet), so only purezmq closes connections that way here.
"""

from __future__ import annotations

from typing import Any

import pytest
import zmq as pyzmq
import zmq.asyncio

import purezmq.asyncio as azmq

from ..helpers.waiting import run
from .support import LIBS, PURE, TRANSPORTS, Sockets, configure, endpoint_of, other

pytestmark = pytest.mark.interop


def recv_data(sock: Any, routing_id: bytes, size: int) -> bytes:
    """``size`` octets from ``routing_id``, however many reads they take."""
    got = b""
    while len(got) < size:
        rid, data = sock.recv_multipart()
        assert rid == routing_id and data, (rid, data)
        got += data
    return got


def connected_pair(sockets: Sockets, binder: str, transport: str) -> tuple[Any, Any, bytes, bytes]:
    """A STREAM of ``binder`` bound, one of the other library connected to it, both
    past their connect notices; with the id each gave the other."""
    server = sockets.make(binder, "STREAM")
    client = sockets.make(other(binder), "STREAM")
    client.connect(sockets.bind(server, transport))
    client_side_id = client.getsockopt(pyzmq.ROUTING_ID)
    server_side_id, notice = server.recv_multipart()
    assert notice == b""
    assert client.recv_multipart() == [client_side_id, b""]
    return server, client, server_side_id, client_side_id


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("binder", LIBS)
def test_bytes_both_ways(sockets: Sockets, binder: str, transport: str) -> None:
    """What one side sends arrives unchanged on the other, in both directions."""
    server, client, server_id, client_id = connected_pair(sockets, binder, transport)
    request = b"GET /index.html HTTP/1.1\r\n\r\n"
    client.send_multipart([client_id, request])
    assert recv_data(server, server_id, len(request)) == request
    reply = bytes(range(256)) * 1024
    server.send_multipart([server_id, reply])
    assert recv_data(client, client_id, len(reply)) == reply


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("binder", LIBS)
def test_purezmq_closes_and_libzmq_is_told(sockets: Sockets, binder: str, transport: str) -> None:
    """purezmq's [id, b""] closes the connection after what was sent before it; the
    libzmq STREAM reads that, then its disconnect notice."""
    server, client, server_id, client_id = connected_pair(sockets, binder, transport)
    pure, lib = (server, client) if binder == PURE else (client, server)
    pure_id, lib_id = (server_id, client_id) if binder == PURE else (client_id, server_id)
    pure.send_multipart([pure_id, b"goodbye"])
    pure.send_multipart([pure_id, b""])
    assert recv_data(lib, lib_id, 7) == b"goodbye"
    assert lib.recv_multipart() == [lib_id, b""]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_libzmq_socket_closing_is_noticed(sockets: Sockets, transport: str) -> None:
    """A libzmq STREAM that closes (its socket) ends the connection: purezmq's bound
    STREAM reads the data first, then the notice."""
    server, client, server_id, client_id = connected_pair(sockets, PURE, transport)
    client.send_multipart([client_id, b"last"])
    assert recv_data(server, server_id, 4) == b"last"
    client.close(linger=1000)
    assert server.recv_multipart() == [server_id, b""]


def test_asyncio_stream_with_libzmq() -> None:
    """purezmq.asyncio's STREAM, bound, with a libzmq STREAM (asyncio too) connected."""

    async def main() -> None:
        pure_ctx, lib_ctx = azmq.Context(), zmq.asyncio.Context()
        server = configure(pure_ctx.socket(azmq.STREAM))
        client = configure(lib_ctx.socket(pyzmq.STREAM))
        try:
            server.bind("tcp://127.0.0.1:*")
            client.connect(endpoint_of(server))
            client_id = client.getsockopt(pyzmq.ROUTING_ID)
            server_id, notice = await server.recv_multipart()
            assert notice == b""
            assert await client.recv_multipart() == [client_id, b""]
            await client.send_multipart([client_id, b"ping"])
            assert await server.recv_multipart() == [server_id, b"ping"]
            await server.send_multipart([server_id, b"pong"])
            assert await client.recv_multipart() == [client_id, b"pong"]
            await server.send_multipart([server_id, b""])
            assert await client.recv_multipart() == [client_id, b""]
        finally:
            server.close()
            client.close()
            pure_ctx.term()
            lib_ctx.term()

    run(main(), 20)

