"""Refusals: every peer that must be turned away is, on both sides, and nothing breaks.

Each case runs with purezmq on one side and libzmq (pyzmq) on the other, both ways
round, and purezmq on both sides. The server binds on every local address; the bad
client connects, and both monitors must report the refusal with libzmq's events and
values (HANDSHAKE_FAILED_AUTH with the ZAP status code, HANDSHAKE_FAILED_PROTOCOL with
the ZMTP error code, HANDSHAKE_FAILED_NO_DETAIL for a peer that just hung up). The bad
client's message never arrives; then a good client of the same library gets through
to the same server socket: the refusal cost nothing but that one connection.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zmq as pyzmq
import zmq.auth.thread as pyauth_thread

import purezmq
import purezmq.auth.thread as pureauth_thread
from purezmq.zmtp import PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC, PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH

from ..helpers.waiting import wait_for
from ..interop.support import LIB, PURE, try_send
from .support import (
    Keys,
    curve_client,
    curve_server,
    make,
    plain_client,
    plain_server,
    receives_nothing,
    round_trip,
    watch,
)

pytest.importorskip("nacl.bindings", reason="CURVE needs PyNaCl (the curve extra)")
pytestmark = pytest.mark.interop

E = purezmq.Event
SIDES = [(PURE, LIB), (LIB, PURE), (PURE, PURE)]


@dataclass(frozen=True)
class Case:
    """One refusal: how each end is set up, and what each monitor must say."""

    server: Callable[[Any, Keys], Any]
    bad: Callable[[Any, Keys], Any]
    good: Callable[[Any, Keys], Any]
    server_event: tuple[int, int | None]  # (event, value); None: any value
    client_event: tuple[int, int | None] | None  # None: libzmq says nothing either
    # Given, the server's Context runs a ZAP handler (a ThreadAuthenticator) set up so.
    policy: Callable[[Any, Keys, Path], None] | None = None
    # Given, a new handler replaces the first one, set up so, before the good client tries.
    relent: Callable[[Any], None] | None = None
    # libzmq 4.3 as the server reports this refusal but leaves the connection open: its
    # client hears nothing (purezmq closes it, and its client reports that).
    libzmq_server_keeps_it_open: bool = False


def _allow_client(auth: Any, keys: Keys, directory: Path) -> None:
    (directory / "client.key").write_text(
        f'metadata\ncurve\n    public-key = "{keys.client_public.decode()}"\n'
    )
    auth.configure_curve(domain="*", location=str(directory))


def _other_client(sock: Any, keys: Keys) -> Any:
    """A CURVE client with a key pair the server's handler does not know."""
    sock.curve_serverkey = keys.server_public
    sock.curve_publickey = keys.other_public
    sock.curve_secretkey = keys.other_secret
    return sock


def _bad_vouch(sock: Any, keys: Keys) -> Any:
    """Claims the client's public key but vouches with another secret key."""
    sock.curve_serverkey = keys.server_public
    sock.curve_publickey = keys.client_public
    sock.curve_secretkey = keys.other_secret
    return sock


def _wrong_server_key(sock: Any, keys: Keys) -> Any:
    return curve_client(sock, keys, keys.other_public)


def _passwords(auth: Any, keys: Keys, directory: Path) -> None:
    auth.configure_plain(domain="*", passwords={"admin": "secret"})


def _allow_any(auth: Any) -> None:
    auth.configure_curve(domain="*", location=purezmq.auth.CURVE_ALLOW_ANY)


def _deny_loopback(auth: Any, keys: Keys, directory: Path) -> None:
    auth.deny("127.0.0.1")
    auth.configure_curve(domain="*", location=purezmq.auth.CURVE_ALLOW_ANY)


def _enforced_domain(sock: Any, keys: Keys) -> Any:
    curve_server(sock, keys)
    sock.zap_domain = b"global"
    sock.zap_enforce_domain = 1
    return sock


