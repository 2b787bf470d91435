"""CURVE (RFC 25/26): libzmq's wire layout, the handshake at every split, and every refusal.

Layouts are checked by opening the boxes with PyNaCl itself (keys made from
seeds), so the test does not trust the code under test to agree with itself.
Error codes follow libzmq 4.3's curve_client.cpp, curve_server.cpp and
curve_mechanism_base.cpp.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

nacl_bindings = pytest.importorskip("nacl.bindings")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from purezmq.zmtp import (  # noqa: E402
    BIG_FRAME,
    PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
    PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
    PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    AuthenticationFailed,
    ConnectionClosed,
    CurveClient,
    CurveServer,
    HandshakeComplete,
    LocalProtocolError,
    NullMechanism,
    PeerError,
    Ping,
    PlainClient,
    Pong,
    RemoteProtocolError,
    State,
    Subscribe,
    ZapRequest,
    ZapSettings,
    ZmtpConnection,
    decode_properties,
)
from purezmq.zmtp.codec import parse_frame_header  # noqa: E402
from tests.helpers.peer_pair import SPLIT_MODES, PeerPair, command, feed, greeting  # noqa: E402
from tests.helpers.secure_pair import Keys, exchange, props, seeded_random, zap_reply  # noqa: E402

SERVER = Keys.make(1)
CLIENT = Keys.make(2)
OTHER = Keys.make(3)
OK = zap_reply(user_id=b"curve-user")


def u64(value: int) -> bytes:
    return value.to_bytes(8, "big")


def wire_frames(data: bytes) -> list[tuple[int, bytes]]:
    """(flags, body) of each frame in `data`."""
    frames, pos = [], 0
    while pos < len(data):
        header = parse_frame_header(data, pos)
        assert header is not None
        flags, size, header_size = header
        frames.append((flags, data[pos + header_size : pos + header_size + size]))
        pos += header_size + size
    return frames


def _client(
    keys: Keys = CLIENT,
    server_key: bytes = SERVER.public,
    socket_type: str = "DEALER",
    **kw: object,
) -> ZmtpConnection:
    mechanism = CurveClient(
        props(socket_type),
        public_key=keys.public,
        secret_key=keys.secret,
        server_key=server_key,
        **kw,  # type: ignore[arg-type]
    )
    return ZmtpConnection(socket_type, mechanism=mechanism)


def _server(
    zap: ZapSettings | None = None, socket_type: str = "ROUTER", **kw: object
) -> ZmtpConnection:
    mechanism = CurveServer(props(socket_type), secret_key=SERVER.secret, zap=zap, **kw)  # type: ignore[arg-type]
    return ZmtpConnection(socket_type, mechanism=mechanism)


def _ready_pair(mode: str = "whole", left: str = "DEALER", right: str = "ROUTER") -> PeerPair:
    pair = PeerPair(_client(socket_type=left), _server(socket_type=right))
    exchange(pair, mode, reply=OK)
    assert pair.left.state is pair.right.state is State.READY
    return pair


def _handshake_error(pair: PeerPair) -> int:
    with pytest.raises(RemoteProtocolError) as info:
        exchange(pair, reply=OK)
    return info.value.code


# ----------------------------------------------------------------- the layout


def _greeted_client(**kw: object) -> tuple[ZmtpConnection, bytes]:
    """A client past the server's greeting, and its HELLO command's body."""
    conn = _client(random=seeded_random(7), **kw)
    assert conn.data_to_send() == greeting(mechanism=b"CURVE")
    conn.receive_data(greeting(mechanism=b"CURVE", as_server=True))
    assert conn.next_events() == []
    [(flags, body)] = wire_frames(conn.data_to_send())
    assert flags == 4
    return conn, body


def test_hello_layout() -> None:
    """HELLO: version 1.0, 72 zero octets, C', nonce 1, Box[64 zeros](C'->S); 200 octets."""
    _, body = _greeted_client()
    assert len(body) == 200
    assert body[:8] == b"\x05HELLO\x01\x00"
    assert body[8:80] == bytes(72)
    client_short = body[80:112]
    assert client_short == nacl_bindings.crypto_scalarmult_base(seeded_random(7)(32))
    assert body[112:120] == u64(1)
    nonce = b"CurveZMQHELLO---" + u64(1)
    opened = nacl_bindings.crypto_box_open(body[120:], nonce, client_short, SERVER.secret)
    assert opened == bytes(64)


def test_welcome_initiate_ready_layout() -> None:
    """WELCOME hands over S' and a cookie; INITIATE echoes the cookie and vouches; READY."""
    client, hello = _greeted_client()
    server = _server(random=seeded_random(9))
    server.data_to_send()
    server.receive_data(greeting(mechanism=b"CURVE") + command(b"HELLO", hello[6:]))
    assert server.next_events() == []
    [(_, welcome)] = wire_frames(server.data_to_send())
    assert len(welcome) == 168 and welcome.startswith(b"\x07WELCOME")
    client_short = hello[80:112]
    client_short_secret = seeded_random(7)(32)
    plain = nacl_bindings.crypto_box_open(
        welcome[24:], b"WELCOME-" + welcome[8:24], SERVER.public, client_short_secret
    )
    server_short, cookie = plain[:32], plain[32:]
    assert len(cookie) == 96
    client.receive_data(wire_frame_bytes(welcome))
    assert client.next_events() == []
    [(_, initiate)] = wire_frames(client.data_to_send())
    assert initiate[:9] == b"\x08INITIATE" and initiate[9:105] == cookie
    assert initiate[105:113] == u64(2)
    shared = nacl_bindings.crypto_box_beforenm(server_short, client_short_secret)
    inner = nacl_bindings.crypto_box_open_afternm(
        initiate[113:], b"CurveZMQINITIATE" + u64(2), shared
    )
    assert inner[:32] == CLIENT.public
    vouch = nacl_bindings.crypto_box_open(
        inner[48:128], b"VOUCH---" + inner[32:48], CLIENT.public, _short_secret_of(server_short)
    )
    assert vouch == client_short + SERVER.public
    assert decode_properties(inner[128:]) == {"Socket-Type": b"DEALER", "Identity": b""}
    server.receive_data(wire_frame_bytes(initiate))
    assert isinstance(server.next_events()[0], ZapRequest)
    server.zap_reply(OK)
    server.next_events()
    [(_, ready)] = wire_frames(server.data_to_send())
    assert ready[:14] == b"\x05READY" + u64(1)
    metadata = nacl_bindings.crypto_box_open_afternm(
        ready[14:], b"CurveZMQREADY---" + u64(1), shared
    )
    assert decode_properties(metadata) == {"Socket-Type": b"ROUTER", "Identity": b""}


