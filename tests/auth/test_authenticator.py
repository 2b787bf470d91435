"""purezmq.auth's Authenticator: pyzmq's policy, reply for reply, and its two runners.

The policy table runs each hand-made ZAP request through purezmq's
Authenticator and pyzmq's (both with a recording ZAP socket), and checks the
replies against the expected ones and against each other. Then the runners:
ThreadAuthenticator and AsyncioAuthenticator answer real requests sent from a
REQ socket connected to inproc://zeromq.zap.01 in the same context.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import zmq.auth as pyauth

import purezmq
import purezmq.asyncio
from purezmq.auth import CURVE_ALLOW_ANY, Authenticator, create_certificates, load_certificate
from purezmq.auth.asyncio import AsyncioAuthenticator
from purezmq.auth.thread import ThreadAuthenticator
from purezmq.utils import z85

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def request(
    mechanism: bytes = b"NULL",
    *credentials: bytes,
    address: bytes = b"127.0.0.1",
    domain: bytes = b"",
    version: bytes = b"1.0",
) -> list[bytes]:
    """A ZAP request's frames (RFC 27), request id "7"."""
    return [version, b"7", domain, address, b"", mechanism, *credentials]


def reply(status: bytes, text: bytes, user_id: bytes = b"") -> list[bytes]:
    return [b"1.0", b"7", status, text, user_id, b""]


class Recorder:
    """Stands for the ZAP socket: keeps what is sent."""

    def __init__(self) -> None:
        self.sent: list[list[bytes]] = []

    def send_multipart(self, frames: list[bytes]) -> None:
        self.sent.append(list(frames))


class Provider:
    def __init__(self, answer: bool, asynchronous: bool = False) -> None:
        self.answer = answer
        self.asynchronous = asynchronous
        self.seen: list[tuple[str, bytes]] = []

    def callback(self, domain: str, key: bytes) -> Any:
        self.seen.append((domain, key))
        if self.asynchronous:
            return self._later()
        return self.answer

    async def _later(self) -> bool:
        return self.answer


Setup = Callable[[Any, Path], None]


def _certs(auth: Any, tmp_path: Path) -> None:
    (tmp_path / "client.key").write_text(
        f'metadata\ncurve\n    public-key = "{z85.encode(KEY).decode()}"\n'
    )
    auth.configure_curve(domain="global", location=str(tmp_path))


def _plain(auth: Any, tmp_path: Path) -> None:
    auth.configure_plain(domain="global", passwords={"admin": "secret"})
    auth.configure_plain(passwords={"guest": ""})


CASES: list[tuple[str, Setup | None, list[bytes], list[bytes]]] = [
    ("NULL, no policy", None, request(), reply(b"200", b"OK", b"anonymous")),
    (
        "allowed address",
        lambda a, _: a.allow("127.0.0.1"),
        request(),
        reply(b"200", b"OK", b"anonymous"),
    ),
    (
        "not allowed",
        lambda a, _: a.allow("10.0.0.1"),
        request(),
        reply(b"400", b"Address not allowed"),
    ),
    (
        "denied address",
        lambda a, _: a.deny("127.0.0.1"),
        request(),
        reply(b"400", b"Address denied"),
    ),
    ("not denied", lambda a, _: a.deny("10.0.0.1"), request(), reply(b"200", b"OK", b"anonymous")),
    (
        "PLAIN, no passwords",
        None,
        request(b"PLAIN", b"admin", b"secret"),
        reply(b"400", b"No passwords defined"),
    ),
    (
        "PLAIN ok",
        _plain,
        request(b"PLAIN", b"admin", b"secret", domain=b"global"),
        reply(b"200", b"OK", b"admin"),
    ),
    (
        "PLAIN empty domain",
        _plain,
        request(b"PLAIN", b"guest", b""),
        reply(b"200", b"OK", b"guest"),
    ),
    (
        "PLAIN bad password",
        _plain,
        request(b"PLAIN", b"admin", b"x", domain=b"global"),
        reply(b"400", b"Invalid password"),
    ),
    (
        "PLAIN bad user",
        _plain,
        request(b"PLAIN", b"eve", b"x", domain=b"global"),
        reply(b"400", b"Invalid username"),
    ),
    (
        "PLAIN bad domain",
        _plain,
        request(b"PLAIN", b"admin", b"secret", domain=b"other"),
        reply(b"400", b"Invalid domain"),
    ),
    (
        "PLAIN one credential",
        _plain,
        request(b"PLAIN", b"admin"),
        reply(b"400", b"Invalid credentials"),
    ),
    (
        "PLAIN, address first",
        lambda a, p: (a.deny("127.0.0.1"), _plain(a, p)),
        request(b"PLAIN", b"guest", b""),
        reply(b"400", b"Address denied"),
    ),
    (
        "CURVE allow any",
        lambda a, _: a.configure_curve(location=CURVE_ALLOW_ANY),
        request(b"CURVE", KEY),
        reply(b"200", b"OK", z85.encode(KEY)),
    ),
    (
        "CURVE known key",
        _certs,
        request(b"CURVE", KEY, domain=b"global"),
        reply(b"200", b"OK", z85.encode(KEY)),
    ),
    (
        "CURVE unknown key",
        _certs,
        request(b"CURVE", OTHER_KEY, domain=b"global"),
        reply(b"400", b"Unknown key"),
    ),
    (
        "CURVE unknown domain",
        _certs,
        request(b"CURVE", KEY, domain=b"other"),
        reply(b"400", b"Unknown domain"),
    ),
    ("CURVE no config", None, request(b"CURVE", KEY), reply(b"400", b"Unknown domain")),
    ("CURVE two keys", _certs, request(b"CURVE", KEY, KEY), reply(b"400", b"Invalid credentials")),
    (
        "CURVE callback yes",
        lambda a, _: a.configure_curve_callback("*", Provider(True)),
        request(b"CURVE", KEY),
        reply(b"200", b"OK", z85.encode(KEY)),
    ),
    (
        "CURVE callback no",
        lambda a, _: a.configure_curve_callback("*", Provider(False)),
        request(b"CURVE", KEY),
        reply(b"400", b"Unknown key"),
    ),
    (
        "CURVE async callback",
        lambda a, _: a.configure_curve_callback("*", Provider(True, True)),
        request(b"CURVE", KEY),
        reply(b"200", b"OK", z85.encode(KEY)),
    ),
    (
        "CURVE callback domain",
        lambda a, _: a.configure_curve_callback("x", Provider(True)),
        request(b"CURVE", KEY),
        reply(b"400", b"Unknown domain"),
    ),
    ("GSSAPI", None, request(b"GSSAPI", b"alice@REALM"), reply(b"200", b"OK", b"alice@REALM")),
    ("unknown mechanism", None, request(b"FOO"), reply(b"400", b"NO ACCESS")),
    ("bad version", None, request(version=b"2.0"), reply(b"400", b"Invalid version")),
    ("five frames", None, request()[:5], reply(b"400", b"Not enough frames")),
]


