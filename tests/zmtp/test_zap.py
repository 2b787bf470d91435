"""ZAP (RFC 27): the request/reply codec and the connection-level protocol.

The codec cases are RFC 27's frames; the reply checks follow libzmq's order and
codes (src/zap_client.cpp). The connection cases run NULL with a ZAP domain
(libzmq's null_mechanism asks then), and a handshake ERROR carrying a status
code, which libzmq reports as an authentication failure on the refused side.
"""

from __future__ import annotations

import sys

import pytest

from purezmq.zmtp import (
    PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID,
    PROTOCOL_ERROR_ZAP_BAD_VERSION,
    PROTOCOL_ERROR_ZAP_INVALID_METADATA,
    PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE,
    PROTOCOL_ERROR_ZAP_MALFORMED_REPLY,
    AuthenticationFailed,
    ConnectionClosed,
    CurveClient,
    CurveServer,
    CurveUnavailableError,
    HandshakeComplete,
    LocalProtocolError,
    NullMechanism,
    PeerError,
    RemoteProtocolError,
    State,
    ZapRequest,
    ZapSettings,
    ZmtpConnection,
)
from purezmq.zmtp.mechanisms.zap import ZapExchange, build_request, parse_reply, status_code
from tests.helpers.peer_pair import SPLIT_MODES, PeerPair, command, feed_in, greeting, ready
from tests.helpers.secure_pair import exchange, props, zap_reply

SETTINGS = ZapSettings(domain=b"global", address=b"127.0.0.1", routing_id=b"R1")


# ------------------------------------------------------------------ codec


@pytest.mark.parametrize(
    ("mechanism", "credentials", "frames"),
    [
        (b"NULL", (), [b"1.0", b"1", b"global", b"127.0.0.1", b"R1", b"NULL"]),
        (
            b"PLAIN",
            (b"u", b"p"),
            [b"1.0", b"1", b"global", b"127.0.0.1", b"R1", b"PLAIN", b"u", b"p"],
        ),
        (
            b"CURVE",
            (b"K" * 32,),
            [b"1.0", b"1", b"global", b"127.0.0.1", b"R1", b"CURVE", b"K" * 32],
        ),
    ],
)
def test_request_frames(
    mechanism: bytes, credentials: tuple[bytes, ...], frames: list[bytes]
) -> None:
    """A request is version, request id, domain, address, identity, mechanism, credentials."""
    assert build_request(SETTINGS, mechanism, credentials) == frames


def test_reply_fields() -> None:
    """A good reply gives its status code, text, user id and metadata."""
    reply = parse_reply(zap_reply(b"200", b"OK", b"bob", {"Hello": b"World"}))
    assert (reply.status_code, reply.status_text, reply.user_id) == (200, "OK", b"bob")
    assert reply.properties == {"Hello": b"World"}


BAD_REPLIES = [
    ("five frames", zap_reply()[:5], PROTOCOL_ERROR_ZAP_MALFORMED_REPLY),
    ("with envelope", [b"", *zap_reply()], PROTOCOL_ERROR_ZAP_MALFORMED_REPLY),
    ("version", zap_reply(version=b"2.0"), PROTOCOL_ERROR_ZAP_BAD_VERSION),
    ("request id", zap_reply(request_id=b"2"), PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID),
    ("status 201", zap_reply(b"201"), PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE),
    ("status 600", zap_reply(b"600"), PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE),
    ("status 20", zap_reply(b"20"), PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE),
    ("metadata", [*zap_reply()[:5], b"\x05Hello\x00\x00"], PROTOCOL_ERROR_ZAP_INVALID_METADATA),
]


@pytest.mark.parametrize(
    ("frames", "code"), [c[1:] for c in BAD_REPLIES], ids=[c[0] for c in BAD_REPLIES]
)
def test_bad_replies(frames: list[bytes], code: int) -> None:
    """Each fault of a reply is refused with libzmq's code, checked in libzmq's order."""
    with pytest.raises(RemoteProtocolError) as info:
        parse_reply(frames)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (b"200", 200),
        (b"300", 300),
        ("400", 400),
        (b"500", 500),
        (b"404", None),
        (b"4000", None),
        (b"abc", None),
        (b"", None),
    ],
)
def test_status_code(text: bytes | str, code: int | None) -> None:
    """Only 200, 300, 400 and 500 are status codes (RFC 27)."""
    assert status_code(text) == code