def _short_secret_of(server_short: bytes) -> bytes:
    """The server's short-term secret: the first 32 octets of its seeded random source."""
    secret = seeded_random(9)(32)
    assert nacl_bindings.crypto_scalarmult_base(secret) == server_short
    return secret


def wire_frame_bytes(body: bytes, flags: int = 4) -> bytes:
    """One frame around `body`."""
    if len(body) > 255:
        return bytes((flags | 2,)) + len(body).to_bytes(8, "big") + body
    return bytes((flags, len(body))) + body


def test_message_layout() -> None:
    """A MESSAGE is a flag-less frame: "\\x07MESSAGE", nonce, Box[flags + body] (libzmq 4.3)."""
    pair = PeerPair(_client(random=seeded_random(7)), _server(random=seeded_random(9)))
    exchange(pair, reply=OK)
    pair.left.send_message([b"ab", b"c"])
    pair.left.send_ping(1, b"x")
    frames = wire_frames(pair.left.data_to_send())
    assert [flags for flags, _ in frames] == [0, 0, 0]
    assert [body[:16] for _, body in frames] == [b"\x07MESSAGE" + u64(n) for n in (3, 4, 5)]
    server_short = nacl_bindings.crypto_scalarmult_base(seeded_random(9)(32))
    shared = nacl_bindings.crypto_box_beforenm(server_short, seeded_random(7)(32))
    plain = [
        nacl_bindings.crypto_box_open_afternm(body[16:], b"CurveZMQMESSAGEC" + body[8:16], shared)
        for _, body in frames
    ]
    assert plain == [b"\x01ab", b"\x00c", b"\x02\x04PING\x00\x01x"]


