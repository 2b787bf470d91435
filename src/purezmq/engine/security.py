"""Security for one connection: its mechanism, its peer's address, and the ZAP client.

Theory of operation (libzmq ``session_base_t::zap_connect`` and ``zap_client_t``;
RFC 27; the mechanisms themselves are sans-I/O, in ``zmtp/mechanisms/``):

- :func:`mechanism_for` builds the mechanism a new connection runs from the socket's
  options as they are when it is made, as libzmq's engine does: MECHANISM and the
  role (PLAIN_SERVER, CURVE_SERVER, or a client's credentials) decide which one; a
  server's ZAP request carries ZAP_DOMAIN, the peer's address and our routing id.
- :class:`Guard` is the part of a Session (``link.py``) that does the above for one
  connection: it makes the connection's ZMTP state with its mechanism, runs the ZAP
  exchange the mechanism asks for, and gives the properties received messages carry.
- :class:`ZapClient` carries one ZAP request to the handler bound at
  ``inproc://zeromq.zap.01`` in the socket's Context and brings the reply back, on
  the loop, without blocking it: the request goes into an inproc pipe to the
  handler's socket (as a REQ would send it: an empty delimiter, then the frames),
  and the handler's reply wakes the pipe, whose wake-up is scheduled on the loop.
  One request per connection: the pipe ends with the reply, or with the connection.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.options import Options, Security
from ..zmtp import (
    PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
    PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    CurveClient,
    CurveServer,
    Mechanism,
    NullMechanism,
    PlainClient,
    PlainServer,
    RemoteProtocolError,
    ZapSettings,
    ZmtpConnection,
    socket_properties,
)

if TYPE_CHECKING:
    from ..core.pipe import Pipe
    from .link import Link

# What a frame-transforming mechanism (CURVE) raises for a MESSAGE it cannot take.
_MESSAGE_FAULTS = frozenset({
    PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
    PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
})
_NO_KEY = bytes(32)  # libzmq's keys start as zeros: an unset key is used as such
_UCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid (SO_PEERCRED)


def mechanism_for(options: Options, socket_type: str, peer_address: str) -> Mechanism:
    """The mechanism a new connection of a ``socket_type`` socket runs, as its options
    say now (libzmq 4.3 ``zmtp_engine``: NULL, PLAIN or CURVE, client or server)."""
    properties = socket_properties(socket_type, options.routing_id)
    zap = ZapSettings(
        domain=options.zap_domain,
        address=peer_address.encode(),
        routing_id=options.routing_id,
        enforce_domain=bool(options.zap_enforce_domain),
    )
    mechanism = options.mechanism
    if mechanism is Security.PLAIN:
        if options.as_server:
            return PlainServer(properties, zap=zap)
        return PlainClient(
            properties, username=options.plain_username, password=options.plain_password
        )
    if mechanism is Security.CURVE:
        if options.as_server:
            return CurveServer(properties, secret_key=options.curve_secretkey or _NO_KEY, zap=zap)
        return CurveClient(
            properties,
            public_key=options.curve_publickey or _NO_KEY,
            secret_key=options.curve_secretkey or _NO_KEY,
            server_key=options.curve_serverkey or _NO_KEY,
        )
    return NullMechanism(properties, as_server=bool(options.as_server), zap=zap)


def message_fault(conn: ZmtpConnection, exc: RemoteProtocolError) -> bool:
    """``exc`` came from the mechanism refusing a MESSAGE after the handshake (a box that
    does not open, a replayed nonce ...): libzmq reports those to the monitor."""
    return conn.mechanism.transforms_frames and exc.code in _MESSAGE_FAULTS


def peer_address(sock: socket.socket | None) -> str:
    """The peer's address as libzmq puts it in Peer-Address and in ZAP requests: the
    IP address of a tcp peer; "localhost:uid:gid:pid" (its credentials) for ipc."""
    if sock is None:
        return ""
    try:
        if sock.family == socket.AF_UNIX:
            return _unix_peer(sock)
        peer = sock.getpeername()
    except OSError:
        return ""
    return str(peer[0]) if isinstance(peer, tuple) else ""


def _unix_peer(sock: socket.socket) -> str:
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return ""
    pid, uid, gid = _UCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, option, _UCRED.size))
    return f"localhost:{uid}:{gid}:{pid}"


class Guard:
    """The security side of one connection (loop thread): its mechanism, the ZAP request
    in flight, the properties its messages carry."""

    __slots__ = ("peer_address", "session", "zap")

    def __init__(self, session: Link) -> None:
        self.session = session
        self.peer_address = ""  # Peer-Address, in libzmq's wording
        self.zap: ZapClient | None = None

    def connection(self, sock: socket.socket | None) -> ZmtpConnection:
        """The ZMTP state of a new connection over ``sock``, with the mechanism the
        socket's options ask for now."""
        host = self.session.host
        options = host.options
        self.peer_address = peer_address(sock)
        return ZmtpConnection(
            host.socket_type,
            identity=options.routing_id,
            mechanism=mechanism_for(options, host.socket_type, self.peer_address),
            maxmsgsize=options.maxmsgsize,
        )

    def properties(self, peer: dict[str, bytes]) -> dict[str, bytes]:
        """What received messages carry (zmq_msg_gets): the peer's ZMTP properties,
        the ZAP handler's User-Id and metadata, and Peer-Address, which win in this
        order in libzmq's stream_engine_base::init_properties."""
        properties = dict(peer)
        conn = self.session.conn
        if conn is not None and conn.peer_user_id is not None:
            properties.update(conn.zap_properties)
        if self.peer_address:
            properties["Peer-Address"] = self.peer_address.encode()
        return properties

    def ask_zap(self, frames: tuple[bytes, ...]) -> None:
        """Our mechanism must ask the ZAP handler: send the request through the
        Context's inproc registry, or say at once that no handler is bound."""
        host = self.session.host
        pipe = host.zap_connect()
        if pipe is None:
            # Answered from the loop, as a reply would be: not inside this decoding.
            host.schedule(self._zap_answered, None)
            return
        self.zap = ZapClient(pipe, host.schedule, self._zap_answered)
        self.zap.send(frames)

    def _zap_answered(self, reply: list[bytes] | None) -> None:
        """The handler's reply (None: there is no handler): the handshake goes on."""
        self.zap = None
        session = self.session
        conn = session.conn
        if conn is None or session.transport is None or not conn.zap_pending:
            return
        with session.lock:
            if reply is None:
                conn.zap_unavailable()
            else:
                conn.zap_reply(reply)
        session.send_output()  # READY, WELCOME, or the ERROR that refuses the peer
        session.received()  # what follows: the handshake's end, or a refusal

    def close(self) -> None:
        """The connection is gone: a ZAP request in flight is abandoned."""
        if self.zap is not None:
            self.zap.close()
            self.zap = None


