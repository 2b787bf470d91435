# ZmtpConnection: one ZMTP 3.x connection, bytes in and events out (sans-I/O).
#
# Theory of operation (RFC 37, "Overall Behavior"; libzmq src/zmtp_engine.cpp):
#
#   GREETING   our 64-octet greeting is queued at construction; the peer's is
#              judged octet by octet (greeting.py) and fixes the version:
#              (3, 0) or (3, 1).
#   HANDSHAKE  only commands, each at most HANDSHAKE_COMMAND_MAX octets, all
#              handed to the mechanism. When it reports READY we check the
#              peer's Socket-Type against RFC 37's table, emit
#              HandshakeComplete and move to READY. A mechanism that must ask
#              the ZAP handler (RFC 27) makes us emit ZapRequest; it waits
#              for zap_reply() or zap_unavailable(). A refusal emits
#              AuthenticationFailed and moves to CLOSED (see "Security" below).
#   READY      messages (list[bytes]) and commands. PING is answered here (the
#              PONG is queued at once) and reported; PONG, SUBSCRIBE, CANCEL
#              and ERROR become events; every other command is dropped, which
#              is what libzmq 4.3 does (zmtp_engine.cpp process_command_message
#              only flags PING/PONG/SUBSCRIBE/CANCEL, and session_base.cpp
#              push_msg discards any other command, including a malformed one).
#   CLOSED     the peer closed the stream, or an ERROR command ended it.
#   ERROR      the peer broke the protocol; the RemoteProtocolError (with its
#              ZMQ_PROTOCOL_ERROR_* code) is raised by every later next_event.
#
# Differences between 3.0 and 3.1 stay in this file: a 3.0 peer gets its
# subscriptions as messages "\x01topic"/"\x00topic" and no PINGs. A PUB or XPUB
# accepts the message form from any peer, as libzmq's xpub.cpp does.
#
# Security: the greeting's mechanism name must be ours (MECHANISM_MISMATCH
# otherwise); the as-server octet is not checked, as libzmq does not: two
# clients or two servers fail on the mechanism's own command expectations. A
# mechanism with `transforms_frames` (CURVE) sees every frame after the
# handshake both ways: _send_transformed on the way out, _parse_transformed on
# the way in, which hands every wire frame to decode_frame whatever its flags
# (libzmq 4.3 sends CURVE MESSAGEs as flag-less frames), so nothing is ever
# taken for clear data. NULL and PLAIN never reach those paths: the one
# `self._transform` test at their entry is all they cost.
#
# The ZAP protocol, as the engine sees it: ZapRequest(frames) out of
# next_events(); the engine sends the frames to inproc://zeromq.zap.01 and
# calls zap_reply(reply_frames), or zap_unavailable() if no handler is bound;
# the events that follow come out of the next next_events() call. Once
# admitted, `peer_user_id` and `zap_properties` hold the reply's User-Id and
# metadata for the engine to attach to received messages. A refusal emits
# AuthenticationFailed(status_code) then ConnectionClosed, with our ERROR
# command queued (flush it, then close); a malformed reply is a
# RemoteProtocolError with a PROTOCOL_ERROR_ZAP_* code, raised as any other.
# A peer's handshake ERROR whose reason is a status code ("400") emits
# AuthenticationFailed(by_peer=True) before PeerError, as libzmq reports
# HANDSHAKE_FAILED_AUTH on both sides.
#
# Speed: next_events() in READY is the hot path. It takes one bytes snapshot of
# the buffer and walks it with plain indexing, slicing each body out once; a
# frame of BIG_FRAME octets or more whose body is still arriving is collected
# as a list of chunks and joined once. A multipart message is only returned
# when its last frame has arrived. Every size is checked against MAXMSGSIZE
# (and 2**63-1) as soon as its header is read, before the body is buffered.
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from struct import Struct
from typing import Final, TypeAlias

from .buffer import FrameCollector, ReceiveBuffer
from .codec import (
    CANCEL,
    ERROR,
    FLAG_COMMAND,
    FLAG_LONG,
    FLAG_MORE,
    LONG_HEADER,
    MAX_FRAME_SIZE,
    MAX_PING_CONTEXT,
    PING,
    PONG,
    SHORT_LAST,
    SUBSCRIBE,
    command_body,
    decode_error_reason,
    decode_ping,
    encode_message,
    error_data,
    frame_header,
    parse_frame_header,
    ping_data,
    split_command,
)
from .errors import (
    PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    LocalProtocolError,
    RemoteProtocolError,
)
from .events import (
    NEED_DATA,
    AuthenticationFailed,
    Cancel,
    ConnectionClosed,
    Event,
    HandshakeComplete,
    NeedDataType,
    PeerError,
    Ping,
    Pong,
    Subscribe,
    ZapRequest,
)
from .greeting import (
    GREETING_SIZE,
    OUR_VERSION,
    build_greeting,
    check_greeting_prefix,
    parse_greeting,
)
from .mechanisms.base import (
    Mechanism,
    MechanismStatus,
    find_property,
    peer_type_allowed,
    socket_properties,
)
from .mechanisms.null import NullMechanism
from .mechanisms.zap import status_code
from .state import Input, State, next_state