# ------------------------------------------------------------ the round trip


@pytest.mark.parametrize("mode", SPLIT_MODES)
def test_handshake_and_messages(mode: str) -> None:
    """CURVE peers complete the handshake and carry messages and commands both ways."""
    pair = PeerPair(_client(), _server(ZapSettings(domain=b"d", address=b"1.2.3.4")))
    left, right = exchange(pair, mode, reply=OK, seed=11)
    assert left == [HandshakeComplete((3, 1), {"Socket-Type": b"ROUTER", "Identity": b""})]
    request = (b"1.0", b"1", b"d", b"1.2.3.4", b"", b"CURVE", CLIENT.public)
    assert right[0] == ZapRequest(request)
    assert right[1:] == [HandshakeComplete((3, 1), {"Socket-Type": b"DEALER", "Identity": b""})]
    assert pair.right.peer_user_id == b"curve-user"
    big = bytes(range(256)) * (BIG_FRAME // 256 + 3)
    pair.left.send_message([b"a", b"", big])
    pair.left.send_ping(30, b"ctx")
    pair.right.send_messages([[b"r1"], [b"r2", b"r3"]])
    left, right = exchange(pair, mode, seed=12)
    assert right == [[b"a", b"", big], Ping(30, b"ctx")]
    assert left == [[b"r1"], [b"r2", b"r3"], Pong(b"ctx")]


def test_subscriptions_travel_inside_messages() -> None:
    """SUBSCRIBE goes as a command inside a MESSAGE box."""
    pair = _ready_pair(left="SUB", right="XPUB")
    pair.left.send_subscribe(b"topic")
    wire = pair.left.data_to_send()
    assert b"SUBSCRIBE" not in wire and b"topic" not in wire
    pair.right.receive_data(wire)
    assert pair.right.next_events() == [Subscribe(b"topic")]


@pytest.mark.parametrize("mode", SPLIT_MODES)
def test_secrecy(mode: str) -> None:
    """After the handshake, no trace of a known payload is on the wire, either way."""
    secret = bytes(range(64))
    pair = _ready_pair(mode)
    pair.left.send_message([secret, secret])
    pair.right.send_message([secret])
    left_wire, right_wire = pair.left.data_to_send(), pair.right.data_to_send()
    for wire in (left_wire, right_wire):
        assert secret[:8] not in wire and secret[-8:] not in wire
    pair.right.receive_data(left_wire)
    pair.left.receive_data(right_wire)
    assert pair.right.next_events() == [(secret, secret)]
    assert pair.left.next_events() == [(secret,)]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(st.binary(max_size=300), min_size=1, max_size=3), max_size=6),
    st.integers(1, 500),
)
def test_round_trip_at_any_chunk_size(msgs: list[list[bytes]], chunk: int) -> None:
    """Whatever the cuts, CURVE messages arrive whole and in order."""
    pair = _ready_pair()
    pair.left.send_messages(msgs)
    assert pair.pump(chunk) == ([], msgs)


# ------------------------------------------------------------------ ZAP verdicts


def test_refused_client_key() -> None:
    """ZAP 400: ERROR "400" to the client, both sides report the status code."""
    pair = PeerPair(_client(), _server())
    left, right = exchange(pair, reply=zap_reply(b"400", b"Unknown key", b""))
    assert right[1:] == [AuthenticationFailed(400, "Unknown key"), ConnectionClosed()]
    assert left == [
        AuthenticationFailed(400, "400", by_peer=True),
        PeerError("400"),
        ConnectionClosed(),
    ]


def test_temporary_failure_sends_nothing() -> None:
    """ZAP 300 closes without an ERROR command."""
    pair = PeerPair(_client(), _server())
    left, right = exchange(pair, reply=zap_reply(b"300", b"later", b""))
    assert right[1:] == [AuthenticationFailed(300, "later"), ConnectionClosed()]
    assert left == []
    assert pair.left.state is State.HANDSHAKE