def _answer(auth: Any, message: list[bytes]) -> list[list[bytes]]:
    auth.zap_socket = Recorder()
    asyncio.run(auth.handle_zap_message(message))
    sent: list[list[bytes]] = auth.zap_socket.sent
    return sent


@pytest.mark.parametrize(
    ("setup", "message", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_policy_matches_pyzmq(
    setup: Setup | None, message: list[bytes], expected: list[bytes], tmp_path: Path
) -> None:
    """Each request gets pyzmq's reply."""
    ours, theirs = Authenticator(context=object()), pyauth.Authenticator(context=object())  # type: ignore[arg-type]
    if setup is not None:
        setup(ours, tmp_path)
        setup(theirs, tmp_path)
    assert _answer(ours, message) == [expected]
    assert _answer(theirs, message) == [expected]


def test_same_names_as_pyzmq() -> None:
    """purezmq.auth and its modules offer pyzmq's zmq.auth names."""
    import zmq.auth.asyncio
    import zmq.auth.thread

    import purezmq.auth.asyncio
    import purezmq.auth.thread

    expected = [
        (pyauth.base.__all__ + pyauth.certs.__all__, purezmq.auth),
        (zmq.auth.thread.__all__, purezmq.auth.thread),
        (zmq.auth.asyncio.__all__, purezmq.auth.asyncio),
    ]
    for names, ours in expected:
        assert set(names) <= set(dir(ours)), ours.__name__
    for name in [
        "allow",
        "deny",
        "configure_plain",
        "configure_curve",
        "configure_curve_callback",
        "configure_gssapi",
        "curve_user_id",
        "handle_zap_message",
        "start",
        "stop",
    ]:
        assert callable(getattr(Authenticator, name))


def test_allow_and_deny_are_exclusive() -> None:
    """allow() after deny() (or the reverse) is a ValueError."""
    auth = Authenticator(context=object())
    auth.allow("1.2.3.4")
    with pytest.raises(ValueError):
        auth.deny("5.6.7.8")
    auth = Authenticator(context=object())
    auth.deny("1.2.3.4")
    with pytest.raises(ValueError):
        auth.allow("5.6.7.8")


def test_too_short_to_answer(caplog: pytest.LogCaptureFixture) -> None:
    """A request of one frame cannot be answered: it is logged and dropped."""
    with caplog.at_level(logging.ERROR, logger="zmq.auth"):
        assert _answer(Authenticator(context=object()), [b"1.0"]) == []
    assert "Not enough information to reply" in caplog.text


def test_curve_user_id_can_be_overridden() -> None:
    """Subclasses map client keys to their own User-Ids."""

    class Named(Authenticator):
        def curve_user_id(self, client_public_key: bytes) -> str:
            return "key-" + client_public_key[:2].hex()

    auth = Named(context=object())
    auth.configure_curve(location=CURVE_ALLOW_ANY)
    assert _answer(auth, request(b"CURVE", KEY)) == [reply(b"200", b"OK", b"key-0001")]


def test_provider_sees_domain_and_z85_key() -> None:
    """A credentials provider is called with the domain and the Z85 key."""
    provider = Provider(True)
    auth = Authenticator(context=object())
    auth.configure_curve_callback("global", provider)
    _answer(auth, request(b"CURVE", KEY, domain=b"global"))
    assert provider.seen == [("global", z85.encode(KEY))]


def test_configuration_errors_are_logged(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """A missing certificate directory or provider is logged, not raised (as pyzmq)."""
    auth = Authenticator(context=object())
    with caplog.at_level(logging.ERROR, logger="zmq.auth"):
        auth.configure_curve(location=str(tmp_path / "missing"))
        auth.configure_curve_callback("*", None)
    assert "Failed to load CURVE certs" in caplog.text
    assert "None credentials_provider" in caplog.text
    auth.configure_gssapi()  # nothing to configure


def test_certificate_directory_from_create_certificates(tmp_path: Path) -> None:
    """configure_curve reads the public certificates create_certificates writes."""
    pytest.importorskip("nacl.bindings")
    public_file, _ = create_certificates(tmp_path, "client")
    public, _ = load_certificate(public_file)
    auth = Authenticator(context=object())
    auth.configure_curve(location=str(tmp_path))
    key = z85.decode(public)
    assert _answer(auth, request(b"CURVE", key)) == [reply(b"200", b"OK", public)]


# ----------------------------------------------------------------- runners


def _zap_client(ctx: Any) -> Any:
    sock = ctx.socket(purezmq.REQ)
    sock.linger = 0
    sock.rcvtimeo = sock.sndtimeo = 5000
    sock.connect("inproc://zeromq.zap.01")
    return sock


@pytest.fixture
def thread_auth(ctx: purezmq.Context) -> Iterator[ThreadAuthenticator]:
    auth = ThreadAuthenticator(ctx)
    auth.start()
    yield auth
    auth.stop()


def test_thread_authenticator_answers(
    ctx: purezmq.Context, thread_auth: ThreadAuthenticator
) -> None:
    """Requests from a REQ socket get their replies from the authenticator's thread."""
    assert thread_auth.is_alive()
    thread_auth.configure_plain(passwords={"admin": "secret"})
    client = _zap_client(ctx)
    client.send_multipart(request(b"PLAIN", b"admin", b"secret"))
    assert client.recv_multipart() == reply(b"200", b"OK", b"admin")
    client.send_multipart(request(b"PLAIN", b"admin", b"nope"))
    assert client.recv_multipart() == reply(b"400", b"Invalid password")
    client.close()


def test_thread_authenticator_stops(ctx: purezmq.Context) -> None:
    """stop() ends the thread and frees the ZAP endpoint for another handler."""
    auth = ThreadAuthenticator(ctx)
    auth.start()
    thread = auth.thread
    auth.stop()
    assert thread is not None and not thread.is_alive()
    assert not auth.is_alive() and auth.zap_socket is None
    again = ThreadAuthenticator(ctx)
    again.start()
    client = _zap_client(ctx)
    client.send_multipart(request())
    assert client.recv_multipart() == reply(b"200", b"OK", b"anonymous")
    client.close()
    again.stop()


def test_thread_pipe_refuses_unknown_commands(thread_auth: ThreadAuthenticator) -> None:
    """Anything but TERMINATE on the control pipe is answered ERROR."""
    thread_auth.pipe.rcvtimeo = 5000
    thread_auth.pipe.send(b"HELLO")
    assert thread_auth.pipe.recv() == b"ERROR"


def test_asyncio_authenticator_answers() -> None:
    """AsyncioAuthenticator answers on the running loop, here to an asyncio REQ socket."""

    async def scenario() -> list[list[bytes]]:
        ctx = purezmq.asyncio.Context()
        auth = AsyncioAuthenticator(ctx)
        auth.start()
        auth.configure_curve(location=CURVE_ALLOW_ANY)
        client = _zap_client(ctx)
        replies = []
        for message in (request(b"CURVE", KEY), request(b"NULL", address=b"10.0.0.1")):
            await client.send_multipart(message)
            replies.append(await asyncio.wait_for(client.recv_multipart(), 5))
        client.close()
        auth.stop()
        ctx.destroy(linger=0)
        return replies

    assert asyncio.run(scenario()) == [
        reply(b"200", b"OK", z85.encode(KEY)),
        reply(b"200", b"OK", b"anonymous"),
    ]


def test_asyncio_loop_argument_is_deprecated() -> None:
    """As pyzmq: loop= is accepted, ignored, and warned about."""
    with pytest.warns(DeprecationWarning):
        AsyncioAuthenticator(context=object(), loop=object())


def test_default_context_is_the_instance() -> None:
    """Without a context, the authenticator vets Context.instance()'s sockets."""
    assert Authenticator().context is purezmq.Context.instance()
