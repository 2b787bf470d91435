"""A reference decoder for what a NULL ZMTP 3.x peer may send, and the harness that
compares a ZmtpConnection with it.

The model reads a whole byte stream at once, straight from RFC 37's grammar and
the policies documented in purezmq.zmtp (connection.py's header: which commands
are events, which are dropped, which end the connection). It shares no code with
the decoder: no buffer, no incremental state, nothing imported from codec.py.
A connection fed the same octets, in any pieces, must report exactly the
model's events, then the model's protocol error (by its code) if there is one,
and must have queued exactly the octets the model expects it to send.

Used by test_fuzz_zmtp.py (hypothesis) and fuzz_zmtp_atheris.py (atheris).
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from purezmq.zmtp import (
    NEED_DATA,
    PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    Cancel,
    ConnectionClosed,
    HandshakeComplete,
    NullMechanism,
    PeerError,
    Ping,
    Pong,
    Received,
    RemoteProtocolError,
    State,
    Subscribe,
    ZmtpConnection,
    socket_properties,
)
from tests.helpers.messages import as_lists

# RFC 37, "The Socket-Type Property".
PEERS: dict[str, tuple[str, ...]] = {
    "REQ": ("REP", "ROUTER"),
    "REP": ("REQ", "DEALER"),
    "DEALER": ("REP", "DEALER", "ROUTER"),
    "ROUTER": ("REQ", "DEALER", "ROUTER"),
    "PUB": ("SUB", "XSUB"),
    "XPUB": ("SUB", "XSUB"),
    "SUB": ("PUB", "XPUB"),
    "XSUB": ("PUB", "XPUB"),
    "PUSH": ("PULL",),
    "PULL": ("PUSH",),
    "PAIR": ("PAIR",),
}
SOCKET_TYPES = tuple(PEERS)
MAX_SIZE = 2**63 - 1
HANDSHAKE_MAX = 64 * 1024
UNSPECIFIED = PROTOCOL_ERROR_ZMTP_UNSPECIFIED


class _Stop(Exception):
    """The model's protocol error, with the code the connection must report."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Short(Exception):
    """The stream ends inside a frame: the model waits for more (or sees EOF)."""


# ---------------------------------------------------------------- bytes out


def frame(body: bytes, *, more: bool = False, command: bool = False, long: bool = False) -> bytes:
    """One frame; the 8-octet size when the body needs it or `long` asks for it."""
    flags = (1 if more else 0) | (4 if command else 0)
    if long or len(body) > 255:
        return struct.pack(">BQ", flags | 2, len(body)) + body
    return bytes((flags, len(body))) + body


def command(name: bytes, data: bytes = b"") -> bytes:
    return frame(bytes((len(name),)) + name + data, command=True)


def properties(props: Sequence[tuple[bytes, bytes]]) -> bytes:
    return b"".join(bytes((len(n),)) + n + struct.pack(">I", len(v)) + v for n, v in props)


def greeting(version: tuple[int, int] = (3, 1), as_server: bool = False) -> bytes:
    return (
        b"\xff"
        + bytes(8)
        + b"\x7f"
        + bytes(version)
        + b"NULL".ljust(20, b"\x00")
        + bytes((as_server,))
        + bytes(31)
    )


def our_ready(socket_type: str) -> bytes:
    """The READY a NULL connection of `socket_type` sends (Identity: libzmq's three)."""
    props = [(b"Socket-Type", socket_type.encode())]
    if socket_type in ("REQ", "DEALER", "ROUTER"):
        props.append((b"Identity", b""))
    return command(b"READY", properties(props))


# ------------------------------------------------------------------ model


@dataclass
class Outcome:
    """What a connection reports for a stream: events, then maybe an error code."""

    events: list[Received] = field(default_factory=list)
    error: int | None = None
    sent: bytes = b""  # every octet the connection queued for the peer


def _header(data: bytes, pos: int) -> tuple[int, int, int]:
    """(flags, size, header length) of the frame at `pos`; _Short if incomplete."""
    if len(data) - pos < 2:
        raise _Short
    flags = data[pos]
    if not flags & 2:
        return flags, data[pos + 1], 2
    if len(data) - pos < 9:
        raise _Short
    size = struct.unpack_from(">Q", data, pos + 1)[0]
    if size > MAX_SIZE:
        raise _Stop(UNSPECIFIED)
    return flags, size, 9


def _body(data: bytes, start: int, size: int) -> bytes:
    if len(data) - start < size:
        raise _Short
    return data[start : start + size]