@pytest.mark.parametrize(
    ("zap", "outcome"),
    [
        (ZapSettings(), "admitted"),
        (ZapSettings(domain=b"d"), "admitted"),
        (ZapSettings(domain=b"d", enforce_domain=True), "refused"),
        (ZapSettings(enforce_domain=True), "not asked"),
    ],
)
def test_without_a_zap_handler(zap: ZapSettings, outcome: str) -> None:
    """libzmq: no handler admits (Stonehouse) unless enforced; no domain + enforce asks nothing."""
    pair = PeerPair(_client(), _server(zap))
    _, right = exchange(pair)
    if outcome == "not asked":
        assert isinstance(right[0], HandshakeComplete)
        return
    assert pair.right.zap_pending
    pair.right.zap_unavailable()
    right = pair.right.next_events()
    if outcome == "admitted":
        assert isinstance(right[0], HandshakeComplete)
        exchange(pair)
        assert pair.left.state is State.READY
        assert pair.right.peer_user_id is None
    else:
        assert right == [AuthenticationFailed(0, "no ZAP handler"), ConnectionClosed()]
        assert pair.right.data_to_send() == b""


# ---------------------------------------------------------------- refusals


def test_wrong_server_key() -> None:
    """A client that believes in another server key: its HELLO does not open."""
    pair = PeerPair(_client(server_key=OTHER.public), _server())
    assert _handshake_error(pair) == PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC
    assert pair.right.state is State.ERROR


def test_bad_vouch() -> None:
    """A client whose secret key does not match its public key: the vouch does not open."""
    pair = PeerPair(_client(Keys(CLIENT.public, OTHER.secret)), _server())
    assert _handshake_error(pair) == PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC
    assert pair.right.state is State.ERROR


class _VouchingForOthers(CurveClient):
    """Vouches for another server key than the one it talks to."""

    def _initiate(self) -> bytes:
        real, self._server = self._server, OTHER.public
        try:
            return super()._initiate()
        finally:
            self._server = real


def test_vouch_for_other_keys() -> None:
    """A vouch that opens but names other keys is KEY_EXCHANGE."""
    mechanism = _VouchingForOthers(
        props("DEALER"),
        public_key=CLIENT.public,
        secret_key=CLIENT.secret,
        server_key=SERVER.public,
    )
    pair = PeerPair(ZmtpConnection("DEALER", mechanism=mechanism), _server())
    assert _handshake_error(pair) == PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE


def _tamper_initiate(offset: int) -> int:
    """Flip one octet of the client's INITIATE body at `offset`; return the server's code."""
    client, server = _client(), _server()
    server.receive_data(client.data_to_send())
    client.receive_data(server.data_to_send())
    server.next_events()
    client.next_events()
    server.receive_data(client.data_to_send())  # HELLO
    server.next_events()
    client.receive_data(server.data_to_send())  # WELCOME
    client.next_events()
    [(_, initiate)] = wire_frames(client.data_to_send())
    broken = bytearray(initiate)
    broken[offset] ^= 0x01
    _, error = feed(server, [wire_frame_bytes(bytes(broken))])
    assert error is not None
    return error.code


@pytest.mark.parametrize(
    ("offset", "what"), [(9, "cookie nonce"), (40, "cookie box"), (105, "nonce"), (200, "box")]
)
def test_tampered_initiate(offset: int, what: str) -> None:
    """A cookie that is not ours, or an INITIATE box that was altered: CRYPTOGRAPHIC."""
    assert _tamper_initiate(offset) == PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC, what


def _one_message(pair: PeerPair, frames: list[bytes]) -> bytes:
    pair.left.send_message(frames)
    return pair.left.data_to_send()


def _refusal(pair: PeerPair, wire: bytes) -> int:
    pair.right.receive_data(wire)
    with pytest.raises(RemoteProtocolError) as info:
        pair.right.next_events()
    assert pair.right.state is State.ERROR
    return info.value.code


