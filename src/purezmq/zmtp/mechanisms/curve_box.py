# CurveZMQ's boxes and its MESSAGE traffic, on PyNaCl.
#
# Theory of operation (RFC 26 "Command Encryption" and "The MESSAGE Command";
# libzmq src/curve_mechanism_base.cpp, curve_encoding_t): every box is
# NaCl's crypto_box (Curve25519, XSalsa20, Poly1305) under a 24-octet nonce
# made of a 16-octet prefix that names the command and an 8-octet big-endian
# counter; the cookie is a crypto_secretbox. On the wire a box is the
# 16-octet MAC followed by the ciphertext, which is what PyNaCl's functions
# take and return.
#
#   message  = %d7 "MESSAGE" short-nonce box      (short-nonce: 8 octets)
#   box      = crypto_box_afternm(flags body)     (nonce "CurveZMQMESSAGEC"
#                                                  from the client, "...S"
#                                                  from the server)
#   flags    = MORE %x01 | COMMAND %x02            (libzmq's msg_t flags)
#
# After the handshake each frame costs one precomputed-key crypto_box_afternm
# or crypto_box_open_afternm; nonces are built with struct. libzmq 4.3 sends a
# MESSAGE as a frame with no flags at all (MORE and COMMAND travel inside the
# box), so encode_frame returns flags 0 and decode_frame ignores the wire
# flags: every frame must be a MESSAGE. Refusals, in libzmq's order: a body
# that is not a command (MALFORMED_COMMAND_UNSPECIFIED), a command that is not
# MESSAGE (UNEXPECTED_COMMAND), a MESSAGE too short for nonce, MAC and flags
# (MALFORMED_COMMAND_MESSAGE), a nonce not above the last one: a replay or a
# reordering (INVALID_SEQUENCE), a box that does not open (CRYPTOGRAPHIC).
#
# Our own counter never repeats a nonce: sending past 2**64-1 is a
# LocalProtocolError. PyNaCl is imported when a CURVE mechanism is built, never
# at import time; without it the error names the extra to install.
from __future__ import annotations

from collections.abc import Callable, Mapping
from struct import Struct
from typing import Any, Final

from ..errors import (
    PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
    PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    LocalProtocolError,
    RemoteProtocolError,
)
from .base import Mechanism

INSTALL_HINT: Final = "CURVE needs PyNaCl: pip install 'purezmq[curve]'"
KEY_SIZE: Final = 32
NONCE_MAX: Final = 2**64 - 1
MESSAGE_HEAD: Final = b"\x07MESSAGE"
MESSAGE_MIN: Final = len(MESSAGE_HEAD) + 8 + 16 + 1  # head, short nonce, MAC, flags
CLIENT_MESSAGE_PREFIX: Final = b"CurveZMQMESSAGEC"
SERVER_MESSAGE_PREFIX: Final = b"CurveZMQMESSAGES"

U64: Final = Struct(">Q")

# ZMTP frame flags (MORE 1, COMMAND 4) -> the flags octet inside the box (MORE 1,
# COMMAND 2), indexed by flags & 5; and back, indexed by the octet & 3.
_TO_BOX: Final = (b"\x00", b"\x01", b"", b"", b"\x02", b"\x03")
_FROM_BOX: Final = (0, 1, 4, 5)

Random = Callable[[int], bytes]


class CurveUnavailableError(LocalProtocolError):
    """PyNaCl is not installed, so CURVE cannot be used."""


def nacl_bindings() -> Any:
    """Return PyNaCl's low-level bindings; CurveUnavailableError (naming the extra) if absent."""
    try:
        import nacl.bindings
        import nacl.exceptions
    except ImportError as exc:
        raise CurveUnavailableError(INSTALL_HINT) from exc
    return nacl.bindings


def check_key(key: bytes, what: str) -> bytes:
    """Return `key` as bytes if it is a 32-octet binary key; LocalProtocolError otherwise."""
    if len(key) != KEY_SIZE:
        raise LocalProtocolError(f"CURVE {what} must be {KEY_SIZE} octets, got {len(key)}")
    return bytes(key)


def crypto_failure(what: str) -> RemoteProtocolError:
    """The error for a box that does not open."""
    return RemoteProtocolError(f"CURVE: cannot open {what}", PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)


