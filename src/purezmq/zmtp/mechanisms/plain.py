# The PLAIN security mechanism: a user name and a password in clear text.
#
# Theory of operation (RFC 24, "Formal Grammar"; libzmq src/plain_client.cpp,
# src/plain_server.cpp):
#
#   C: hello    = command-size %d5 "HELLO" username password
#   S: welcome  = command-size %d7 "WELCOME"
#   C: initiate = command-size %d8 "INITIATE" metadata
#   S: ready    = command-size %d5 "READY" metadata
#   S: error    = command-size %d5 "ERROR" error-reason     (instead of WELCOME)
#   username = OCTET *username-char ; password = OCTET *password-char (0-255 each)
#
# The server takes HELLO, asks the ZAP handler (RFC 27) with the user name and
# password as credentials, and answers WELCOME on status 200. A refusal is an
# ERROR command whose reason is the status code (none for 300), and libzmq
# 4.3 refuses outright when no handler is bound: PLAIN without ZAP would
# authenticate nobody. Faults get libzmq's codes: a command other than the
# expected one is UNEXPECTED_COMMAND (ZMTP_UNSPECIFIED on the server while it
# waits for ZAP, as libzmq's default branch), a HELLO whose fields do not fill
# it exactly is MALFORMED_COMMAND_HELLO, a WELCOME with data is
# MALFORMED_COMMAND_WELCOME, bad metadata is INVALID_METADATA. An ERROR from
# the server ends the client's handshake with `peer_error` set.
#
# libzmq 4.3's ERROR quirk: its plain_common.hpp spells the prefix "\x05ERROR",
# which C reads as the one octet 0x5E ("\x05E" is a single hex escape) then
# "RROR". So a libzmq PLAIN server sends a refusal as the 9-octet body
# "^RROR" %x03 "400", malformed by RFC 37, and a libzmq PLAIN client
# recognises only that form: an RFC ERROR makes it fail with
# UNEXPECTED_COMMAND instead of reporting the status code. PlainClient
# accepts both forms; PlainServer sends libzmq's form by default (byte for
# byte what a libzmq server sends, so every peer that talks to libzmq
# understands it), or RFC 37's form with rfc_error=True.
from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

from ..codec import (
    ERROR,
    FLAG_COMMAND,
    READY,
    decode_error_reason,
    decode_properties,
    encode_properties,
    frame_header,
)
from ..errors import (
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    LocalProtocolError,
    RemoteProtocolError,
)
from .base import Mechanism, MechanismStatus
from .zap import ZapExchange, ZapSettings

HELLO: Final = b"HELLO"
WELCOME: Final = b"WELCOME"
INITIATE: Final = b"INITIATE"
LIBZMQ_ERROR: Final = b"\x5eRROR"
"""How libzmq 4.3's PLAIN writes an ERROR command's name and its length (see above)."""
MAX_CREDENTIAL: Final = 255
"""User names and passwords are "short strings" of at most 255 octets (RFC 24)."""


class _Step(enum.Enum):
    """Where a PLAIN peer is in RFC 24's exchange."""

    SEND_HELLO = "SEND_HELLO"
    EXPECT_HELLO = "EXPECT_HELLO"
    WAIT_ZAP = "WAIT_ZAP"
    SEND_WELCOME = "SEND_WELCOME"
    EXPECT_WELCOME = "EXPECT_WELCOME"
    SEND_INITIATE = "SEND_INITIATE"
    EXPECT_INITIATE = "EXPECT_INITIATE"
    SEND_READY = "SEND_READY"
    EXPECT_READY = "EXPECT_READY"
    DONE = "DONE"


def encode_hello(username: bytes, password: bytes) -> bytes:
    """Return a HELLO command's data. Raises LocalProtocolError for over-long fields."""
    if len(username) > MAX_CREDENTIAL or len(password) > MAX_CREDENTIAL:
        raise LocalProtocolError("a PLAIN user name or password is at most 255 octets")
    return bytes((len(username),)) + username + bytes((len(password),)) + password


def decode_hello(data: bytes) -> tuple[bytes, bytes]:
    """Return (username, password) from HELLO data that they fill exactly."""
    name_end = 1 + data[0] if data else 1
    if len(data) < name_end + 1 or len(data) != name_end + 1 + data[name_end]:
        raise RemoteProtocolError(
            "malformed PLAIN HELLO", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO
        )
    return data[1:name_end], data[name_end + 1 :]


def _unexpected(
    name: bytes, step: _Step, code: int = PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND
) -> RemoteProtocolError:
    return RemoteProtocolError(f"PLAIN: unexpected {name!r} in {step.name}", code)


