"""PLAIN and CURVE against libzmq, at the protocol level.

A ZmtpConnection runs over a plain blocking socket (zmtp_driver.Driver) and
talks to a pyzmq socket configured for CURVE or PLAIN: purezmq as client
(connecting to pyzmq's bound socket) and as server (pyzmq connecting to a
socket we accept on), over tcp and ipc. When libzmq is the server, pyzmq's
own ThreadAuthenticator is its ZAP handler; when we are, the test answers
our ZapRequest. Refusals are checked from both ends: our events, and
libzmq's monitor events (HANDSHAKE_FAILED_AUTH with the status code, or
HANDSHAKE_FAILED_PROTOCOL with the ZMTP error code).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq as pyzmq
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils.monitor import recv_monitor_message

from purezmq.utils import z85
from purezmq.zmtp import (
    PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
    AuthenticationFailed,
    ConnectionClosed,
    HandshakeComplete,
    Mechanism,
    NullMechanism,
    PeerError,
    PlainClient,
    PlainServer,
    Pong,
    RemoteProtocolError,
    ZapRequest,
    ZapSettings,
    ZmtpConnection,
    socket_properties,
)

from .support import armed_monitor
from .zmtp_driver import Driver, connect, listen

pytestmark = pytest.mark.interop
TRANSPORTS = ("tcp", "ipc")
TIMEOUT_MS = 5000


def _curve_mechanisms() -> tuple[type[Mechanism], type[Mechanism]]:
    pytest.importorskip("nacl.bindings")
    from purezmq.zmtp import CurveClient, CurveServer

    return CurveClient, CurveServer


@pytest.fixture
def auth(pctx: pyzmq.Context) -> Iterator[ThreadAuthenticator]:
    """pyzmq's ZAP handler in libzmq's context, stopped before the context ends."""
    authenticator = ThreadAuthenticator(pctx)
    authenticator.start()
    yield authenticator
    authenticator.stop()


def _lib(pctx: pyzmq.Context, kind: int, **options: object) -> pyzmq.Socket:
    sock = pctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = sock.sndtimeo = TIMEOUT_MS
    for name, value in options.items():
        setattr(sock, name, value)
    return sock


def _bind(sock: pyzmq.Socket, transport: str, directory: Path) -> str:
    if transport == "tcp":
        sock.bind("tcp://127.0.0.1:*")
    else:
        sock.bind(f"ipc://{directory}/lib.ipc")
    return str(sock.last_endpoint.decode())


def _our_client(
    lib_sock: pyzmq.Socket, transport: str, directory: Path, mechanism: Mechanism
) -> Driver:
    """Our DEALER connected to libzmq's bound socket."""
    endpoint = _bind(lib_sock, transport, directory)
    conn = ZmtpConnection("DEALER", identity=b"pure", mechanism=mechanism)
    return Driver(connect(endpoint), conn)


def _our_server(
    lib_sock: pyzmq.Socket, transport: str, directory: Path, mechanism: Mechanism, zap: object
) -> Driver:
    """Our ROUTER, accepting libzmq's connection."""
    listener, endpoint = listen(transport, directory)
    try:
        lib_sock.connect(endpoint)
        sock, _ = listener.accept()
    finally:
        listener.close()
    return Driver(sock, ZmtpConnection("ROUTER", mechanism=mechanism), zap)  # type: ignore[arg-type]


def _exchange_as_client(driver: Driver, router: pyzmq.Socket) -> pyzmq.Frame:
    """Multipart both ways with libzmq's ROUTER, and a PING answered; libzmq's last frame."""
    assert driver.handshake().properties["Socket-Type"] == b"ROUTER"
    driver.send([b"hello", b"", b"x" * 3000])
    routing_id = router.recv()
    assert routing_id == b"pure"
    frames = [router.recv(copy=False)]
    while frames[-1].more:
        frames.append(router.recv(copy=False))
    assert [f.bytes for f in frames] == [b"hello", b"", b"x" * 3000]
    router.send_multipart([b"pure", b"reply", b"y" * 70000])
    assert driver.recv() == [b"reply", b"y" * 70000]
    driver.conn.send_ping(0, b"ctx")
    driver.wait_for(lambda: Pong(b"ctx") in driver.events)
    return frames[-1]