PROTOCOL, AUTH = E.HANDSHAKE_FAILED_PROTOCOL, E.HANDSHAKE_FAILED_AUTH
NO_DETAIL = E.HANDSHAKE_FAILED_NO_DETAIL
CRYPTO = (PROTOCOL, PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
MISMATCH = (PROTOCOL, PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
CASES = {
    "wrong-server-key": Case(
        curve_server, _wrong_server_key, curve_client, CRYPTO, (NO_DETAIL, None)
    ),
    "client-key-not-allowed": Case(
        curve_server, _other_client, curve_client, (AUTH, 400), (AUTH, 400), _allow_client
    ),
    "wrong-password": Case(
        lambda s, k: plain_server(s), lambda s, k: plain_client(s, password=b"wrong"),
        lambda s, k: plain_client(s), (AUTH, 400), (AUTH, 400), _passwords,
    ),
    "denied-ip": Case(
        curve_server, curve_client, curve_client, (AUTH, 400), (AUTH, 400),
        _deny_loopback, relent=lambda auth: _allow_any(auth),
    ),
    "null-client-vs-curve": Case(curve_server, lambda s, k: s, curve_client, MISMATCH, MISMATCH),
    "plain-client-vs-curve": Case(
        curve_server, lambda s, k: plain_client(s), curve_client, MISMATCH, MISMATCH
    ),
    "bad-vouch": Case(curve_server, _bad_vouch, curve_client, CRYPTO, (NO_DETAIL, None)),
    "enforced-domain-without-handler": Case(
        _enforced_domain, curve_client, None, (NO_DETAIL, errno.EFAULT), (NO_DETAIL, None),  # type: ignore[arg-type]
        libzmq_server_keeps_it_open=True,  # no policy: no handler is started
    ),
}


@pytest.fixture
def handlers(ctx: purezmq.Context, pctx: pyzmq.Context) -> Iterator[dict[str, Any]]:
    """A ZAP handler for each library's Context, started by the test if it needs one."""
    runners = {
        PURE: pureauth_thread.ThreadAuthenticator(ctx),
        LIB: pyauth_thread.ThreadAuthenticator(pctx),
    }
    yield runners
    for runner in runners.values():
        if runner.is_alive():
            runner.stop()


def _replaced(handler: Any) -> Any:
    """A new handler of the same kind in the same Context, once the old one's ZAP
    endpoint is free again (libzmq releases an inproc name a little after close)."""
    handler.stop()

    def started() -> Any:
        fresh = type(handler)(handler.context)
        try:
            fresh.start()
        except (pyzmq.ZMQError, purezmq.ZMQError) as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            return None
        return fresh

    return wait_for(started)


def _port(sock: Any) -> int:
    endpoint = sock.last_endpoint
    text = endpoint.decode() if isinstance(endpoint, bytes) else str(endpoint)
    return int(text.rsplit(":", 1)[1])


@pytest.mark.parametrize("sides", SIDES, ids=[f"{s}-server-{c}-client" for s, c in SIDES])
@pytest.mark.parametrize("name", list(CASES))
def test_refused_on_both_sides_and_the_server_serves_on(
    ctx: purezmq.Context,
    pctx: pyzmq.Context,
    keys: Keys,
    handlers: dict[str, Any],
    tmp_path: Path,
    name: str,
    sides: tuple[str, str],
) -> None:
    case = CASES[name]
    server_lib, client_lib = sides
    if case.policy is not None:
        handlers[server_lib].start()
        case.policy(handlers[server_lib], keys, tmp_path)
    server = case.server(make(ctx, pctx, server_lib, "ROUTER"), keys)
    server.bind("tcp://0.0.0.0:*")
    server_events = watch(server, server_lib)
    bad = case.bad(make(ctx, pctx, client_lib, "DEALER"), keys)
    bad_events = watch(bad, client_lib)
    bad.connect(f"tcp://127.0.0.1:{_port(server)}")
    # Queued if the connection is still up; a refused connection is not retried, and
    # its pipe goes with it (as in libzmq): then there is nowhere to queue it.
    try_send(bad, b"let me in")

    event, value = case.server_event
    seen = server_events.wait(event)
    assert value is None or seen == value, (seen, server_events.seen)
    if case.client_event is not None and not (
        server_lib == LIB and case.libzmq_server_keeps_it_open
    ):
        event, value = case.client_event
        seen = bad_events.wait(event)
        assert value is None or seen == value, (seen, bad_events.seen)
    assert E.HANDSHAKE_SUCCEEDED not in server_events.numbers()
    assert receives_nothing(server)

    if case.relent is not None:
        handlers[server_lib] = _replaced(handlers[server_lib])
        case.relent(handlers[server_lib])
    if case.good is not None:
        good = case.good(make(ctx, pctx, client_lib, "DEALER"), keys)
        good.connect(f"tcp://127.0.0.1:{_port(server)}")
        round_trip(good, server)