# A message is a tuple of frames: tuples come from CPython's free list, so decoding one
# allocates nothing the cyclic GC counts (see core/pipe.py's Msg).
Received: TypeAlias = Event | tuple[bytes, ...]

HANDSHAKE_COMMAND_MAX: Final = 64 * 1024
"""Largest command accepted before the handshake completes.

The biggest legitimate handshake command is a CURVE INITIATE or a PLAIN HELLO
carrying metadata: a few hundred octets. Until the peer has authenticated, it
must not make us buffer more than this (RFC 37, "Security Considerations":
allocate memory to a connection only after the security handshake).
"""

BIG_FRAME: Final = 64 * 1024
"""Frames this big whose body is still arriving are gathered as chunks, joined once."""

_PUBLISHERS: Final = frozenset({"PUB", "XPUB"})
_SUBSCRIBE_PREFIX: Final = 1
_CANCEL_PREFIX: Final = 0


class ZmtpConnection:
    """One ZMTP 3.x connection: feed it bytes, get events and bytes to send.

    Parameters
    ----------
    socket_type : our socket type, "REQ", "XPUB", ...
    identity : our routing id, announced by REQ, DEALER and ROUTER.
    mechanism : the security mechanism; NULL with our properties by default.
    maxmsgsize : largest frame accepted from the peer, -1 for no limit.
    """

    def __init__(
        self,
        socket_type: str,
        *,
        identity: bytes = b"",
        mechanism: Mechanism | None = None,
        maxmsgsize: int = -1,
    ) -> None:
        properties = socket_properties(socket_type, identity)
        self.socket_type = socket_type
        self.mechanism = mechanism if mechanism is not None else NullMechanism(properties)
        self.state = State.GREETING
        self.peer_version: tuple[int, int] | None = None
        self.peer_properties: dict[str, bytes] = {}
        self.peer_socket_type: str | None = None
        # The ZAP handler's User-Id and metadata for an admitted peer (RFC 27).
        self.peer_user_id: bytes | None = None
        self.zap_properties: dict[str, bytes] = {}
        self._zap_waiting = False
        self._version = OUR_VERSION
        self._maxmsgsize = maxmsgsize
        self._limit = maxmsgsize if maxmsgsize >= 0 else MAX_FRAME_SIZE
        self._publisher = socket_type in _PUBLISHERS
        self._transform = self.mechanism.transforms_frames
        self._buffer = ReceiveBuffer()
        self._need = 1  # unread octets needed before the READY parser can progress
        self._frames: list[bytes] = []  # frames of a message still missing its last one
        self._big: FrameCollector | None = None  # a large frame still arriving
        # The last frame header read announced a HUGE_FRAME (see read_hint).
        self._after_huge = False
        self._pending: deque[Received] = deque()
        # Messages the current next_events() call may still return (negative: no limit).
        self._room = -1
        # About the last next_events() result (see there).
        self.messages_returned = 0
        self.limited = False
        self.exhausted = False
        self._error: RemoteProtocolError | None = None
        self._eof = False
        self._out: list[bytes | memoryview] = [
            build_greeting(self.mechanism.name, self.mechanism.as_server)
        ]

    def __repr__(self) -> str:
        peer = f" peer={self.peer_socket_type}" if self.peer_socket_type else ""
        version = f" v{self.peer_version[0]}.{self.peer_version[1]}" if self.peer_version else ""
        return (
            f"<ZmtpConnection {self.socket_type} {self.state.name}{peer}{version}"
            f" buffered={self.buffered_bytes} unsent={len(self._out)}>"
        )

    @property
    def maxmsgsize(self) -> int:
        """The largest frame accepted from the peer (-1: no limit), fixed at construction."""
        return self._maxmsgsize

    @property
    def buffered_bytes(self) -> int:
        """Received octets held that no event has returned yet."""
        held = len(self._buffer) + sum(map(len, self._frames))
        return held + (len(self._big) if self._big is not None else 0)

    # ------------------------------------------------------------------ input

    def read_hint(self) -> int:
        """How many octets the next read should ask for; 0: any amount.

        Huge frames (HUGE_FRAME) arrive whole in one read when that is possible, so
        their bodies are the bytes the read returned, with no joining copy: while one
        is arriving, the rest of its body; right after one, with nothing buffered, just
        a frame header's worth (the next frame is likely huge too, and its body must
        not start inside the read of its header). The caller may read less.
        """
        big = self._big
        if big is not None and big.huge:
            return big.missing
        buffered = len(self._buffer)
        if not buffered:
            return 9 if self._after_huge and not self._transform else 0
        if big is None and self.state is State.READY:
            return self._rest_of_frame(buffered)
        return 0

    def _rest_of_frame(self, buffered: int) -> int:
        """The octets that complete the frame whose start is buffered (0 if a whole
        frame or more is). Read alone, they join only that short tail; the read after
        them starts at a frame boundary and is kept as it comes, where a read of any
        size would be copied whole to join the tail in front of it."""
        head = self._buffer.peek(LONG_HEADER.size)
        long = head[0] & FLAG_LONG
        header = LONG_HEADER.size if long else 2
        if buffered < header:
            return header - buffered
        size = LONG_HEADER.unpack_from(head)[1] if long else head[1]
        return max(0, header + size - buffered)

    def receive_data(self, data: bytes | bytearray | memoryview) -> None:
        """Feed octets received from the peer; b"" means the peer closed (EOF).

        Raises LocalProtocolError for data after EOF. Octets arriving once the
        connection is CLOSED or in ERROR are ignored.
        """
        if not data:
            self._eof = True
            return
        if self._eof:
            raise LocalProtocolError("receive_data() after EOF")
        if self.state is State.ERROR or self.state is State.CLOSED:
            return
        if self._big is not None and self._big.missing:
            data = self._big.feed(data)
            if not data:
                return
        self._buffer.append(data)

    def next_event(self) -> Received | NeedDataType:
        """Return the next event, a message (list of frames), or NEED_DATA.

        Raises RemoteProtocolError (every time) once the peer broke the protocol.
        """
        if not self._pending:
            if self._error is None:
                events: list[Received] = []
                self._room = -1
                self._parse(events)
                self._pending.extend(events)
            if not self._pending:
                if self._error is not None:
                    raise self._error.with_traceback(None)
                return NEED_DATA
        return self._pending.popleft()

    def next_events(self, limit: int = -1) -> list[Received]:
        """Return every complete event and message buffered, in order ([] if none).

        With a ``limit`` (0 or more), at most that many messages are returned and
        decoding stops after the last of them: the rest stays buffered, undecoded,
        for a later call (a reader whose queue is full takes no more, as libzmq's
        engine). Afterwards ``messages_returned`` says how many of the events are
        messages, ``limited`` whether the limit was reached, and ``exhausted`` that
        another call would return nothing until more data arrives (no limit reached,
        no error waiting to be raised).

        Events complete before a protocol error are returned first; the call
        after that raises the RemoteProtocolError.
        """
        events: list[Received] = []
        if self._pending:
            events += self._pending
            self._pending.clear()
        # A negative room never reaches 0: no limit.
        self._room = limit
        if self._error is None:
            if self.state is State.READY and not self._eof:
                # The common case, without _parse's loop over the states: it only
                # takes over if a command changed the state (an ERROR, a close).
                try:
                    self._parse_traffic(events)
                except RemoteProtocolError as error:
                    self._fail(error)
                else:
                    if self.state is not State.READY:
                        self._parse(events)
            else:
                self._parse(events)
        self.messages_returned = limit - self._room
        self.limited = self._room == 0
        self.exhausted = not self.limited and self._error is None
        if self._error is not None and not events:
            raise self._error.with_traceback(None)
        return events

    # ----------------------------------------------------------------- output

    def send_message(self, frames: Sequence[bytes]) -> None:
        """Queue one message (one bytes per frame). Only in READY."""
        if self.state is not State.READY:
            self._advance(Input.SEND_MESSAGE)
        if self._transform:
            self._send_transformed(frames)
        else:
            encode_message(frames, self._out)

    def encode(self, frames: Sequence[bytes]) -> bytes:
        """:meth:`send_message` and :meth:`data_to_send` in one call: what is queued,
        then this message (a request or a reply sent the moment it is made)."""
        if self.state is not State.READY or self._transform or self._out:
            self.send_message(frames)
            return self.data_to_send()
        out: list[bytes | memoryview] = []
        encode_message(frames, out)
        return b"".join(out)

    def send_messages(self, msgs: Iterable[Sequence[bytes]]) -> None:
        """Queue many messages at once (the session's drain loop).

        An empty message raises LocalProtocolError; those before it stay queued.
        """
        if self.state is not State.READY:
            self._advance(Input.SEND_MESSAGE)
        if self._transform:
            for frames in msgs:
                self._send_transformed(frames)
            return
        out = self._out
        if type(msgs) is list and len(msgs) >= MIN_RUN and _equal_size_messages(msgs, out):
            return
        append = out.append
        for frames in msgs:
            if len(frames) == 1 and len(frames[0]) < 256:
                append(SHORT_LAST[len(frames[0])])
                append(frames[0])
            else:
                encode_message(frames, out)

    def send_subscribe(self, topic: bytes) -> None:
        """Subscribe to `topic`: a SUBSCRIBE command, or "\\x01topic" to a 3.0 peer."""
        self._send_subscription(SUBSCRIBE, _SUBSCRIBE_PREFIX, topic)

    def send_cancel(self, topic: bytes) -> None:
        """Cancel one subscription: a CANCEL command, or "\\x00topic" to a 3.0 peer."""
        self._send_subscription(CANCEL, _CANCEL_PREFIX, topic)

    def send_ping(self, ttl: int, context: bytes = b"") -> None:
        """Queue a PING (ttl in deciseconds); nothing is sent to a 3.0 peer."""
        data = ping_data(ttl, context)
        self._advance(Input.SEND_COMMAND)
        if self._version >= (3, 1):
            self._queue_command(PING, data)

    def send_pong(self, context: bytes) -> None:
        """Queue a PONG echoing `context` (at most 16 octets)."""
        if len(context) > MAX_PING_CONTEXT:
            raise LocalProtocolError("a PONG context is at most 16 octets")
        self._advance(Input.SEND_COMMAND)
        self._queue_command(PONG, context)

    def send_error(self, reason: str) -> None:
        """Queue an ERROR command; the connection is CLOSED afterwards.

        Flush data_to_send() and close the transport after this.
        """
        data = error_data(reason)
        next_state(self.state, Input.SEND_ERROR)
        self._queue_command(ERROR, data)
        self._advance(Input.SEND_ERROR)

    @property
    def ended(self) -> bool:
        """True once the connection is CLOSED or in ERROR: it takes no more messages."""
        return self.state is State.CLOSED or self.state is State.ERROR

    @property
    def output_waiting(self) -> bool:
        """True if :meth:`data_to_send` has something (a PONG, handshake commands)."""
        return bool(self._out)

    def data_to_send(self) -> bytes:
        """Return (and forget) every octet queued for the peer, joined."""
        out = self._out
        if not out:
            return b""
        self._out = []
        return b"".join(out)

    def data_to_send_chunks(self) -> list[bytes | memoryview]:
        """Return (and forget) the queued chunks unjoined, for writelines()."""
        out = self._out
        self._out = []
        return out

    # -------------------------------------------------------------------- ZAP

    @property
    def zap_pending(self) -> bool:
        """True between a ZapRequest event and zap_reply() / zap_unavailable()."""
        return self._zap_waiting

    def zap_reply(self, frames: Sequence[bytes]) -> None:
        """Hand over the ZAP handler's reply to our ZapRequest (RFC 27 frames:
        version, request id, status code, status text, user id, metadata).

        The handshake goes on; call next_events() for what follows. A malformed
        reply fails the connection with a PROTOCOL_ERROR_ZAP_* code, raised by
        next_events(). Ignored once the connection is CLOSED or in ERROR;
        LocalProtocolError if no request is pending.
        """
        self._resume_after_zap(lambda: self.mechanism.process_zap_reply(frames))

    def zap_unavailable(self) -> None:
        """No ZAP handler is bound: the mechanism admits or refuses the peer as
        libzmq's would (NULL and CURVE admit unless ZAP_ENFORCE_DOMAIN; PLAIN refuses).
        Same rules as :meth:`zap_reply`."""
        self._resume_after_zap(self.mechanism.zap_unavailable)

    def _resume_after_zap(self, answer: Callable[[], None]) -> None:
        if self.state is State.CLOSED or self.state is State.ERROR:
            return
        if not self._zap_waiting:
            raise LocalProtocolError("no ZAP request is pending")
        self._zap_waiting = False
        events: list[Received] = []
        try:
            answer()
            self._pump_mechanism(events)
            self._check_mechanism(events)
        except RemoteProtocolError as error:
            self._fail(error)
        self._pending.extend(events)

    # ------------------------------------------------------- state machinery

    def _advance(self, event: Input) -> None:
        self.state = next_state(self.state, event)

    def _fail(self, error: RemoteProtocolError) -> None:
        self._error = error
        self.state = next_state(self.state, Input.PROTOCOL_VIOLATION)
        self._drop_input()

    def _drop_input(self) -> None:
        self._buffer.clear()
        self._frames = []
        self._big = None

    def _parse(self, out: list[Received]) -> None:
        """Append every complete event to `out`, moving through states as needed."""
        try:
            while True:
                state = self.state
                if state is State.READY:
                    self._parse_traffic(out)
                elif state is State.GREETING:
                    self._parse_greeting(out)
                elif state is State.HANDSHAKE:
                    self._parse_handshake(out)
                elif state is State.CLOSED:
                    out.append(ConnectionClosed())
                    return
                else:
                    return
                if self.state is state:
                    if not self._eof or not self._room:
                        return
                    self._drop_input()
                    self._advance(Input.EOF)
        except RemoteProtocolError as error:
            self._fail(error)

    # -------------------------------------------------- greeting, handshake

    def _parse_greeting(self, out: list[Received]) -> None:
        prefix = self._buffer.peek(GREETING_SIZE)
        check_greeting_prefix(prefix, self.mechanism.name)
        if len(prefix) < GREETING_SIZE:
            return
        self._buffer.consume(GREETING_SIZE)
        greeting = parse_greeting(prefix, self.mechanism.name)
        self.peer_version = self._version = greeting.version
        self._advance(Input.GREETING_RECEIVED)
        self._pump_mechanism(out)

    def _pump_mechanism(self, out: list[Received]) -> None:
        """Queue the mechanism's handshake commands; surface its ZAP request, if any."""
        while (command := self.mechanism.next_handshake_command()) is not None:
            self._out.append(self.mechanism.encode_handshake_command(*command))
        request = self.mechanism.zap_request()
        if request is not None:
            self._zap_waiting = True
            out.append(ZapRequest(tuple(request)))

    def _parse_handshake(self, out: list[Received]) -> None:
        buffer = self._buffer
        while self.state is State.HANDSHAKE:
            header = parse_frame_header(buffer.peek(9))
            if header is None:
                return
            flags, size, header_size = header
            _check_handshake_header(flags, size, self._limit)
            if len(buffer) < header_size + size:
                return
            buffer.consume(header_size)
            name, data = self.mechanism.split_handshake_command(buffer.take(size))
            self._advance(Input.HANDSHAKE_COMMAND)
            self.mechanism.process_handshake_command(name, data)
            self._pump_mechanism(out)
            self._check_mechanism(out)

    def _check_mechanism(self, out: list[Received]) -> None:
        mechanism = self.mechanism
        if mechanism.auth_failure is not None:
            out.append(AuthenticationFailed(mechanism.auth_failure, mechanism.auth_reason))
            self._advance(Input.AUTH_FAILED)
            return
        status = mechanism.status
        if status is MechanismStatus.READY:
            self._complete_handshake(out)
        elif status is MechanismStatus.ERROR:
            reason = mechanism.peer_error
            if reason is None:
                raise RemoteProtocolError("security handshake failed")
            code = status_code(reason)
            if code is not None and code != 200:
                out.append(AuthenticationFailed(code, reason, by_peer=True))
            out.append(PeerError(reason))
            self._advance(Input.ERROR_RECEIVED)

    def _complete_handshake(self, out: list[Received]) -> None:
        properties = self.mechanism.peer_properties
        raw_type = find_property(properties, "Socket-Type")
        peer_type = raw_type.decode("latin-1") if raw_type is not None else None
        if not peer_type_allowed(self.socket_type, peer_type):
            raise RemoteProtocolError(
                f"a {self.socket_type} socket cannot talk to Socket-Type {peer_type!r}",
                PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
            )
        self.peer_properties = properties
        self.peer_socket_type = peer_type
        self.peer_user_id = self.mechanism.user_id
        self.zap_properties = dict(self.mechanism.zap_properties)
        self._advance(Input.HANDSHAKE_COMPLETE)
        out.append(HandshakeComplete(self._version, dict(properties)))

    # -------------------------------------------------------------- traffic

    def _parse_traffic(self, out: list[Received]) -> None:
        """The hot path: every complete frame in the buffer, in READY (up to the limit)."""
        if not self._room or not self._finish_big(out):
            return
        buffer = self._buffer
        if len(buffer) < self._need:
            return
        if self._transform:
            self._parse_transformed(out)
            return
        data, first = buffer.view()
        end = len(data)
        if (
            not self._frames
            and not self._publisher
            and self._limit >= 255
            and self._lone_message(data, first, end, out)
        ):
            return
        pos, want = self._parse_frames(data, first, end, out)
        if pos != first:
            big = self._big
            self._after_huge = big is not None and big.huge
        buffer.consume(pos - first)
        self._need = want - pos if self._room else 1

    def _finish_big(self, out: list[Received]) -> bool:
        """A large frame gathered in chunks: deliver it once whole. False while it is
        still arriving, or if it ended the READY state (a command)."""
        big = self._big
        if big is None:
            return True
        if big.missing:
            return False
        self._big = None
        self._on_frame(big.flags, big.join(), out)
        if self.state is not State.READY:
            return False
        self._after_huge = big.huge
        return True

    def _lone_message(self, data: bytes, first: int, end: int, out: list[Received]) -> bool:
        """The latency path: the buffer holds one whole message of short data frames and
        nothing after it (a request, a reply). True if it took it; anything else goes
        to :meth:`_parse_frames`."""
        parts = []
        pos = first
        while pos + 1 < end:
            flags = data[pos]
            if flags & 6:
                return False  # long, or a command
            stop = pos + 2 + data[pos + 1]
            if stop > end:
                return False
            parts.append(data[pos + 2 : stop])
            pos = stop
            if not flags & 1:  # the last frame (reserved bits ignored, as below)
                if pos != end:
                    return False
                out.append(tuple(parts))
                self._room -= 1
                self._after_huge = False
                self._buffer.consume(end - first)
                self._need = 1
                return True
        return False

    def _parse_frames(
        self, data: bytes, pos: int, end: int, out: list[Received]
    ) -> tuple[int, int]:
        """The general loop over the frames from ``pos``: (where it stopped, the octet
        count it needs before it can go on). Flag bits are literals here (a constant
        load, not a global lookup): 1 MORE, 2 LONG, 4 COMMAND, 5 MORE|COMMAND."""
        frames, limit, publisher = self._frames, self._limit, self._publisher
        want = end + 1
        room = self._room  # messages this call may still return: the pipe's room
        runs = _Runs(limit >= 255 and not publisher, not publisher)
        while pos < end and room:
            flags = data[pos]
            if not frames and (flags == 0 or flags == 2) and runs.worth(flags, data, pos, end):
                taken, pos = runs.take(flags, data, pos, end, room, limit, out)
                if taken:
                    room -= taken
                    continue
            start = pos + (9 if flags & 2 else 2)
            if start > end:
                want = start
                break
            size = LONG_HEADER.unpack_from(data, pos)[1] if flags & 2 else data[pos + 1]
            if size > limit:
                raise _oversize(size, limit)
            stop = start + size
            if stop > end:
                pos, want = self._partial_frame(flags, data, start, stop, end)
                break
            body = data[start:stop]
            pos = stop
            if not flags & 5:
                message = (*frames, body) if frames else (body,)
                frames = []
                if publisher and message[0][:1] in (b"\x00", b"\x01"):
                    self._subscription_message(message, out)
                else:
                    out.append(message)
                    room -= 1
            elif flags & 4:
                self._on_command(flags, body, out)
                if self.state is not State.READY:
                    break
            else:
                frames.append(body)
        self._frames = frames
        self._room = room
        return pos, want

    def _partial_frame(
        self, flags: int, data: bytes, start: int, stop: int, end: int
    ) -> tuple[int, int]:
        """A frame whose body is still arriving: a big one is gathered in chunks from
        now on (everything is taken), a small one waits for ``stop`` octets."""
        if stop - start >= BIG_FRAME:
            self._start_big(flags, stop - end, data[start:])
            return end, end + 1
        return start - (9 if flags & 2 else 2), stop

    def _parse_transformed(self, out: list[Received]) -> None:
        """READY with a frame-transforming mechanism (CURVE): every complete wire frame,
        whatever its flags, goes through the mechanism's decode_frame (in _on_frame).

        Walks one bytes snapshot of the buffer as the NULL loop does; the per-frame cost
        beyond the mechanism's own is a header read and one body slice.
        """
        buffer = self._buffer
        data, first = buffer.view()
        end = len(data)
        pos = first
        want = end + 1
        limit = self._limit
        unpack_from = LONG_HEADER.unpack_from
        on_frame = self._on_frame
        while pos < end and self._room and self.state is State.READY:
            flags = data[pos]
            start = pos + (9 if flags & FLAG_LONG else 2)
            if start > end:
                want = start
                break
            size = unpack_from(data, pos)[1] if flags & FLAG_LONG else data[pos + 1]
            if size > limit:
                raise _oversize(size, limit)
            stop = start + size
            if stop > end:
                if size >= BIG_FRAME:
                    self._start_big(flags, stop - end, data[start:])
                    pos = end
                else:
                    want = stop
                break
            pos = stop
            on_frame(flags, data[start:stop], out)
        buffer.consume(pos - first)
        self._need = want - pos if self._room and self._big is None else 1

    def _on_frame(self, flags: int, body: bytes, out: list[Received]) -> None:
        if self._transform:
            flags, body = self.mechanism.decode_frame(flags, body)
        if flags & FLAG_COMMAND:
            self._on_command(flags, body, out)
        elif flags & FLAG_MORE:
            self._frames.append(body)
        else:
            message = (*self._frames, body)
            self._frames = []
            if self._publisher and message[0][:1] in (b"\x00", b"\x01"):
                self._subscription_message(message, out)
            else:
                out.append(message)
                self._room -= 1

    def _start_big(self, flags: int, missing: int, head: bytes) -> None:
        self._big = FrameCollector(flags, head, missing)
        self._need = 1

    def _on_command(self, flags: int, body: bytes, out: list[Received]) -> None:
        """Handle one command in READY (see the module header for the policy)."""
        if flags & FLAG_MORE:
            raise RemoteProtocolError(
                "command frame with MORE set", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED
            )
        if not body or body[0] == 0 or len(body) < 1 + body[0]:
            return  # malformed: libzmq 4.3 drops it silently, so do we
        name, data = split_command(body)
        self._advance(Input.COMMAND_RECEIVED)
        if name == PING:
            ttl, context = decode_ping(data)
            self._queue_command(PONG, context)
            out.append(Ping(ttl, context))
        elif name == PONG:
            out.append(Pong(data))
        elif name == SUBSCRIBE:
            out.append(Subscribe(data))
        elif name == CANCEL:
            out.append(Cancel(data))
        elif name == ERROR:
            out.append(PeerError(decode_error_reason(data)))
            self._advance(Input.ERROR_RECEIVED)

    def _subscription_message(self, message: tuple[bytes, ...], out: list[Received]) -> None:
        """ZMTP 3.0 subscriptions: "\\x01topic" subscribes, "\\x00topic" cancels.

        Like libzmq's xpub.cpp, each frame of such a message is read this way;
        a frame without the prefix is not a subscription and is dropped.
        """
        for frame in message:
            if frame[:1] == b"\x01":
                out.append(Subscribe(frame[1:]))
            elif frame[:1] == b"\x00":
                out.append(Cancel(frame[1:]))

    # ------------------------------------------------------- output helpers

    def _send_subscription(self, name: bytes, prefix: int, topic: bytes) -> None:
        if self._version >= (3, 1):
            self._advance(Input.SEND_COMMAND)
            self._queue_command(name, topic)
        else:
            self.send_message([bytes((prefix,)) + topic])

    def _queue_command(self, name: bytes, data: bytes) -> None:
        body = command_body(name, data)
        flags = FLAG_COMMAND
        if self._transform and self.state is State.READY:
            flags, body = self.mechanism.encode_frame(flags, body)
        self._out += (frame_header(flags, len(body)), body)

    def _send_transformed(self, frames: Sequence[bytes]) -> None:
        if not frames:
            raise LocalProtocolError("a message has at least one frame")
        last = len(frames) - 1
        for index, frame in enumerate(frames):
            flags, body = self.mechanism.encode_frame(FLAG_MORE if index < last else 0, frame)
            self._out += (frame_header(flags, len(body)), body)


