"""PLAIN (RFC 24): the exchange octet by octet, ZAP's verdicts, and every refusal.

Bytes come from RFC 24's grammar; error codes from libzmq 4.3's
plain_client.cpp / plain_server.cpp. Each handshake runs whole, byte by byte
and at random splits.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from purezmq.zmtp import (
    PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME,
    PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    AuthenticationFailed,
    ConnectionClosed,
    HandshakeComplete,
    LocalProtocolError,
    NullMechanism,
    PeerError,
    PlainClient,
    PlainServer,
    RemoteProtocolError,
    State,
    ZapRequest,
    ZapSettings,
    ZmtpConnection,
)
from tests.helpers.peer_pair import SPLIT_MODES, PeerPair, command, feed_in, greeting, ready
from tests.helpers.secure_pair import exchange, props, zap_reply

ZAP = ZapSettings(domain=b"global", address=b"10.0.0.7", routing_id=b"srv")
PLAIN_HELLO = command(b"HELLO", b"\x05admin\x06secret")
WELCOME = command(b"WELCOME")
INITIATE_DEALER = command(
    b"INITIATE", b"\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00"
)


def _client(username: bytes = b"admin", password: bytes = b"secret") -> ZmtpConnection:
    mechanism = PlainClient(props("DEALER"), username=username, password=password)
    return ZmtpConnection("DEALER", mechanism=mechanism)


def _server(zap: ZapSettings = ZAP) -> ZmtpConnection:
    return ZmtpConnection("ROUTER", mechanism=PlainServer(props("ROUTER"), zap=zap))


def _pair(username: bytes = b"admin", password: bytes = b"secret") -> PeerPair:
    return PeerPair(_client(username, password), _server())


# ------------------------------------------------------------ octet by octet


def test_client_sends_greeting_and_hello() -> None:
    """The client announces PLAIN as a client and sends HELLO with both fields at once."""
    conn = _client()
    assert conn.data_to_send() == greeting(mechanism=b"PLAIN")
    conn.receive_data(greeting(mechanism=b"PLAIN", as_server=True))
    assert conn.next_events() == []
    assert conn.data_to_send() == PLAIN_HELLO


@pytest.mark.parametrize("mode", SPLIT_MODES)
def test_client_side_of_the_exchange(mode: str) -> None:
    """WELCOME makes the client send INITIATE with its metadata; READY completes."""
    conn = _client()
    peer = greeting(mechanism=b"PLAIN", as_server=True) + WELCOME + ready("ROUTER")
    events, error = feed_in(conn, peer, mode)
    assert error is None
    assert events == [HandshakeComplete((3, 1), {"Socket-Type": b"ROUTER"})]
    assert conn.data_to_send() == greeting(mechanism=b"PLAIN") + PLAIN_HELLO + INITIATE_DEALER


@pytest.mark.parametrize("mode", SPLIT_MODES)
def test_server_side_of_the_exchange(mode: str) -> None:
    """The server asks ZAP with the credentials, WELCOMEs on 200, READYs after INITIATE."""
    conn = _server()
    assert conn.data_to_send() == greeting(mechanism=b"PLAIN", as_server=True)
    events, error = feed_in(conn, greeting(mechanism=b"PLAIN") + PLAIN_HELLO, mode)
    assert error is None
    frames = (b"1.0", b"1", b"global", b"10.0.0.7", b"srv", b"PLAIN", b"admin", b"secret")
    assert events == [ZapRequest(frames)]
    assert conn.data_to_send() == b""
    conn.zap_reply(zap_reply(user_id=b"admin-id"))
    assert conn.next_events() == []
    assert conn.data_to_send() == WELCOME
    events, error = feed_in(conn, INITIATE_DEALER, mode)
    assert events == [HandshakeComplete((3, 1), {"Socket-Type": b"DEALER", "Identity": b""})]
    assert conn.data_to_send() == command(
        b"READY", b"\x0bSocket-Type\x00\x00\x00\x06ROUTER\x08Identity\x00\x00\x00\x00"
    )
    assert conn.peer_user_id == b"admin-id"


@pytest.mark.parametrize("mode", SPLIT_MODES)
def test_pair_handshake_and_messages(mode: str) -> None:
    """Two PLAIN peers complete the handshake and carry multipart messages both ways."""
    pair = _pair()
    left, right = exchange(pair, mode, reply=zap_reply(user_id=b"u1"), seed=3)
    assert left == [HandshakeComplete((3, 1), {"Socket-Type": b"ROUTER", "Identity": b""})]
    assert isinstance(right[0], ZapRequest)
    assert right[1:] == [HandshakeComplete((3, 1), {"Socket-Type": b"DEALER", "Identity": b""})]
    pair.left.send_message([b"a", b"b" * 300])
    pair.right.send_messages([[b"c"], [b"", b"d"]])
    assert exchange(pair, mode, seed=5) == ([[b"c"], [b"", b"d"]], [[b"a", b"b" * 300]])
    assert pair.right.peer_user_id == b"u1"
    assert pair.left.peer_user_id is None


def test_empty_credentials() -> None:
    """Empty user name and password are legal (0 to 255 octets each)."""
    conn = _client(b"", b"")
    conn.receive_data(greeting(mechanism=b"PLAIN", as_server=True))
    conn.next_events()
    assert conn.data_to_send().endswith(command(b"HELLO", b"\x00\x00"))


def test_over_long_credentials_are_refused_locally() -> None:
    """A user name or password over 255 octets cannot be sent."""
    with pytest.raises(LocalProtocolError):
        PlainClient(props("REQ"), username=b"u" * 256)
    with pytest.raises(LocalProtocolError):
        PlainClient(props("REQ"), password=b"p" * 256)


# ---------------------------------------------------------------- ZAP verdicts


@pytest.mark.parametrize("mode", SPLIT_MODES)
def test_bad_password_refused_on_both_sides(mode: str) -> None:
    """ZAP 400: the server sends ERROR "400" and closes; the client reports the status code."""
    pair = _pair(password=b"wrong")
    left, right = exchange(pair, mode, reply=zap_reply(b"400", b"Invalid password", b""))
    assert right[1:] == [AuthenticationFailed(400, "Invalid password"), ConnectionClosed()]
    assert left == [
        AuthenticationFailed(400, "400", by_peer=True),
        PeerError("400"),
        ConnectionClosed(),
    ]
    assert pair.left.state is pair.right.state is State.CLOSED


@pytest.mark.parametrize(
    ("rfc_error", "wire"),
    [(False, b"\x04\x09^RROR\x03400"), (True, b"\x04\x0a\x05ERROR\x03400")],
    ids=["libzmq form", "RFC form"],
)
def test_refusal_wire_form(rfc_error: bool, wire: bytes) -> None:
    """The server's ERROR is libzmq 4.3's "^RROR" form by default, RFC 37's on request."""
    conn = ZmtpConnection("ROUTER", mechanism=PlainServer(props("ROUTER"), rfc_error=rfc_error))
    feed_in(conn, greeting(mechanism=b"PLAIN") + PLAIN_HELLO, "whole")
    conn.data_to_send()
    conn.zap_reply(zap_reply(b"400", b"no", b""))
    conn.next_events()
    assert conn.data_to_send() == wire