@pytest.mark.parametrize("offset", [16, 20, -1])
def test_tampered_message(offset: int) -> None:
    """One flipped octet in a MESSAGE's box: CRYPTOGRAPHIC."""
    pair = _ready_pair()
    wire = bytearray(_one_message(pair, [bytes(40)]))
    wire[offset if offset >= 0 else len(wire) + offset] ^= 0x80
    assert _refusal(pair, bytes(wire)) == PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC


def test_replayed_message() -> None:
    """The same MESSAGE twice: its nonce is not above the last one (INVALID_SEQUENCE)."""
    pair = _ready_pair()
    wire = _one_message(pair, [b"pay me"])
    pair.right.receive_data(wire)
    assert pair.right.next_events() == [(b"pay me",)]
    assert _refusal(pair, wire) == PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE


def test_reordered_messages() -> None:
    """A later MESSAGE first, then the earlier one: INVALID_SEQUENCE."""
    pair = _ready_pair()
    first, second = _one_message(pair, [b"1"]), _one_message(pair, [b"2"])
    pair.right.receive_data(second)
    assert pair.right.next_events() == [(b"2",)]
    assert _refusal(pair, first) == PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\x00\x05hello", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (b"\x00\x00", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (command(b"READY", b"\x00" * 30), PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND),
        (command(b"PING", b"\x00\x01"), PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND),
        (command(b"MESSAGE", u64(9) + bytes(16)), PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE),
        (command(b"MESSAGE", u64(9) + bytes(17)), PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC),
    ],
    ids=["clear data", "empty", "READY", "clear PING", "short MESSAGE", "forged MESSAGE"],
)
def test_anything_but_a_message_is_refused(frame: bytes, code: int) -> None:
    """In READY every frame must be a MESSAGE, whatever its flags: nothing passes in clear."""
    assert _refusal(_ready_pair(), frame) == code


def test_message_with_command_flag_is_accepted() -> None:
    """A MESSAGE sent as a command frame (flag 4) is read the same (its flags are inside)."""
    pair = _ready_pair()
    [(_, body)] = wire_frames(_one_message(pair, [b"x"]))
    pair.right.receive_data(wire_frame_bytes(body, flags=4))
    assert pair.right.next_events() == [(b"x",)]


def _server_code(peer: bytes) -> int:
    """The code a fresh CURVE server fails with after the greeting and `peer`."""
    _, error = feed(_server(), [greeting(mechanism=b"CURVE") + peer])
    assert error is not None
    return error.code


def _valid_hello() -> bytes:
    _, body = _greeted_client()
    return body[6:]


SERVER_CASES: list[tuple[str, Callable[[], bytes], int]] = [
    (
        "HELLO 199",
        lambda: command(b"HELLO", _valid_hello()[:-1]),
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    ),
    (
        "HELLO 201",
        lambda: command(b"HELLO", _valid_hello() + b"\x00"),
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    ),
    (
        "HELLO 2.0",
        lambda: command(b"HELLO", b"\x02" + _valid_hello()[1:]),
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    ),
    (
        "INITIATE first",
        lambda: command(b"INITIATE", bytes(300)),
        PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    ),
    (
        "short INITIATE",
        lambda: command(b"HELLO", _valid_hello()) + command(b"INITIATE", bytes(247)),
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE,
    ),
    (
        "second HELLO",
        lambda: command(b"HELLO", _valid_hello()) * 2,
        PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    ),
]


@pytest.mark.parametrize(
    ("peer", "code"), [c[1:] for c in SERVER_CASES], ids=[c[0] for c in SERVER_CASES]
)
def test_server_refusals(peer: Callable[[], bytes], code: int) -> None:
    """Truncated, oversized or out-of-turn commands, with libzmq's codes."""
    assert _server_code(peer()) == code


def test_command_while_waiting_for_zap() -> None:
    """Anything while the server waits for ZAP: ZMTP_UNSPECIFIED (libzmq's default branch)."""
    pair = PeerPair(_client(), _server())
    exchange(pair)
    assert pair.right.zap_pending
    assert _refusal(pair, command(b"INITIATE", bytes(300))) == PROTOCOL_ERROR_ZMTP_UNSPECIFIED