def _exchange_as_server(driver: Driver, dealer: pyzmq.Socket) -> None:
    """Multipart both ways with libzmq's DEALER, and a PING answered."""
    assert driver.handshake().properties["Socket-Type"] == b"DEALER"
    dealer.send_multipart([b"a", b"b" * 300])
    assert driver.recv() == [b"a", b"b" * 300]
    driver.send([b"c", b"", b"d" * 70000])
    assert dealer.recv_multipart() == [b"c", b"", b"d" * 70000]
    driver.conn.send_ping(0, b"p")
    driver.wait_for(lambda: Pong(b"p") in driver.events)


def _monitor_value(monitor: pyzmq.Socket, event: int) -> int:
    """The value of libzmq's next `event` on `monitor` (others are skipped)."""
    while True:
        message = recv_monitor_message(monitor)  # rcvtimeo bounds the wait
        if message["event"] == event:
            return int(message["value"])


# ----------------------------------------------------------------------- CURVE


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_curve_client_to_libzmq_server(pctx: pyzmq.Context, tmp_path: Path, transport: str) -> None:
    """Our CURVE client completes libzmq's handshake and exchanges messages (no ZAP handler)."""
    client_cls, _ = _curve_mechanisms()
    server_public, server_secret = pyzmq.curve_keypair()
    public, secret = pyzmq.curve_keypair()
    router = _lib(
        pctx,
        pyzmq.ROUTER,
        curve_server=True,
        curve_secretkey=server_secret,
        curve_publickey=server_public,
    )
    mechanism = client_cls(
        socket_properties("DEALER", b"pure"),
        public_key=z85.decode(public),
        secret_key=z85.decode(secret),
        server_key=z85.decode(server_public),
    )
    driver = _our_client(router, transport, tmp_path, mechanism)
    try:
        _exchange_as_client(driver, router)
    finally:
        driver.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_curve_server_for_libzmq_client(
    pctx: pyzmq.Context, tmp_path: Path, transport: str
) -> None:
    """libzmq's CURVE client completes our handshake; our ZAP request carries its key."""
    _, server_cls = _curve_mechanisms()
    server_public, server_secret = pyzmq.curve_keypair()
    public, secret = pyzmq.curve_keypair()
    dealer = _lib(
        pctx,
        pyzmq.DEALER,
        curve_serverkey=server_public,
        curve_publickey=public,
        curve_secretkey=secret,
    )
    requests: list[ZapRequest] = []

    def handler(request: ZapRequest) -> list[bytes]:
        requests.append(request)
        return [b"1.0", request.frames[1], b"200", b"OK", b"lib-client", b""]

    mechanism = server_cls(
        socket_properties("ROUTER"),
        secret_key=z85.decode(server_secret),
        zap=ZapSettings(domain=b"global", address=b"127.0.0.1"),
    )
    driver = _our_server(dealer, transport, tmp_path, mechanism, handler)
    try:
        _exchange_as_server(driver, dealer)
    finally:
        driver.close()
    [request] = requests
    assert request.frames[2:] == (b"global", b"127.0.0.1", b"", b"CURVE", z85.decode(public))
    assert driver.conn.peer_user_id == b"lib-client"


def test_libzmq_authenticator_admits_our_key(
    pctx: pyzmq.Context, auth: ThreadAuthenticator, tmp_path: Path
) -> None:
    """libzmq asks pyzmq's authenticator about our client key; its User-Id reaches messages."""
    client_cls, _ = _curve_mechanisms()
    server_public, server_secret = pyzmq.curve_keypair()
    certs = tmp_path / "certs"
    certs.mkdir()
    _, secret_file = pyzmq.auth.create_certificates(str(certs), "client")
    public, secret = pyzmq.auth.load_certificate(secret_file)
    assert secret is not None
    auth.configure_curve(domain="*", location=str(certs))
    router = _lib(
        pctx,
        pyzmq.ROUTER,
        curve_server=True,
        curve_secretkey=server_secret,
        curve_publickey=server_public,
    )
    mechanism = client_cls(
        socket_properties("DEALER", b"pure"),
        public_key=z85.decode(public),
        secret_key=z85.decode(secret),
        server_key=z85.decode(server_public),
    )
    driver = _our_client(router, "tcp", tmp_path, mechanism)
    try:
        last = _exchange_as_client(driver, router)
    finally:
        driver.close()
    assert last.get("User-Id") == public.decode()