@pytest.mark.parametrize("mode", SPLIT_MODES)
@pytest.mark.parametrize(
    "refusal", [b"\x04\x09^RROR\x03400", b"\x04\x0a\x05ERROR\x03400"], ids=["libzmq", "RFC"]
)
def test_client_reads_both_error_forms(refusal: bytes, mode: str) -> None:
    """The client takes libzmq 4.3's malformed "^RROR" refusal as the ERROR it means."""
    conn = _client()
    events, error = feed_in(conn, greeting(mechanism=b"PLAIN", as_server=True) + refusal, mode)
    assert error is None
    assert events == [
        AuthenticationFailed(400, "400", by_peer=True),
        PeerError("400"),
        ConnectionClosed(),
    ]


def test_libzmq_error_form_is_checked_like_an_error() -> None:
    """A "^RROR" whose reason overruns it is MALFORMED_COMMAND_ERROR, as libzmq's client says."""
    conn = _client()
    peer = greeting(mechanism=b"PLAIN", as_server=True) + b"\x04\x08^RROR\x05ab"
    _, error = feed_in(conn, peer, "whole")
    assert error is not None and error.code == PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR


def test_temporary_failure_closes_silently() -> None:
    """ZAP 300: no ERROR is sent (libzmq), the server still reports the status code."""
    conn = _server()
    feed_in(conn, greeting(mechanism=b"PLAIN") + PLAIN_HELLO, "whole")
    conn.data_to_send()
    conn.zap_reply(zap_reply(b"300", b"try later", b""))
    assert conn.next_events() == [AuthenticationFailed(300, "try later"), ConnectionClosed()]
    assert conn.data_to_send() == b""