class PlainClient(Mechanism):
    """RFC 24's client: HELLO with credentials, then INITIATE with our metadata."""

    name = b"PLAIN"

    def __init__(
        self, properties: Mapping[str, bytes], *, username: bytes = b"", password: bytes = b""
    ) -> None:
        super().__init__(properties, as_server=False)
        self._hello = encode_hello(username, password)
        self._step = _Step.SEND_HELLO

    def next_handshake_command(self) -> tuple[bytes, bytes] | None:
        """HELLO first, INITIATE after WELCOME, otherwise None."""
        if self._step is _Step.SEND_HELLO:
            self._step = _Step.EXPECT_WELCOME
            return HELLO, self._hello
        if self._step is _Step.SEND_INITIATE:
            self._step = _Step.EXPECT_READY
            return INITIATE, encode_properties(self.properties)
        return None

    def process_handshake_command(self, name: bytes, data: bytes) -> None:
        """Take WELCOME, READY or ERROR, each only when it is due."""
        step = self._step
        if name == WELCOME and step is _Step.EXPECT_WELCOME:
            if data:
                raise RemoteProtocolError(
                    "PLAIN WELCOME with data", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME
                )
            self._step = _Step.SEND_INITIATE
        elif name == READY and step is _Step.EXPECT_READY:
            self.peer_properties = decode_properties(data)
            self._step = _Step.DONE
            self.status = MechanismStatus.READY
        elif name == ERROR and step in (_Step.EXPECT_WELCOME, _Step.EXPECT_READY):
            self.peer_error = decode_error_reason(data)
            self._step = _Step.DONE
            self.status = MechanismStatus.ERROR
        else:
            raise _unexpected(name, step)

    def split_handshake_command(self, body: bytes) -> tuple[bytes, bytes]:
        """Read libzmq 4.3's "^RROR" refusal as the ERROR command it means."""
        if body.startswith(LIBZMQ_ERROR):
            return ERROR, body[len(LIBZMQ_ERROR) :]
        return super().split_handshake_command(body)


class PlainServer(Mechanism):
    """RFC 24's server: HELLO goes to the ZAP handler; WELCOME or ERROR answers it."""

    name = b"PLAIN"

    def __init__(
        self,
        properties: Mapping[str, bytes],
        *,
        zap: ZapSettings | None = None,
        rfc_error: bool = False,
    ) -> None:
        super().__init__(properties, as_server=True)
        self._rfc_error = rfc_error
        self._exchange = ZapExchange(zap if zap is not None else ZapSettings(), self.name)
        self._zap = self._exchange
        self._step = _Step.EXPECT_HELLO

    def next_handshake_command(self) -> tuple[bytes, bytes] | None:
        """WELCOME once ZAP admitted the peer, READY after INITIATE, or the ERROR of a refusal."""
        refusal = self._refusal_command()
        if refusal is not None:
            return refusal
        if self._step is _Step.SEND_WELCOME:
            self._step = _Step.EXPECT_INITIATE
            return WELCOME, b""
        if self._step is _Step.SEND_READY:
            self._step = _Step.DONE
            self.status = MechanismStatus.READY
            return READY, encode_properties(self.properties)
        return None

    def process_handshake_command(self, name: bytes, data: bytes) -> None:
        """Take HELLO, then INITIATE; anything else is refused with libzmq's code."""
        step = self._step
        expected = {_Step.EXPECT_HELLO: HELLO, _Step.EXPECT_INITIATE: INITIATE}.get(step)
        if expected is None:
            raise _unexpected(name, step, PROTOCOL_ERROR_ZMTP_UNSPECIFIED)
        if name != expected:
            raise _unexpected(name, step)
        if step is _Step.EXPECT_HELLO:
            username, password = decode_hello(data)
            self._step = _Step.WAIT_ZAP
            self._exchange.ask((username, password))
        else:
            self.peer_properties = decode_properties(data)
            self._step = _Step.SEND_READY

    def encode_handshake_command(self, name: bytes, data: bytes) -> bytes:
        """An ERROR in libzmq 4.3's form unless `rfc_error` (see the module header)."""
        if name != ERROR or self._rfc_error:
            return super().encode_handshake_command(name, data)
        body = LIBZMQ_ERROR + data
        return frame_header(FLAG_COMMAND, len(body)) + body

    def _admits_without_zap(self) -> bool:
        return False  # libzmq 4.3: PLAIN with no ZAP handler authenticates nobody

    def _zap_admitted(self) -> None:
        self._step = _Step.SEND_WELCOME