def test_libzmq_authenticator_refuses_unknown_key(
    pctx: pyzmq.Context, auth: ThreadAuthenticator, tmp_path: Path
) -> None:
    """A key missing from the authenticator's certificates: libzmq sends ERROR "400"."""
    client_cls, _ = _curve_mechanisms()
    server_public, server_secret = pyzmq.curve_keypair()
    public, secret = pyzmq.curve_keypair()
    certs = tmp_path / "certs"
    certs.mkdir()
    pyzmq.auth.create_certificates(str(certs), "someone-else")
    auth.configure_curve(domain="*", location=str(certs))
    router = _lib(
        pctx,
        pyzmq.ROUTER,
        curve_server=True,
        curve_secretkey=server_secret,
        curve_publickey=server_public,
    )
    mechanism = client_cls(
        socket_properties("DEALER"),
        public_key=z85.decode(public),
        secret_key=z85.decode(secret),
        server_key=z85.decode(server_public),
    )
    driver = _our_client(router, "tcp", tmp_path, mechanism)
    try:
        driver.wait_closed()
    finally:
        driver.close()
    assert driver.events == [
        AuthenticationFailed(400, "400", by_peer=True),
        PeerError("400"),
        ConnectionClosed(),
    ]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_wrong_server_key_refused_by_libzmq(
    pctx: pyzmq.Context, tmp_path: Path, transport: str
) -> None:
    """Our client with a wrong server key: libzmq cannot open HELLO (CRYPTOGRAPHIC), hangs up."""
    client_cls, _ = _curve_mechanisms()
    server_public, server_secret = pyzmq.curve_keypair()
    wrong_public, _ = pyzmq.curve_keypair()
    public, secret = pyzmq.curve_keypair()
    router = _lib(
        pctx,
        pyzmq.ROUTER,
        curve_server=True,
        curve_secretkey=server_secret,
        curve_publickey=server_public,
    )
    monitor = armed_monitor(router)
    mechanism = client_cls(
        socket_properties("DEALER"),
        public_key=z85.decode(public),
        secret_key=z85.decode(secret),
        server_key=z85.decode(wrong_public),
    )
    driver = _our_client(router, transport, tmp_path, mechanism)
    try:
        driver.wait_closed()
    finally:
        driver.close()
    assert not any(isinstance(event, HandshakeComplete) for event in driver.events)
    code = _monitor_value(monitor, pyzmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
    assert code == PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC


def test_libzmq_client_with_wrong_server_key_refused(pctx: pyzmq.Context, tmp_path: Path) -> None:
    """libzmq's client with the wrong server key: our server cannot open its HELLO."""
    _, server_cls = _curve_mechanisms()
    _, server_secret = pyzmq.curve_keypair()
    wrong_public, _ = pyzmq.curve_keypair()
    public, secret = pyzmq.curve_keypair()
    dealer = _lib(
        pctx,
        pyzmq.DEALER,
        curve_serverkey=wrong_public,
        curve_publickey=public,
        curve_secretkey=secret,
    )
    mechanism = server_cls(socket_properties("ROUTER"), secret_key=z85.decode(server_secret))
    driver = _our_server(dealer, "tcp", tmp_path, mechanism, None)
    try:
        with pytest.raises(RemoteProtocolError) as info:
            driver.handshake()
    finally:
        driver.close()
    assert info.value.code == PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC


def test_we_refuse_libzmq_curve_client(pctx: pyzmq.Context, tmp_path: Path) -> None:
    """Our ZAP 400 reaches libzmq as an ERROR it reports as HANDSHAKE_FAILED_AUTH 400."""
    _, server_cls = _curve_mechanisms()
    server_public, server_secret = pyzmq.curve_keypair()
    public, secret = pyzmq.curve_keypair()
    dealer = _lib(
        pctx,
        pyzmq.DEALER,
        curve_serverkey=server_public,
        curve_publickey=public,
        curve_secretkey=secret,
    )
    monitor = armed_monitor(dealer)
    mechanism = server_cls(socket_properties("ROUTER"), secret_key=z85.decode(server_secret))
    refuse = lambda request: [b"1.0", request.frames[1], b"400", b"No", b"", b""]  # noqa: E731
    driver = _our_server(dealer, "tcp", tmp_path, mechanism, refuse)
    try:
        driver.wait_closed()
    finally:
        driver.close()
    assert driver.events[1:] == [AuthenticationFailed(400, "No"), ConnectionClosed()]
    assert _monitor_value(monitor, pyzmq.EVENT_HANDSHAKE_FAILED_AUTH) == 400


# ----------------------------------------------------------------------- PLAIN


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_plain_client_to_libzmq_server(
    pctx: pyzmq.Context, auth: ThreadAuthenticator, tmp_path: Path, transport: str
) -> None:
    """Our PLAIN client passes pyzmq's authenticator; its user name is the messages' User-Id."""
    auth.configure_plain(domain="*", passwords={"admin": "secret"})
    router = _lib(pctx, pyzmq.ROUTER, plain_server=True)
    mechanism = PlainClient(
        socket_properties("DEALER", b"pure"), username=b"admin", password=b"secret"
    )
    driver = _our_client(router, transport, tmp_path, mechanism)
    try:
        last = _exchange_as_client(driver, router)
    finally:
        driver.close()
    assert last.get("User-Id") == "admin"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_plain_server_for_libzmq_client(
    pctx: pyzmq.Context, tmp_path: Path, transport: str
) -> None:
    """libzmq's PLAIN client completes our handshake; our ZAP request carries its credentials."""
    dealer = _lib(pctx, pyzmq.DEALER, plain_username=b"bob", plain_password=b"hunter2")

    def handler(request: ZapRequest) -> list[bytes]:
        assert request.frames[5:] == (b"PLAIN", b"bob", b"hunter2")
        return [b"1.0", request.frames[1], b"200", b"OK", b"bob", b""]

    mechanism = PlainServer(socket_properties("ROUTER"), zap=ZapSettings(address=b"127.0.0.1"))
    driver = _our_server(dealer, transport, tmp_path, mechanism, handler)
    try:
        _exchange_as_server(driver, dealer)
    finally:
        driver.close()
    assert driver.conn.peer_user_id == b"bob"


def test_wrong_password_refused_by_libzmq(
    pctx: pyzmq.Context, auth: ThreadAuthenticator, tmp_path: Path
) -> None:
    """pyzmq's authenticator refuses a bad password; libzmq's ERROR "400" reaches us."""
    auth.configure_plain(domain="*", passwords={"admin": "secret"})
    router = _lib(pctx, pyzmq.ROUTER, plain_server=True)
    monitor = armed_monitor(router)
    mechanism = PlainClient(socket_properties("DEALER"), username=b"admin", password=b"guess")
    driver = _our_client(router, "tcp", tmp_path, mechanism)
    try:
        driver.wait_closed()
    finally:
        driver.close()
    assert driver.events == [
        AuthenticationFailed(400, "400", by_peer=True),
        PeerError("400"),
        ConnectionClosed(),
    ]
    assert _monitor_value(monitor, pyzmq.EVENT_HANDSHAKE_FAILED_AUTH) == 400


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_we_refuse_libzmq_plain_client(pctx: pyzmq.Context, tmp_path: Path, transport: str) -> None:
    """Our refusal of a bad password: libzmq reports HANDSHAKE_FAILED_AUTH with our status code."""
    dealer = _lib(pctx, pyzmq.DEALER, plain_username=b"bob", plain_password=b"wrong")
    monitor = armed_monitor(dealer)
    mechanism = PlainServer(socket_properties("ROUTER"))
    refuse = lambda request: [b"1.0", request.frames[1], b"500", b"Oops", b"", b""]  # noqa: E731
    driver = _our_server(dealer, transport, tmp_path, mechanism, refuse)
    try:
        driver.wait_closed()
    finally:
        driver.close()
    assert driver.events[1:] == [AuthenticationFailed(500, "Oops"), ConnectionClosed()]
    assert _monitor_value(monitor, pyzmq.EVENT_HANDSHAKE_FAILED_AUTH) == 500


def test_rfc_error_form_confuses_libzmq(pctx: pyzmq.Context, tmp_path: Path) -> None:
    """Why PlainServer sends libzmq's "^RROR" by default: an RFC 37 ERROR is, to a libzmq
    4.3 PLAIN client, an unexpected command rather than a refusal with a status code."""
    dealer = _lib(pctx, pyzmq.DEALER, plain_username=b"bob", plain_password=b"wrong")
    monitor = armed_monitor(dealer)
    mechanism = PlainServer(socket_properties("ROUTER"), rfc_error=True)
    refuse = lambda request: [b"1.0", request.frames[1], b"400", b"No", b"", b""]  # noqa: E731
    driver = _our_server(dealer, "tcp", tmp_path, mechanism, refuse)
    try:
        driver.wait_closed()
    finally:
        driver.close()
    code = _monitor_value(monitor, pyzmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
    assert code == pyzmq.PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND


# ------------------------------------------------------------ NULL with ZAP


@pytest.mark.parametrize("denied", [False, True])
def test_null_client_vetted_by_libzmq(
    pctx: pyzmq.Context, auth: ThreadAuthenticator, tmp_path: Path, denied: bool
) -> None:
    """libzmq's NULL server with a ZAP domain asks pyzmq's authenticator about us."""
    if denied:
        auth.deny("127.0.0.1")
    router = _lib(pctx, pyzmq.ROUTER, zap_domain=b"global")
    driver = _our_client(
        router, "tcp", tmp_path, NullMechanism(socket_properties("DEALER", b"pure"))
    )
    try:
        if denied:
            driver.wait_closed()
        else:
            _exchange_as_client(driver, router)
    finally:
        driver.close()
    if denied:
        assert driver.events == [
            AuthenticationFailed(400, "400", by_peer=True),
            PeerError("400"),
            ConnectionClosed(),
        ]


@pytest.mark.parametrize("status", [b"200", b"400"])
def test_null_server_asks_zap_about_libzmq(
    pctx: pyzmq.Context, tmp_path: Path, status: bytes
) -> None:
    """Our NULL server with a ZAP domain asks before READY; libzmq sees admission or refusal."""
    dealer = _lib(pctx, pyzmq.DEALER)
    monitor = armed_monitor(dealer)
    requests: list[ZapRequest] = []

    def handler(request: ZapRequest) -> list[bytes]:
        requests.append(request)
        return [b"1.0", request.frames[1], status, b"text", b"u", b""]

    zap = ZapSettings(domain=b"global", address=b"127.0.0.1")
    mechanism = NullMechanism(socket_properties("ROUTER"), as_server=True, zap=zap)
    driver = _our_server(dealer, "tcp", tmp_path, mechanism, handler)
    try:
        if status == b"200":
            _exchange_as_server(driver, dealer)
        else:
            driver.wait_closed()
    finally:
        driver.close()
    assert requests[0].frames[2:] == (b"global", b"127.0.0.1", b"", b"NULL")
    if status == b"400":
        assert _monitor_value(monitor, pyzmq.EVENT_HANDSHAKE_FAILED_AUTH) == 400


def test_ipc_paths_are_short(tmp_path: Path) -> None:
    """Self-check: tmp_path leaves room for the ipc endpoints used above (107 octets)."""
    assert len(os.fsencode(tmp_path / "lib.ipc")) < 107