def test_exchange_asks_once_and_takes_one_reply() -> None:
    """One request per connection; a reply with nothing pending is the caller's mistake."""
    zap = ZapExchange(SETTINGS, b"NULL")
    with pytest.raises(LocalProtocolError):
        zap.take_reply(zap_reply())
    zap.ask()
    assert zap.take_request() is not None
    assert zap.take_request() is None
    with pytest.raises(LocalProtocolError):
        zap.ask()
    assert zap.take_reply(zap_reply()).status_code == 200
    with pytest.raises(LocalProtocolError):
        zap.give_up()
    assert "NULL pending=False" in repr(zap)


# -------------------------------------------------- NULL with a ZAP domain


def _null_server(zap: ZapSettings | None = SETTINGS) -> ZmtpConnection:
    return ZmtpConnection("REP", mechanism=NullMechanism(props("REP"), zap=zap))


def _asked(conn: ZmtpConnection, mode: str = "whole") -> list[object]:
    """Feed the peer's greeting and READY; return the events (the request among them)."""
    events, error = feed_in(conn, greeting() + ready("REQ"), mode)
    assert error is None
    return events


@pytest.mark.parametrize("mode", SPLIT_MODES)
def test_null_asks_zap_and_waits(mode: str) -> None:
    """With a domain, NULL asks ZAP right after the greeting and sends READY only once admitted."""
    conn = _null_server()
    conn.data_to_send()
    events = _asked(conn, mode)
    assert events == [ZapRequest((b"1.0", b"1", b"global", b"127.0.0.1", b"R1", b"NULL"))]
    assert conn.zap_pending
    assert conn.data_to_send() == b""
    conn.zap_reply(zap_reply(user_id=b"carol", metadata={"X-Team": b"blue"}))
    assert not conn.zap_pending
    assert conn.next_events() == [HandshakeComplete((3, 1), {"Socket-Type": b"REQ"})]
    assert conn.data_to_send() == command(b"READY", b"\x0bSocket-Type\x00\x00\x00\x03REP")
    assert conn.peer_user_id == b"carol"
    assert conn.zap_properties == {"User-Id": b"carol", "X-Team": b"blue"}


def test_null_without_domain_asks_nothing() -> None:
    """NULL asks ZAP only when the socket has a ZAP domain (libzmq's zap_required)."""
    for zap in (None, ZapSettings(address=b"1.2.3.4")):
        conn = _null_server(zap)
        assert _asked(conn)[0] == HandshakeComplete((3, 1), {"Socket-Type": b"REQ"})
        assert conn.peer_user_id is None


@pytest.mark.parametrize(
    ("status", "sent"), [(b"400", b"\x03400"), (b"500", b"\x03500"), (b"300", None)]
)
def test_null_refused(status: bytes, sent: bytes | None) -> None:
    """400 and 500 send ERROR with the status code; 300 closes silently. Both surface the code."""
    conn = _null_server()
    _asked(conn)
    conn.data_to_send()
    conn.zap_reply(zap_reply(status, b"go away", b""))
    events = conn.next_events()
    assert events == [AuthenticationFailed(int(status), "go away"), ConnectionClosed()]
    assert conn.data_to_send() == (command(b"ERROR", sent) if sent else b"")
    assert conn.state is State.CLOSED
    assert conn.peer_user_id is None


def test_null_unavailable_admits_unless_enforced() -> None:
    """No handler: NULL goes on, unless ZAP_ENFORCE_DOMAIN refuses the peer (status 0)."""
    conn = _null_server()
    _asked(conn)
    conn.zap_unavailable()
    assert isinstance(conn.next_events()[0], HandshakeComplete)
    enforced = _null_server(ZapSettings(domain=b"d", enforce_domain=True))
    _asked(enforced)
    enforced.data_to_send()
    enforced.zap_unavailable()
    assert enforced.next_events() == [AuthenticationFailed(0, "no ZAP handler"), ConnectionClosed()]
    assert enforced.data_to_send() == b""


