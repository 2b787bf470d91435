"""The mechanism interface: a frame-transforming mechanism drops in (as CURVE will)."""

from __future__ import annotations

import pytest

from purezmq.zmtp import (
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    LocalProtocolError,
    Mechanism,
    MechanismStatus,
    NullMechanism,
    Ping,
    Pong,
    RemoteProtocolError,
    State,
    Subscribe,
    ZmtpConnection,
    socket_properties,
)
from purezmq.zmtp.codec import (
    FLAG_COMMAND,
    FLAG_MORE,
    command_body,
    parse_frame_header,
    split_command,
)
from tests.helpers.peer_pair import PeerPair, frame, greeting, ready


class ToyMechanism(NullMechanism):
    """NULL's handshake, then every frame XOR-ed inside a MESSAGE command (CURVE's shape)."""

    name = b"TOY"
    transforms_frames = True

    def encode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        inner = bytes((flags & (FLAG_MORE | FLAG_COMMAND),)) + bytes(b ^ 0x5A for b in body)
        return FLAG_COMMAND, command_body(b"MESSAGE", inner)

    def decode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        if not flags & FLAG_COMMAND:
            raise RemoteProtocolError("clear frame", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE)
        name, data = split_command(body)
        if name != b"MESSAGE" or not data:
            raise RemoteProtocolError("not MESSAGE", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE)
        return data[0], bytes(b ^ 0x5A for b in data[1:])


def _toy_pair(left: str, right: str, maxmsgsize: int = -1) -> PeerPair:
    server = ToyMechanism(socket_properties(right), as_server=True)
    pair = PeerPair(
        ZmtpConnection(left, mechanism=ToyMechanism(socket_properties(left))),
        ZmtpConnection(right, mechanism=server, maxmsgsize=maxmsgsize),
    )
    pair.pump()
    assert pair.left.state is pair.right.state is State.READY
    return pair


def test_greeting_carries_the_mechanism_name_and_role() -> None:
    """The greeting announces the mechanism and as-server from the mechanism object."""
    conn = ZmtpConnection("PUSH", mechanism=ToyMechanism({"Socket-Type": b"PUSH"}, as_server=True))
    assert conn.data_to_send() == greeting(mechanism=b"TOY", as_server=True)


@pytest.mark.parametrize("chunk", [None, 7, 5000])
def test_messages_and_commands_go_through_the_hooks(chunk: int | None) -> None:
    """Messages, PING/PONG and SUBSCRIBE are wrapped on the wire and unwrapped on receipt."""
    pair = _toy_pair("SUB", "XPUB")
    big = bytes(range(256)) * 400
    pair.right.send_message([b"topic", big])
    pair.right.send_messages([[b"a"], [b""]])
    pair.left.send_subscribe(b"t")
    pair.left.send_ping(7, b"c")
    right_wire = pair.right.data_to_send()
    assert b"topic" not in right_wire
    left_wire = b"".join(pair.left.data_to_send_chunks())
    assert b"SUBSCRIBE" not in left_wire
    assert b"PING" not in left_wire
    assert len(_frames(right_wire)) == 4
    assert all(_is_message_command(piece) for piece in _frames(left_wire + right_wire))


def _frames(wire: bytes) -> list[bytes]:
    frames, pos = [], 0
    while pos < len(wire):
        header = parse_frame_header(wire, pos)
        assert header is not None
        _, size, header_size = header
        frames.append(wire[pos : pos + header_size + size])
        pos += header_size + size
    return frames


def _is_message_command(wire_frame: bytes) -> bool:
    return bool(wire_frame[0] & FLAG_COMMAND) and b"\x07MESSAGE" in wire_frame[:17]


@pytest.mark.parametrize("chunk", [None, 7, 5000])
def test_round_trip_through_the_hooks(chunk: int | None) -> None:
    """What goes in wrapped comes out as messages and events, at any chunk size."""
    pair = _toy_pair("SUB", "XPUB")
    big = bytes(range(256)) * 400
    pair.left.send_subscribe(b"t")
    pair.left.send_ping(7, b"c")
    pair.right.send_message([b"topic", big])
    pair.right.send_messages([[b"a"], [b""]])
    left_events, right_events = pair.pump(chunk)
    assert right_events == [Subscribe(b"t"), Ping(7, b"c")]
    assert left_events == [[b"topic", big], [b"a"], [b""], Pong(b"c")]


def test_clear_frame_refused_by_the_mechanism() -> None:
    """The mechanism's decode_frame may refuse a frame; the code reaches the caller."""
    pair = _toy_pair("PUSH", "PULL")
    pair.right.receive_data(frame(b"clear text"))
    with pytest.raises(RemoteProtocolError) as info:
        pair.right.next_events()
    assert info.value.code == PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE


def test_base_hooks_default_to_identity_and_no_zap() -> None:
    """Mechanism defaults: frames untouched, no ZAP request."""

    class Minimal(Mechanism):
        name = b"MIN"

        def next_handshake_command(self) -> tuple[bytes, bytes] | None:
            return None

        def process_handshake_command(self, name: bytes, data: bytes) -> None:
            self.status = MechanismStatus.READY

    mechanism = Minimal({"Socket-Type": b"PAIR"})
    assert mechanism.encode_frame(1, b"x") == (1, b"x")
    assert mechanism.decode_frame(0, b"y") == (0, b"y")
    assert mechanism.zap_request() is None
    assert "Minimal client HANDSHAKING" in repr(mechanism)
    with pytest.raises(Exception, match="no ZAP request"):
        mechanism.process_zap_reply([])


def test_transformed_frames_obey_maxmsgsize() -> None:
    """MAXMSGSIZE applies to the wire frames of a transforming mechanism too."""
    pair = _toy_pair("PUSH", "PULL", maxmsgsize=40)
    pair.left.send_message([b"x" * 20])
    assert pair.pump() == ([], [[b"x" * 20]])
    pair.left.send_message([b"x" * 40])
    with pytest.raises(RemoteProtocolError):
        pair.pump()


def test_transformed_empty_message_is_a_local_error() -> None:
    """An empty message is refused before the mechanism sees it."""
    pair = _toy_pair("PUSH", "PULL")
    with pytest.raises(LocalProtocolError):
        pair.left.send_message([])


def test_mechanism_error_without_reason_fails_the_handshake() -> None:
    """A mechanism that ends in ERROR on its own is a protocol error."""

    class Refusing(NullMechanism):
        def process_handshake_command(self, name: bytes, data: bytes) -> None:
            self.status = MechanismStatus.ERROR

    conn = ZmtpConnection("PULL", mechanism=Refusing({"Socket-Type": b"PULL"}))
    conn.receive_data(greeting() + ready("PUSH"))
    with pytest.raises(RemoteProtocolError, match="handshake failed"):
        conn.next_events()


def test_null_refuses_a_second_handshake_command() -> None:
    """NULL takes exactly one READY (libzmq: UNEXPECTED_COMMAND)."""
    mechanism = NullMechanism({"Socket-Type": b"PAIR"})
    mechanism.process_handshake_command(b"READY", b"")
    with pytest.raises(RemoteProtocolError) as info:
        mechanism.process_handshake_command(b"READY", b"")
    assert info.value.code == PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND


def test_error_text_names_the_code() -> None:
    """str() of a RemoteProtocolError shows libzmq's name and hex value."""
    error = RemoteProtocolError("bad", PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND)
    assert str(error) == "bad [PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND 0x10000001]"