@pytest.mark.parametrize("enforce", [False, True])
def test_no_zap_handler_refuses(enforce: bool) -> None:
    """libzmq 4.3: PLAIN without a ZAP handler authenticates nobody, enforced or not."""
    conn = _server(ZapSettings(domain=b"x", enforce_domain=enforce))
    feed_in(conn, greeting(mechanism=b"PLAIN") + PLAIN_HELLO, "whole")
    conn.data_to_send()
    conn.zap_unavailable()
    assert conn.next_events() == [AuthenticationFailed(0, "no ZAP handler"), ConnectionClosed()]
    assert conn.data_to_send() == b""


# ------------------------------------------------------------------- refusals


def _server_error(peer: bytes, mode: str = "whole", *, admit: bool = False) -> int:
    """The code a PLAIN server fails with after `peer` (past its greeting)."""
    conn = _server()
    events, error = feed_in(conn, greeting(mechanism=b"PLAIN") + PLAIN_HELLO, mode)
    if admit:
        conn.zap_reply(zap_reply())
        conn.next_events()
    events, error = feed_in(conn, peer, mode)
    assert error is not None, events
    assert conn.state is State.ERROR
    return error.code


HELLO_CASES = [
    ("no username octet", b"", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO),
    ("username truncated", b"\x05adm", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO),
    ("no password octet", b"\x05admin", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO),
    ("password truncated", b"\x05admin\x06sec", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO),
    ("extra data", b"\x05admin\x06secret!", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO),
]


@pytest.mark.parametrize("mode", SPLIT_MODES)
@pytest.mark.parametrize(
    ("data", "code"), [c[1:] for c in HELLO_CASES], ids=[c[0] for c in HELLO_CASES]
)
def test_malformed_hello(data: bytes, code: int, mode: str) -> None:
    """HELLO fields must fill the command exactly."""
    conn = _server()
    events, error = feed_in(conn, greeting(mechanism=b"PLAIN") + command(b"HELLO", data), mode)
    assert events == []
    assert error is not None and error.code == code


SERVER_CASES = [
    (
        "READY first",
        greeting(mechanism=b"PLAIN") + ready("DEALER"),
        PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    ),
    (
        "INITIATE first",
        greeting(mechanism=b"PLAIN") + INITIATE_DEALER,
        PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    ),
    (
        "not a command",
        greeting(mechanism=b"PLAIN") + b"\x04\x01\x09",
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    ),
]


@pytest.mark.parametrize(
    ("peer", "code"), [c[1:] for c in SERVER_CASES], ids=[c[0] for c in SERVER_CASES]
)
def test_server_refuses_out_of_turn(peer: bytes, code: int) -> None:
    """A server expects HELLO first."""
    conn = _server()
    _, error = feed_in(conn, peer, "whole")
    assert error is not None and error.code == code


def test_command_while_waiting_for_zap() -> None:
    """Anything during the ZAP wait is libzmq's default branch: ZMTP_UNSPECIFIED."""
    assert _server_error(INITIATE_DEALER) == PROTOCOL_ERROR_ZMTP_UNSPECIFIED


@pytest.mark.parametrize(
    ("peer", "code"),
    [
        (PLAIN_HELLO, PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND),
        (command(b"INITIATE", b"\x0bSocket-Type"), PROTOCOL_ERROR_ZMTP_INVALID_METADATA),
    ],
)
def test_server_refuses_after_welcome(peer: bytes, code: int) -> None:
    """After WELCOME only a well-formed INITIATE will do."""
    assert _server_error(peer, admit=True) == code