MIN_RUN: Final = 16
"""Fewest equal frames worth the C-speed paths (they cost about as much as 16 frames)."""


_RUN_STRUCTS: dict[tuple[int, int], Struct] = {}


def _short_frames(data: bytes, pos: int, end: int, room: int, out: list[Received]) -> int:
    """Append ``(body,)`` for the short, final data frames from ``pos`` on, at most
    ``room`` of them (negative: no limit); returns where the first other frame starts."""
    append = out.append
    last = end - 1
    for _ in range(room if room > 0 else end):
        if pos >= last or data[pos]:
            break
        stop = pos + 2 + data[pos + 1]
        if stop > end:
            break
        append((data[pos + 2 : stop],))
        pos = stop
    return pos


def _equal_short_frames(data: bytes, pos: int, end: int, room: int, out: list[Received]) -> int:
    """:func:`_short_frames` for a run of at least MIN_RUN frames of one size, without a
    Python loop (see :func:`_equal_frames`). Returns ``pos`` unchanged if there is no run.
    """
    return _equal_frames(data, pos, end, room, out, 2, data[pos + 1])


def _equal_long_frames(
    data: bytes, pos: int, end: int, room: int, limit: int, out: list[Received]
) -> int:
    """:func:`_equal_short_frames` for long final data frames (flags 2, a 9-octet header)
    of one size below BIG_FRAME and within ``limit``."""
    if pos + 9 > end:
        return pos
    size: int = LONG_HEADER.unpack_from(data, pos)[1]
    if size >= BIG_FRAME or (0 <= limit < size):
        return pos
    return _equal_frames(data, pos, end, room, out, 9, size)