def _split(body: bytes) -> tuple[bytes, bytes] | None:
    """(name, data) of a command body, None if malformed."""
    if not body or body[0] == 0 or len(body) < 1 + body[0]:
        return None
    return body[1 : 1 + body[0]], body[1 + body[0] :]


def _metadata(data: bytes) -> dict[str, bytes]:
    props: dict[str, bytes] = {}
    pos = 0
    while pos < len(data):
        name_len = data[pos]
        value_at = pos + 1 + name_len + 4
        if name_len == 0 or value_at > len(data):
            raise _Stop(PROTOCOL_ERROR_ZMTP_INVALID_METADATA)
        value_len = struct.unpack_from(">I", data, value_at - 4)[0]
        if value_at + value_len > len(data):
            raise _Stop(PROTOCOL_ERROR_ZMTP_INVALID_METADATA)
        name = data[pos + 1 : value_at - 4].decode("latin-1")
        props.setdefault(name, data[value_at : value_at + value_len])
        pos = value_at + value_len
    return props


def _reason(data: bytes) -> str:
    if not data or data[0] > len(data) - 1:
        raise _Stop(PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR)
    return data[1 : 1 + data[0]].decode("utf-8", "replace")


def _greeting(data: bytes) -> tuple[int, int] | None:
    """The negotiated version once 64 octets are in; _Stop as soon as a prefix is wrong."""
    if data[:1] and data[0] != 0xFF:
        raise _Stop(UNSPECIFIED)
    if len(data) > 9 and not data[9] & 1:
        raise _Stop(UNSPECIFIED)
    if len(data) > 10 and data[10] < 3:
        raise _Stop(UNSPECIFIED)
    mechanism = data[12:32]
    if mechanism != b"NULL".ljust(20, b"\x00")[: len(mechanism)]:
        raise _Stop(PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
    if len(data) < 64:
        return None
    return min((3, 1), (data[10], data[11]))


class _Model:
    def __init__(self, our_type: str, maxmsgsize: int) -> None:
        self.our_type = our_type
        self.limit = maxmsgsize if maxmsgsize >= 0 else MAX_SIZE
        self.out = Outcome()
        self.pos = 0
        self.closed = False

    def run(self, data: bytes, eof: bool, as_server: bool) -> Outcome:
        out = self.out
        sent = [greeting((3, 1), as_server)]
        try:
            version = _greeting(data[:64])
            if version is None:
                raise _Short
            sent.append(our_ready(self.our_type))
            self.pos = 64
            self._handshake(data, version)
            while not self.closed:
                self._traffic_frame(data)
        except _Stop as stop:
            out.error = stop.code
        except _Short:
            if eof:
                out.events.append(ConnectionClosed())
        if self.closed:
            out.events.append(ConnectionClosed())
        pings = (e for e in out.events if isinstance(e, Ping))
        sent += (command(b"PONG", ping.context) for ping in pings)
        out.sent = b"".join(sent)
        return out

    def _handshake(self, data: bytes, version: tuple[int, int]) -> None:
        flags, size, header = _header(data, self.pos)
        if not flags & 4:
            raise _Stop(PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND)
        if flags & 1:
            raise _Stop(PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED)
        if size > HANDSHAKE_MAX or size > self.limit:
            raise _Stop(UNSPECIFIED)
        body = _body(data, self.pos + header, size)
        self.pos += header + size
        split = _split(body)
        if split is None:
            raise _Stop(PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED)
        name, rest = split
        if name == b"ERROR":
            self.out.events.append(PeerError(_reason(rest)))
            self.closed = True
            return
        if name != b"READY":
            raise _Stop(PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND)
        props = _metadata(rest)
        peer = next((v for k, v in props.items() if k.lower() == "socket-type"), None)
        if peer is None or peer.decode("latin-1") not in PEERS[self.our_type]:
            raise _Stop(PROTOCOL_ERROR_ZMTP_INVALID_METADATA)
        self.out.events.append(HandshakeComplete(version, props))
        self.frames: list[bytes] = []

    def _traffic_frame(self, data: bytes) -> None:
        flags, size, header = _header(data, self.pos)
        if size > self.limit:
            raise _Stop(UNSPECIFIED)
        body = _body(data, self.pos + header, size)
        self.pos += header + size
        if flags & 4:
            self._command(flags, body)
        elif flags & 1:
            self.frames.append(body)
        else:
            message, self.frames = [*self.frames, body], []
            self._message(message)

    def _message(self, message: list[bytes]) -> None:
        events = self.out.events
        if self.our_type in ("PUB", "XPUB") and message[0][:1] in (b"\x00", b"\x01"):
            for part in message:  # ZMTP 3.0 subscriptions, accepted from any peer
                if part[:1] == b"\x01":
                    events.append(Subscribe(part[1:]))
                elif part[:1] == b"\x00":
                    events.append(Cancel(part[1:]))
        else:
            events.append(message)

    def _command(self, flags: int, body: bytes) -> None:
        if flags & 1:
            raise _Stop(PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED)
        split = _split(body)
        if split is None:
            return  # dropped, as libzmq does
        name, data = split
        events = self.out.events
        if name == b"PING":
            if len(data) < 2:
                raise _Stop(PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED)
            events.append(Ping(struct.unpack_from(">H", data)[0], data[2:18]))
        elif name == b"PONG":
            events.append(Pong(data))
        elif name == b"SUBSCRIBE":
            events.append(Subscribe(data))
        elif name == b"CANCEL":
            events.append(Cancel(data))
        elif name == b"ERROR":
            events.append(PeerError(_reason(data)))
            self.closed = True


def model(data: bytes, our_type: str, maxmsgsize: int, eof: bool, as_server: bool) -> Outcome:
    """What a NULL connection of `our_type` must report for `data` (and EOF if `eof`)."""
    return _Model(our_type, maxmsgsize).run(data, eof, as_server)


# ---------------------------------------------------------------- harness


def connection(our_type: str, maxmsgsize: int, as_server: bool) -> ZmtpConnection:
    mechanism = NullMechanism(socket_properties(our_type), as_server=as_server)
    return ZmtpConnection(our_type, mechanism=mechanism, maxmsgsize=maxmsgsize)


def run(
    conn: ZmtpConnection,
    pieces: Sequence[bytes],
    eof: bool,
    one_at_a_time: Callable[[int], bool] = lambda _: False,
) -> Outcome:
    """Feed `pieces` (then EOF), draining events after each; return what was reported.

    `one_at_a_time(i)` picks next_event() over next_events() for the i-th drain.
    Checks the invariants that hold at every step: nothing held beyond what was
    fed, nothing held after an error, and the error repeats.
    """
    out = Outcome()
    fed = 0
    drains = 0

    def drain() -> bool:
        """Take every event; True once the connection is finished (closed or failed)."""
        nonlocal drains
        while True:
            drains += 1
            if one_at_a_time(drains):
                event = conn.next_event()
                batch = [] if event is NEED_DATA else [event]
            else:
                batch = conn.next_events()
            for event in as_lists(batch):
                out.events.append(event)
                if isinstance(event, ConnectionClosed):
                    return True
            if not batch:
                return False

    try:
        for piece in pieces:
            conn.receive_data(piece)
            fed += len(piece)
            finished = drain()
            assert conn.buffered_bytes <= fed
            if finished:
                break
        else:
            if eof:
                conn.receive_data(b"")
                assert drain(), "no ConnectionClosed after EOF"
    except RemoteProtocolError as error:
        out.error = error.code
        assert conn.state is State.ERROR and conn.buffered_bytes == 0
        try:
            conn.next_events()
        except RemoteProtocolError as again:
            assert again.code == error.code
        else:
            raise AssertionError("the protocol error did not repeat") from None
    out.sent = conn.data_to_send()
    return out


def cut(data: bytes, points: Sequence[int]) -> list[bytes]:
    """`data` cut at `points` (taken modulo its length; empty pieces dropped)."""
    marks = sorted({p % (len(data) + 1) for p in points} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(marks) if b > a]


def check(
    data: bytes,
    our_type: str,
    maxmsgsize: int,
    as_server: bool,
    eof: bool,
    points: Sequence[int],
    one_at_a_time: Callable[[int], bool] = lambda _: False,
) -> Outcome:
    """The connection, fed `data` whole and cut at `points`, must match the model."""
    expected = model(data, our_type, maxmsgsize, eof, as_server)
    whole = run(connection(our_type, maxmsgsize, as_server), [data] if data else [], eof)
    assert whole == expected, _diff(whole, expected)
    pieces = cut(data, points)
    chunked = run(connection(our_type, maxmsgsize, as_server), pieces, eof, one_at_a_time)
    assert chunked == expected, _diff(chunked, expected)
    return expected


def _diff(got: Outcome, expected: Outcome) -> str:
    return (
        f"events {_short(got.events)}\n  expected {_short(expected.events)}\n"
        f"error {got.error!r} expected {expected.error!r}; "
        f"sent {len(got.sent)} octets, expected {len(expected.sent)}"
    )


def _short(events: list[Received]) -> str:
    shown = [
        [part[:20] + b"..." if len(part) > 20 else part for part in e] if isinstance(e, list) else e
        for e in events[:12]
    ]
    return f"{shown}{' ...' if len(events) > 12 else ''} ({len(events)})"
