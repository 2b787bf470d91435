"""PLAIN and CURVE sockets against libzmq's, each library as server and as client.

For every pattern (REQ/REP, DEALER/ROUTER, PUSH/PULL, PUB/SUB), transport (tcp, ipc)
and mechanism, the bound socket is the mechanism's server and the connecting one its
client; one of them is purezmq's, the other libzmq's (through pyzmq), both ways round.
A PLAIN server needs a ZAP handler: its own library's ThreadAuthenticator, in its own
Context; CURVE runs without one (both libraries then admit any client that knows the
server's key); test_authenticators.py runs the ZAP handlers against CURVE clients.
Messages must cross in each direction the pattern allows; on purezmq's side a received
frame carries the peer's metadata (User-Id from the ZAP handler for PLAIN).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import zmq as pyzmq
import zmq.auth.thread as pyauth_thread

import purezmq
import purezmq.auth.thread as pureauth_thread

from ..interop.support import LIB, LIBS, PURE, TRANSPORTS, Sockets, publish_until_received
from .support import Keys, make, secured

pytest.importorskip("nacl.bindings", reason="CURVE needs PyNaCl (the curve extra)")
pytestmark = pytest.mark.interop

# (server type, client type): the server binds.
PATTERNS = [("REP", "REQ"), ("ROUTER", "DEALER"), ("PULL", "PUSH"), ("PUB", "SUB")]
MECHANISMS = ("CURVE", "PLAIN")


@pytest.fixture
def authenticators(ctx: purezmq.Context, pctx: pyzmq.Context) -> Iterator[dict[str, Any]]:
    """A running ZAP handler per library, each knowing the PLAIN user admin/secret."""
    runners = {
        PURE: pureauth_thread.ThreadAuthenticator(ctx),
        LIB: pyauth_thread.ThreadAuthenticator(pctx),
    }
    for runner in runners.values():
        runner.start()
        runner.configure_plain(domain="*", passwords={"admin": "secret"})
    yield runners
    for runner in runners.values():
        runner.stop()


def _exchange(server: Any, client: Any, kind: str) -> None:
    if kind == "REP":
        client.send(b"request")
        assert server.recv() == b"request"
        server.send(b"reply")
        assert client.recv() == b"reply"
    elif kind == "ROUTER":
        client.send_multipart([b"a", b"b"])
        routing_id, *body = server.recv_multipart()
        assert body == [b"a", b"b"]
        server.send_multipart([routing_id, b"back"])
        assert client.recv() == b"back"
    elif kind == "PULL":
        client.send(b"work")
        assert server.recv() == b"work"
    else:
        client.subscribe(b"t")
        got = publish_until_received(server, client, [[b"t", b"news"]])
        assert got == [b"t", b"news"]


def _frame_into_purezmq(server: Any, client: Any, kind: str) -> Any:
    """One more message towards the purezmq socket, received as a Frame (None where the
    pattern sends nothing its way)."""
    if isinstance(server, purezmq.Socket):
        if kind == "PUB":
            return None
        client.send(b"meta")
        return server.recv_multipart(copy=False)[-1]
    if kind == "PULL":
        return None
    if kind == "PUB":
        server.send_multipart([b"t", b"meta"])
        return client.recv_multipart(copy=False)[-1]
    client.send(b"question")
    request = server.recv_multipart()
    server.send_multipart([*request[:-1], b"meta"])
    return client.recv(copy=False)


def _check_metadata(server: Any, client: Any, kinds: tuple[str, str], mechanism: str) -> None:
    frame = _frame_into_purezmq(server, client, kinds[0])
    if frame is None:
        return
    assert frame.bytes == b"meta"
    ours_is_server = isinstance(server, purezmq.Socket)
    assert frame.get("Socket-Type") == (kinds[1] if ours_is_server else kinds[0])
    assert frame.get("Peer-Address")
    if ours_is_server and mechanism == "PLAIN":
        assert frame.get("User-Id") == "admin"


@pytest.mark.parametrize("kinds", PATTERNS, ids=["-".join(p) for p in PATTERNS])
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("server_lib", LIBS)
@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_secured_pair_talks(
    ctx: purezmq.Context,
    pctx: pyzmq.Context,
    sockets: Sockets,
    keys: Keys,
    request: pytest.FixtureRequest,
    mechanism: str,
    server_lib: str,
    transport: str,
    kinds: tuple[str, str],
) -> None:
    server_kind, client_kind = kinds
    if mechanism == "PLAIN":
        request.getfixturevalue("authenticators")
    client_lib = LIB if server_lib == PURE else PURE
    server = secured(make(ctx, pctx, server_lib, server_kind), mechanism, "server", keys)
    client = secured(make(ctx, pctx, client_lib, client_kind), mechanism, "client", keys)
    sockets.connect_pair(server, client, transport)
    assert server.mechanism == client.mechanism == getattr(purezmq, mechanism)
    _exchange(server, client, server_kind)
    _check_metadata(server, client, kinds, mechanism)
