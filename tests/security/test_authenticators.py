"""Each library's ZAP handler vetting the other library's clients.

pyzmq's zmq.auth.ThreadAuthenticator, serving a libzmq socket, authenticates purezmq
CURVE clients from a certificate directory (and PLAIN clients from a password table);
purezmq.auth's ThreadAuthenticator and AsyncioAuthenticator, serving a purezmq socket,
do the same for libzmq clients. Admitted clients' messages carry the User-Id the handler
gave (the client's Z85 public key for CURVE, the user name for PLAIN); refused clients'
messages never arrive, and both monitors say HANDSHAKE_FAILED_AUTH 400.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import zmq as pyzmq
import zmq.auth as pyauth
import zmq.auth.thread as pyauth_thread

import purezmq
import purezmq.asyncio
import purezmq.auth
import purezmq.auth.thread as pureauth_thread
from purezmq.auth.asyncio import AsyncioAuthenticator

from ..helpers.waiting import run
from ..interop.support import LIB, PURE, TRANSPORTS, Sockets, try_send
from .support import Keys, curve_client, curve_server, make, receives_nothing, watch

pytest.importorskip("nacl.bindings", reason="CURVE needs PyNaCl (the curve extra)")
pytestmark = pytest.mark.interop

E = purezmq.Event


def _certificates(directory: Path, lib: str) -> tuple[Path, Path]:
    """A server and a client certificate pair, written by ``lib``'s own zmq.auth."""
    module = purezmq.auth if lib == PURE else pyauth
    server_public, _ = module.create_certificates(str(directory), "server")
    client_public, _ = module.create_certificates(str(directory), "client")
    return Path(server_public), Path(client_public)


def _keys_from(directory: Path, lib: str) -> Keys:
    module = purezmq.auth if lib == PURE else pyauth
    server_public, server_secret = module.load_certificate(str(directory / "server.key_secret"))
    client_public, client_secret = module.load_certificate(str(directory / "client.key_secret"))
    other_public, other_secret = purezmq.curve_keypair()
    assert server_secret is not None and client_secret is not None
    return Keys(server_public, server_secret, client_public, client_secret, other_public,
                other_secret)


def _authenticator(server_lib: str, ctx: Any, pctx: Any) -> Any:
    if server_lib == PURE:
        return pureauth_thread.ThreadAuthenticator(ctx)
    return pyauth_thread.ThreadAuthenticator(pctx)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("server_lib", [LIB, PURE], ids=["pyzmq-handler", "purezmq-handler"])
def test_curve_certificates_admit_the_known_client_only(
    ctx: purezmq.Context,
    pctx: pyzmq.Context,
    sockets: Sockets,
    tmp_path: Path,
    server_lib: str,
    transport: str,
) -> None:
    client_lib = PURE if server_lib == LIB else LIB
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    _certificates(tmp_path, client_lib)  # the certificates come from the other library
    (allowed / "client.key").write_bytes((tmp_path / "client.key").read_bytes())
    keys = _keys_from(tmp_path, server_lib)
    auth = _authenticator(server_lib, ctx, pctx)
    auth.start()
    try:
        auth.configure_curve(domain="*", location=str(allowed))
        server = curve_server(make(ctx, pctx, server_lib, "ROUTER"), keys)
        endpoint = sockets.bind(server, transport)
        server_events = watch(server, server_lib)

        good = curve_client(make(ctx, pctx, client_lib, "DEALER"), keys)
        good.connect(endpoint)
        good.send(b"known")
        frames = server.recv_multipart(copy=False)
        assert frames[-1].bytes == b"known"
        assert frames[-1].get("User-Id") == keys.client_public.decode()

        stranger = make(ctx, pctx, client_lib, "DEALER")
        stranger_events = watch(stranger, client_lib)
        stranger.curve_serverkey = keys.server_public
        stranger.curve_publickey, stranger.curve_secretkey = keys.other_public, keys.other_secret
        stranger.connect(endpoint)
        # The refusal may come before this line runs (a busy machine): the connection's
        # pipe is then gone, in libzmq as here, and a blocking send would wait for ever.
        try_send(stranger, b"unknown")
        assert server_events.wait(E.HANDSHAKE_FAILED_AUTH) == 400
        assert stranger_events.wait(E.HANDSHAKE_FAILED_AUTH) == 400
        assert receives_nothing(server)
    finally:
        auth.stop()


@pytest.mark.parametrize("server_lib", [LIB, PURE], ids=["pyzmq-handler", "purezmq-handler"])
def test_plain_passwords_and_user_id(
    ctx: purezmq.Context, pctx: pyzmq.Context, sockets: Sockets, server_lib: str
) -> None:
    client_lib = PURE if server_lib == LIB else LIB
    auth = _authenticator(server_lib, ctx, pctx)
    auth.start()
    try:
        auth.configure_plain(domain="*", passwords={"alice": "wonderland"})
        server = make(ctx, pctx, server_lib, "PULL")
        server.plain_server = True
        endpoint = sockets.bind(server, "tcp")
        client = make(ctx, pctx, client_lib, "PUSH")
        client.plain_username, client.plain_password = b"alice", b"wonderland"
        client.connect(endpoint)
        client.send(b"it is alice")
        frame = server.recv(copy=False)
        assert frame.bytes == b"it is alice"
        assert frame.get("User-Id") == "alice"
    finally:
        auth.stop()


def test_asyncio_authenticator_admits_a_libzmq_client(
    pctx: pyzmq.Context, keys: Keys
) -> None:
    """purezmq's AsyncioAuthenticator on the running loop, vetting a libzmq CURVE client."""

    async def scenario() -> None:
        actx = purezmq.asyncio.Context()
        auth = AsyncioAuthenticator(actx)
        auth.start()
        auth.configure_curve(domain="*", location=purezmq.auth.CURVE_ALLOW_ANY)
        server = curve_server(actx.socket(purezmq.PULL), keys)
        server.linger = 0
        port = server.bind_to_random_port("tcp://127.0.0.1")
        client = curve_client(make(None, pctx, LIB, "PUSH"), keys)
        client.connect(f"tcp://127.0.0.1:{port}")
        client.send(b"through asyncio")
        frame = await asyncio.wait_for(server.recv(copy=False), 5)
        assert frame.bytes == b"through asyncio"
        assert frame.get("User-Id") == keys.client_public.decode()
        auth.stop()
        server.close()
        actx.destroy(linger=0)

    run(scenario())