CLIENT_CASES = [
    ("WELCOME with data", command(b"WELCOME", b"x"), PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME),
    ("READY before WELCOME", ready("ROUTER"), PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND),
    ("second WELCOME", WELCOME + WELCOME, PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND),
    ("HELLO to a client", PLAIN_HELLO, PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND),
    ("truncated ERROR", command(b"ERROR", b"\x05ab"), PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR),
    (
        "bad READY metadata",
        WELCOME + command(b"READY", b"\x00"),
        PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    ),
    ("PING after READY", WELCOME + ready("ROUTER") + command(b"PING", b"\x00\x00"), None),
]


@pytest.mark.parametrize("mode", SPLIT_MODES)
@pytest.mark.parametrize(
    ("peer", "code"), [c[1:] for c in CLIENT_CASES], ids=[c[0] for c in CLIENT_CASES]
)
def test_client_refusals(peer: bytes, code: int | None, mode: str) -> None:
    """A client takes WELCOME, then READY, or an ERROR in between; nothing else."""
    conn = _client()
    _, error = feed_in(conn, greeting(mechanism=b"PLAIN", as_server=True) + peer, mode)
    if code is None:
        assert error is None and conn.state is State.READY
    else:
        assert error is not None and error.code == code


def test_error_instead_of_welcome() -> None:
    """A server's ERROR ends the client's handshake with the reason."""
    conn = _client()
    peer = greeting(mechanism=b"PLAIN", as_server=True) + command(b"ERROR", b"\x04nope")
    events, error = feed_in(conn, peer, "whole")
    assert error is None
    assert events == [PeerError("nope"), ConnectionClosed()]


@pytest.mark.parametrize("other", [b"NULL", b"CURVE"])
def test_mechanism_mismatch(other: bytes) -> None:
    """PLAIN against NULL or CURVE fails at the greeting (libzmq: MECHANISM_MISMATCH)."""
    for conn in (_client(), _server()):
        _, error = feed_in(conn, greeting(mechanism=other, as_server=True), "whole")
        assert error is not None and error.code == PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH


def test_null_client_against_plain_server() -> None:
    """A NULL peer and a PLAIN peer both refuse each other."""
    pair = PeerPair(ZmtpConnection("DEALER", mechanism=NullMechanism(props("DEALER"))), _server())
    with pytest.raises(RemoteProtocolError) as info:
        exchange(pair)
    assert info.value.code == PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH


def test_two_clients_fail_on_hello() -> None:
    """As-server is not checked (libzmq); two clients refuse each other's HELLO."""
    pair = PeerPair(_client(), _client())
    with pytest.raises(RemoteProtocolError) as info:
        exchange(pair)
    assert info.value.code == PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND


# --------------------------------------------------------------- hypothesis

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PREFIXES = [
    greeting(mechanism=b"PLAIN"),
    greeting(mechanism=b"PLAIN") + PLAIN_HELLO,
    greeting(mechanism=b"PLAIN")[:20],
]


@FUZZ
@given(st.sampled_from(PREFIXES), st.binary(max_size=200), st.booleans(), st.booleans())
def test_arbitrary_bytes_mid_handshake(prefix: bytes, tail: bytes, admit: bool, eof: bool) -> None:
    """A PLAIN server fed garbage ends in events, NEED_DATA or RemoteProtocolError only."""
    conn = _server()
    try:
        conn.receive_data(prefix)
        conn.next_events()
        if admit and conn.zap_pending:
            conn.zap_reply(zap_reply())
        for piece in (tail[: len(tail) // 2], tail[len(tail) // 2 :]):
            if piece:  # b"" would mean EOF
                conn.receive_data(piece)
                conn.next_events()
        if eof:
            conn.receive_data(b"")
            conn.next_events()
    except RemoteProtocolError as error:
        assert conn.state is State.ERROR
        assert error.code >= 0x10000000