def _equal_frames(
    data: bytes, pos: int, end: int, room: int, out: list[Received], head: int, size: int
) -> int:
    """Split a run of at least MIN_RUN frames from ``pos`` on whose ``head``-octet headers
    are all the first one's (a final data frame of ``size`` octets): each header octet,
    taken at the stride by a strided slice, is the same all along the run, and one
    ``Struct.iter_unpack`` splits it. Returns ``pos`` unchanged if there is no such run.
    """
    stride = size + head
    count = (end - pos) // stride
    if 0 < room < count:
        count = room
    if count < MIN_RUN:
        return pos
    stop = pos + count * stride
    for offset in range(head):
        octets = data[pos + offset : stop : stride]
        same = len(octets) - len(octets.lstrip(octets[:1]))
        if same < count:
            count = same
            if count < MIN_RUN:
                return pos
    key = (head, size)
    frame = _RUN_STRUCTS.get(key)
    if frame is None:
        frame = Struct(f"{head}x{size}s")
        if len(_RUN_STRUCTS) < 512:  # long sizes are the peer's choice: keep a few
            _RUN_STRUCTS[key] = frame
    stop = pos + count * stride
    out.extend(frame.iter_unpack(memoryview(data)[pos:stop]))
    return stop


class _Runs:
    """Runs of equal frames, taken at C speed (see _equal_short_frames and
    _equal_long_frames): whether one is worth trying at a frame, and the taking.
    Each kind is tried until it finds none, and long runs once per call."""

    __slots__ = ("long", "short", "short_runs")

    def __init__(self, short: bool, long: bool) -> None:
        self.short = short  # short final data frames may be taken in runs
        self.short_runs = short  # ... of one size, with Struct.iter_unpack
        self.long = long

    def worth(self, flags: int, data: bytes, pos: int, end: int) -> bool:
        """More than this one frame to take: a lone message (a request, a reply) goes
        through the general path."""
        if not flags:
            return self.short and pos + 1 < end and end - pos > data[pos + 1] + 2
        return flags == 2 and self.long

    def take(
        self, flags: int, data: bytes, pos: int, end: int, room: int, limit: int,
        out: list[Received],
    ) -> tuple[int, int]:
        """(messages taken, position after them) from a run at ``pos``."""
        before = len(out)
        if flags == 2:
            after = _equal_long_frames(data, pos, end, room, limit, out)
            if after == pos:
                self.long = False
            return len(out) - before, after
        after = pos
        if self.short_runs and end - pos >= (data[pos + 1] + 2) * MIN_RUN:
            after = _equal_short_frames(data, pos, end, room, out)
            self.short_runs = after != pos
        taken = len(out) - before
        if room < 0 or room > taken:
            after = _short_frames(data, after, end, room - taken, out)
        return len(out) - before, after