class CurveMechanism(Mechanism):
    """What CURVE's client and server share: the boxes, the nonces, MESSAGE traffic."""

    name = b"CURVE"
    transforms_frames = True
    _send_prefix: bytes = b""
    _recv_prefix: bytes = b""

    def __init__(
        self,
        properties: Mapping[str, bytes],
        *,
        as_server: bool,
        random: Random | None,
        first_nonce: int,
    ) -> None:
        nacl = nacl_bindings()
        super().__init__(properties, as_server=as_server)
        self.nacl = nacl
        self._crypto_error: type[Exception] = nacl_error_class()
        self._random: Random = random if random is not None else nacl.randombytes
        self._box_afternm = nacl.crypto_box_afternm
        self._open_afternm = nacl.crypto_box_open_afternm
        self._nonce = first_nonce  # the next of our short nonces
        self._peer_nonce = 0  # the last of the peer's short nonces
        self._precom = b""  # crypto_box_beforenm(peer short-term, ours), once known

    def short_term_keypair(self) -> tuple[bytes, bytes]:
        """A fresh (public, secret) pair from our random source (crypto_box_keypair's way)."""
        secret = self._random(KEY_SIZE)
        return self.nacl.crypto_scalarmult_base(secret), secret

    def next_short_nonce(self) -> bytes:
        """Our next 8-octet nonce; LocalProtocolError once 2**64 nonces are used."""
        nonce = self._nonce
        if nonce > NONCE_MAX:
            raise LocalProtocolError("CURVE nonces exhausted: reconnect to renew the keys")
        self._nonce = nonce + 1
        return U64.pack(nonce)

    def seal(self, plaintext: bytes, nonce: bytes, public: bytes, secret: bytes) -> bytes:
        """crypto_box: MAC and ciphertext."""
        result: bytes = self.nacl.crypto_box(plaintext, nonce, public, secret)
        return result

    def unseal(self, box: bytes, nonce: bytes, public: bytes, secret: bytes, what: str) -> bytes:
        """crypto_box_open; RemoteProtocolError(CRYPTOGRAPHIC) if the box does not open."""
        try:
            result: bytes = self.nacl.crypto_box_open(box, nonce, public, secret)
        except self._crypto_error:
            raise crypto_failure(what) from None
        return result

    def seal_precomputed(self, plaintext: bytes, nonce: bytes) -> bytes:
        """crypto_box_afternm under the connection's short-term key pair."""
        result: bytes = self._box_afternm(plaintext, nonce, self._precom)
        return result

    def unseal_precomputed(self, box: bytes, nonce: bytes, what: str) -> bytes:
        """crypto_box_open_afternm; RemoteProtocolError(CRYPTOGRAPHIC) on failure."""
        try:
            result: bytes = self._open_afternm(box, nonce, self._precom)
        except self._crypto_error:
            raise crypto_failure(what) from None
        return result

    def encode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        """One frame -> one MESSAGE command, sent as a frame without flags (libzmq 4.3)."""
        nonce = self._nonce  # next_short_nonce, inlined: this runs for every frame
        if nonce > NONCE_MAX:
            raise LocalProtocolError("CURVE nonces exhausted: reconnect to renew the keys")
        self._nonce = nonce + 1
        short = U64.pack(nonce)
        box = self._box_afternm(_TO_BOX[flags & 5] + body, self._send_prefix + short, self._precom)
        return 0, b"".join((MESSAGE_HEAD, short, box))

    def decode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        """One wire frame, whatever its flags, -> the (flags, body) inside its MESSAGE box."""
        if not body.startswith(MESSAGE_HEAD) or len(body) < MESSAGE_MIN:
            raise _not_a_message(body)
        short = body[8:16]
        nonce = U64.unpack(short)[0]
        if nonce <= self._peer_nonce:
            raise RemoteProtocolError(
                f"CURVE MESSAGE nonce {nonce} after {self._peer_nonce}",
                PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
            )
        try:
            plaintext = self._open_afternm(body[16:], self._recv_prefix + short, self._precom)
        except self._crypto_error:
            raise crypto_failure("MESSAGE") from None
        self._peer_nonce = nonce
        return _FROM_BOX[plaintext[0] & 3], plaintext[1:]


def _not_a_message(body: bytes) -> RemoteProtocolError:
    """libzmq's verdict on a frame that is not a well-formed MESSAGE command."""
    if len(body) <= 1 or len(body) <= body[0]:
        return RemoteProtocolError(
            "CURVE: frame is not a command", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED
        )
    if not body.startswith(MESSAGE_HEAD):
        return RemoteProtocolError(
            "CURVE: command is not MESSAGE", PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND
        )
    return RemoteProtocolError(
        f"CURVE MESSAGE of {len(body)} octets", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE
    )


def nacl_error_class() -> type[Exception]:
    """PyNaCl's CryptoError (what a box that does not open raises)."""
    import nacl.exceptions

    error: type[Exception] = nacl.exceptions.CryptoError
    return error