class ZapClient:
    """One ZAP request in flight to the handler's socket, through an inproc pipe.

    ``pipe`` is our end (made by the host, see ``SessionHost.zap_connect``);
    ``schedule`` runs a callable on the loop from any thread; ``on_reply`` gets the
    reply's RFC 27 frames (the envelope removed), on the loop.
    """

    __slots__ = ("on_reply", "pipe", "schedule")

    def __init__(
        self,
        pipe: Pipe,
        schedule: Callable[..., Any],
        on_reply: Callable[[list[bytes]], None],
    ) -> None:
        self.pipe = pipe
        self.schedule = schedule
        self.on_reply = on_reply
        pipe.sink = self

    def __repr__(self) -> str:
        return f"<ZapClient {'open' if self.pipe.open else 'closed'}>"

    def send(self, frames: tuple[bytes, ...]) -> None:
        """Send the request, as a REQ socket would (an empty delimiter first)."""
        self.pipe.write((b"", *frames))

    def close(self) -> None:
        """Leave the pipe: the handler's socket forgets it (any thread)."""
        if not self.pipe.terminated:
            self.pipe.terminate()

    # -- PipeSink: the handler's socket writes from its own thread ------------

    def read_activated(self, pipe: Pipe) -> None:
        self.schedule(self._take_reply)

    def write_activated(self, pipe: Pipe) -> None:
        pass  # the request is the only message, in a pipe without a HWM

    def pipe_delimited(self, pipe: Pipe) -> None:
        pass  # the handler went away: the handshake timeout ends the wait

    def _take_reply(self) -> None:
        msg = self.pipe.read()
        if msg is None:
            return
        frames = list(msg)
        if frames and not frames[0]:
            del frames[0]  # the envelope's delimiter; a ROUTER-less REP sends just that
        self.close()
        self.on_reply(frames)


__all__ = ["Guard", "ZapClient", "mechanism_for", "message_fault", "peer_address"]