def _equal_size_messages(msgs: list[Sequence[bytes]], out: list[bytes | memoryview]) -> bool:
    """Encode ``msgs`` without a Python loop if each is one frame, all of one size below
    BIG_FRAME: their headers are all the same, so ``header.join([b"", *bodies])`` lays
    out every frame. False (``out`` untouched) for any other batch.
    """
    try:
        bodies = [body for (body,) in msgs]
    except ValueError:
        return False  # a message of several frames
    sizes = set(map(len, bodies))
    if len(sizes) != 1:
        return False
    size = sizes.pop()
    if size >= BIG_FRAME:
        return False  # large bodies go to sendmsg() as they are, not joined
    header = SHORT_LAST[size] if size < 256 else LONG_HEADER.pack(FLAG_LONG, size)
    bodies.insert(0, b"")  # so the join starts with a header: one piece, one copy
    out.append(header.join(bodies))
    return True


def _check_handshake_header(flags: int, size: int, limit: int) -> None:
    """Refuse a frame during the handshake as soon as its header is known."""
    if not flags & FLAG_COMMAND:
        raise RemoteProtocolError(
            "message frame before the handshake completed", PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND
        )
    if flags & FLAG_MORE:
        raise RemoteProtocolError(
            "command frame with MORE set", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED
        )
    if size > HANDSHAKE_COMMAND_MAX:
        raise RemoteProtocolError(
            f"handshake command of {size} octets (limit {HANDSHAKE_COMMAND_MAX})",
            PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
        )
    if size > limit:
        raise _oversize(size, limit)


def _oversize(size: int, limit: int) -> RemoteProtocolError:
    if size > MAX_FRAME_SIZE:
        return RemoteProtocolError(f"frame size {size} exceeds 2**63-1")
    return RemoteProtocolError(f"frame of {size} octets exceeds MAXMSGSIZE {limit}")