def _client_code(peer: bytes) -> int:
    conn, _ = _greeted_client()
    _, error = feed(conn, [peer])
    assert error is not None
    return error.code


@pytest.mark.parametrize(
    ("peer", "code"),
    [
        (command(b"WELCOME", bytes(159)), PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC),
        (command(b"WELCOME", bytes(161)), PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC),
        (command(b"WELCOME", bytes(160)), PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC),
        (command(b"READY", bytes(40)), PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND),
        (command(b"HELLO", bytes(194)), PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND),
    ],
    ids=["WELCOME 167", "WELCOME 169", "forged WELCOME", "READY first", "HELLO to a client"],
)
def test_client_refusals(peer: bytes, code: int) -> None:
    """A client takes only a WELCOME that opens, then READY."""
    assert _client_code(peer) == code


def test_short_ready() -> None:
    """A READY under 30 octets: MALFORMED_COMMAND_READY."""
    pair = PeerPair(_client(), _server())
    exchange(pair)  # the server now waits for ZAP; the client for READY
    _, error = feed(pair.left, [command(b"READY", bytes(23))])
    assert error is not None and error.code == PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY


@pytest.mark.parametrize(
    "other",
    [
        lambda: ZmtpConnection("DEALER", mechanism=NullMechanism(props("DEALER"))),
        lambda: ZmtpConnection("DEALER", mechanism=PlainClient(props("DEALER"))),
    ],
    ids=["NULL", "PLAIN"],
)
def test_mechanism_mismatch(other: Callable[[], ZmtpConnection]) -> None:
    """NULL or PLAIN against a CURVE server: MECHANISM_MISMATCH at the greeting."""
    assert _handshake_error(PeerPair(other(), _server())) == PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH


def test_keys_must_be_32_octets() -> None:
    """Keys are binary, 32 octets (Z85 is decoded above this layer)."""
    with pytest.raises(LocalProtocolError):
        CurveServer(props("REP"), secret_key=b"x" * 40)
    with pytest.raises(LocalProtocolError):
        CurveClient(
            props("REQ"), public_key=b"", secret_key=CLIENT.secret, server_key=SERVER.public
        )


def test_nonce_space_is_never_reused() -> None:
    """Our nonce counter stops at 2**64-1 rather than wrap around."""
    pair = PeerPair(_client(), _server(first_nonce=2**64 - 1))
    exchange(pair, reply=OK)
    assert pair.left.state is State.READY  # READY carried the last nonce
    with pytest.raises(LocalProtocolError, match="exhausted"):
        pair.right.send_message([b"one too many"])


# --------------------------------------------------------------- hypothesis

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.integers(0, 2), st.binary(max_size=300), st.booleans())
def test_arbitrary_bytes_mid_handshake(stage: int, tail: bytes, eof: bool) -> None:
    """A CURVE server fed garbage after 0, 1 or 2 good steps ends cleanly."""
    server = _server()
    steps = [greeting(mechanism=b"CURVE"), command(b"HELLO", _valid_hello())]
    try:
        if stage:
            server.receive_data(b"".join(steps[:stage]))
            server.next_events()
        if tail:
            server.receive_data(tail)
            server.next_events()
        if eof:
            server.receive_data(b"")
            server.next_events()
    except RemoteProtocolError as error:
        assert server.state is State.ERROR
        assert error.code >= 0x10000000


@FUZZ
@given(st.binary(min_size=1, max_size=200), st.integers(0, 199))
def test_arbitrary_bytes_in_ready(garbage: bytes, cut: int) -> None:
    """Garbage after a CURVE handshake is refused, never taken for messages."""
    pair = _ready_pair()
    events: list[object] = []
    try:
        for piece in (garbage[:cut], garbage[cut:]):
            if piece:
                pair.right.receive_data(piece)
                events += pair.right.next_events()
    except RemoteProtocolError as error:
        assert error.code >= 0x10000000
    assert events == []