def test_handler_metadata_cannot_replace_user_id() -> None:
    """User-Id comes from the user-id frame, as libzmq's set_user_id puts it first."""
    conn = _null_server()
    _asked(conn)
    conn.zap_reply(zap_reply(user_id=b"real", metadata={"User-Id": b"fake", "A": b"1"}))
    conn.next_events()
    assert conn.zap_properties == {"User-Id": b"real", "A": b"1"}


@pytest.mark.parametrize(
    ("frames", "code"), [c[1:] for c in BAD_REPLIES], ids=[c[0] for c in BAD_REPLIES]
)
def test_malformed_reply_fails_the_connection(frames: list[bytes], code: int) -> None:
    """A bad reply is a protocol error with its ZAP code, raised by next_events."""
    conn = _null_server()
    _asked(conn)
    conn.zap_reply(frames)
    with pytest.raises(RemoteProtocolError) as info:
        conn.next_events()
    assert info.value.code == code
    assert conn.state is State.ERROR


def test_reply_rules() -> None:
    """A reply with nothing pending is a LocalProtocolError; one after a failure is ignored."""
    conn = _null_server(None)
    with pytest.raises(LocalProtocolError):
        conn.zap_reply(zap_reply())
    with pytest.raises(LocalProtocolError):
        conn.zap_unavailable()
    conn = _null_server()
    _asked(conn)
    conn.receive_data(command(b"READY"))  # a second READY: UNEXPECTED_COMMAND
    with pytest.raises(RemoteProtocolError):
        conn.next_events()
    conn.zap_reply(zap_reply())
    conn.zap_unavailable()
    assert conn.state is State.ERROR


# ------------------------------------------------ the refused side's view


@pytest.mark.parametrize("reason", [b"300", b"400", b"500"])
def test_peer_error_with_status_code_is_an_auth_failure(reason: bytes) -> None:
    """A handshake ERROR carrying a status code: AuthenticationFailed(by_peer), then PeerError."""
    conn = ZmtpConnection("REQ")
    events, error = feed_in(
        conn, greeting() + command(b"ERROR", bytes((len(reason),)) + reason), "whole"
    )
    assert error is None
    code = int(reason)
    assert events == [
        AuthenticationFailed(code, reason.decode(), by_peer=True),
        PeerError(reason.decode()),
        ConnectionClosed(),
    ]


@pytest.mark.parametrize("reason", [b"200", b"404", b"denied"])
def test_other_peer_errors_are_not(reason: bytes) -> None:
    """Any other reason is a plain PeerError."""
    conn = ZmtpConnection("REQ")
    events, _ = feed_in(
        conn, greeting() + command(b"ERROR", bytes((len(reason),)) + reason), "whole"
    )
    assert events == [PeerError(reason.decode()), ConnectionClosed()]


def test_null_pair_refusal_seen_from_both_sides() -> None:
    """Both ends of a refused NULL pair learn the status code."""
    pair = PeerPair(
        ZmtpConnection("REQ"),
        ZmtpConnection("REP", mechanism=NullMechanism(props("REP"), zap=SETTINGS)),
    )
    left, right = exchange(pair, reply=zap_reply(b"400", b"no"))
    assert right[0] == ZapRequest((b"1.0", b"1", b"global", b"127.0.0.1", b"R1", b"NULL"))
    assert right[1:] == [AuthenticationFailed(400, "no"), ConnectionClosed()]
    assert left == [
        AuthenticationFailed(400, "400", by_peer=True),
        PeerError("400"),
        ConnectionClosed(),
    ]


# ----------------------------------------------------- CURVE without PyNaCl


def test_curve_without_pynacl_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building a CURVE mechanism without PyNaCl says which extra to install."""
    monkeypatch.setitem(sys.modules, "nacl", None)
    monkeypatch.setitem(sys.modules, "nacl.bindings", None)
    key = bytes(32)
    with pytest.raises(CurveUnavailableError, match=r"purezmq\[curve\]"):
        CurveServer(props("REP"), secret_key=key)
    with pytest.raises(CurveUnavailableError, match=r"pip install 'purezmq\[curve\]'"):
        CurveClient(props("REQ"), public_key=key, secret_key=key, server_key=key)
