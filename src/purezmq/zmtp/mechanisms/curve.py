# The CURVE security mechanism: CurveZMQ's handshake, in libzmq's wire format.
#
# Theory of operation (RFC 25 ZMTP-CURVE, RFC 26 CurveZMQ "The Handshake";
# libzmq src/curve_client_tools.hpp, src/curve_server.cpp). Long-term keys:
# the client's C/c, the server's S/s; short-term keys, new for each connection:
# C'/c' and S'/s'. Box[x](A->B) is crypto_box of x from A's secret to B's public.
#
#   C: HELLO     %x01 %x00 (version), 72 zero octets (anti-amplification), C',
#                short nonce N, Box[64 zero octets](C'->S)        "CurveZMQHELLO---"N
#   S: WELCOME   16-octet nonce W, Box[S' + cookie](S->C')               "WELCOME-"W
#                cookie = 16-octet nonce K, secretbox[C' + s'](cookie key) "COOKIE--"K
#   C: INITIATE  cookie, short nonce N,
#                Box[C + V + vouch + metadata](C'->S')             "CurveZMQINITIATE"N
#                vouch = Box[C' + S](C->S'), 16-octet nonce V          "VOUCH---"V
#   S: READY     short nonce N, Box[metadata](S'->C')              "CurveZMQREADY---"N
#   S: ERROR     error-reason, in clear (a ZAP refusal: the status code)
#
# Each side's short nonces count up from 1 across the handshake and then its
# MESSAGE traffic (curve_box.py): the client's HELLO is 1 and its INITIATE 2,
# the server's READY is 1. The cookie key is new for each connection, and the
# server checks that the cookie it gets back holds C' and s'.
#
# After INITIATE the server asks the ZAP handler with C as the credentials
# (libzmq asks unless ZAP_DOMAIN is empty and ZAP_ENFORCE_DOMAIN is set, and
# admits without a handler unless ZAP_ENFORCE_DOMAIN is set). Refusals use
# libzmq's codes: a command out of turn is UNEXPECTED_COMMAND (ZMTP_UNSPECIFIED
# on the server while it waits for ZAP); a HELLO not of 200 octets or not
# version 1.0 is MALFORMED_COMMAND_HELLO; an INITIATE under 257 octets
# MALFORMED_COMMAND_INITIATE; a READY under 30 MALFORMED_COMMAND_READY; a box,
# cookie or vouch that does not open or holds the wrong keys is CRYPTOGRAPHIC,
# except a vouch for other keys: KEY_EXCHANGE. A WELCOME of the wrong size is
# CRYPTOGRAPHIC too, as in libzmq (its check sits in the box-opening code).
from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

from ..codec import ERROR, READY, decode_error_reason, decode_properties, encode_properties
from ..errors import (
    PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
    PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    RemoteProtocolError,
)
from .base import MechanismStatus
from .curve_box import (
    CLIENT_MESSAGE_PREFIX,
    KEY_SIZE,
    SERVER_MESSAGE_PREFIX,
    U64,
    CurveMechanism,
    Random,
    check_key,
    crypto_failure,
)
from .zap import ZapExchange, ZapSettings

HELLO: Final = b"HELLO"
WELCOME: Final = b"WELCOME"
INITIATE: Final = b"INITIATE"
VERSION: Final = b"\x01\x00"

# Command data sizes (the command's wire body less its name and name length).
HELLO_DATA: Final = 194  # version 2, padding 72, C' 32, nonce 8, box 80
WELCOME_DATA: Final = 160  # nonce 16, box 144
INITIATE_MIN: Final = 248  # cookie 96, nonce 8, box of at least 128 + 16
READY_MIN: Final = 24  # nonce 8, box of at least 16

HELLO_PREFIX: Final = b"CurveZMQHELLO---"
INITIATE_PREFIX: Final = b"CurveZMQINITIATE"
READY_PREFIX: Final = b"CurveZMQREADY---"
WELCOME_PREFIX: Final = b"WELCOME-"
COOKIE_PREFIX: Final = b"COOKIE--"
VOUCH_PREFIX: Final = b"VOUCH---"


class _Step(enum.Enum):
    """Where a CURVE peer is in RFC 26's handshake."""

    SEND_HELLO = "SEND_HELLO"
    EXPECT_HELLO = "EXPECT_HELLO"
    SEND_WELCOME = "SEND_WELCOME"
    EXPECT_WELCOME = "EXPECT_WELCOME"
    SEND_INITIATE = "SEND_INITIATE"
    EXPECT_INITIATE = "EXPECT_INITIATE"
    WAIT_ZAP = "WAIT_ZAP"
    SEND_READY = "SEND_READY"
    EXPECT_READY = "EXPECT_READY"
    DONE = "DONE"


def _malformed(what: str, size: int, code: int) -> RemoteProtocolError:
    return RemoteProtocolError(f"CURVE {what} of {size} octets", code)


def _unexpected(name: bytes, step: _Step, code: int) -> RemoteProtocolError:
    return RemoteProtocolError(f"CURVE: unexpected {name!r} in {step.name}", code)


class CurveClient(CurveMechanism):
    """RFC 26's client: proves it holds `secret_key` to the server holding `server_key`.

    Keys are 32 binary octets. `random` (default: PyNaCl's randombytes) makes
    the short-term key pair and the vouch nonce; `first_nonce` starts our
    nonce counter (1, as libzmq). Raises CurveUnavailableError without PyNaCl.
    """

    _send_prefix = CLIENT_MESSAGE_PREFIX
    _recv_prefix = SERVER_MESSAGE_PREFIX

    def __init__(
        self,
        properties: Mapping[str, bytes],
        *,
        public_key: bytes,
        secret_key: bytes,
        server_key: bytes,
        random: Random | None = None,
        first_nonce: int = 1,
    ) -> None:
        super().__init__(properties, as_server=False, random=random, first_nonce=first_nonce)
        self._public = check_key(public_key, "public key")
        self._secret = check_key(secret_key, "secret key")
        self._server = check_key(server_key, "server key")
        self._cn_public, self._cn_secret = self.short_term_keypair()
        self._server_short = b""
        self._cookie = b""
        self._step = _Step.SEND_HELLO

    def next_handshake_command(self) -> tuple[bytes, bytes] | None:
        """HELLO first, INITIATE after WELCOME, otherwise None."""
        if self._step is _Step.SEND_HELLO:
            self._step = _Step.EXPECT_WELCOME
            return HELLO, self._hello()
        if self._step is _Step.SEND_INITIATE:
            self._step = _Step.EXPECT_READY
            return INITIATE, self._initiate()
        return None

    def process_handshake_command(self, name: bytes, data: bytes) -> None:
        """Take WELCOME, READY or ERROR, each only when it is due."""
        step = self._step
        if name == WELCOME and step is _Step.EXPECT_WELCOME:
            self._welcome(data)
            self._step = _Step.SEND_INITIATE
        elif name == READY and step is _Step.EXPECT_READY:
            self._ready(data)
            self._step = _Step.DONE
            self.status = MechanismStatus.READY
        elif name == ERROR and step in (_Step.EXPECT_WELCOME, _Step.EXPECT_READY):
            self.peer_error = decode_error_reason(data)
            self._step = _Step.DONE
            self.status = MechanismStatus.ERROR
        else:
            raise _unexpected(name, step, PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND)

    def _hello(self) -> bytes:
        short = self.next_short_nonce()
        box = self.seal(bytes(64), HELLO_PREFIX + short, self._server, self._cn_secret)
        return b"".join((VERSION, bytes(72), self._cn_public, short, box))

    def _welcome(self, data: bytes) -> None:
        if len(data) != WELCOME_DATA:
            raise _malformed("WELCOME", len(data) + 8, PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
        nonce = WELCOME_PREFIX + data[:16]
        plain = self.unseal(data[16:], nonce, self._server, self._cn_secret, "WELCOME")
        self._server_short, self._cookie = plain[:KEY_SIZE], plain[KEY_SIZE:]
        self._precom = self.nacl.crypto_box_beforenm(self._server_short, self._cn_secret)

    def _initiate(self) -> bytes:
        vouch_nonce = self._random(16)
        vouch = self.seal(
            self._cn_public + self._server,
            VOUCH_PREFIX + vouch_nonce,
            self._server_short,
            self._secret,
        )
        plain = b"".join((self._public, vouch_nonce, vouch, encode_properties(self.properties)))
        short = self.next_short_nonce()
        box = self.seal_precomputed(plain, INITIATE_PREFIX + short)
        return b"".join((self._cookie, short, box))

    def _ready(self, data: bytes) -> None:
        if len(data) < READY_MIN:
            raise _malformed("READY", len(data) + 6, PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY)
        short = data[:8]
        plain = self.unseal_precomputed(data[8:], READY_PREFIX + short, "READY")
        self._peer_nonce = U64.unpack(short)[0]
        self.peer_properties = decode_properties(plain)


class CurveServer(CurveMechanism):
    """RFC 26's server: holds `secret_key`, learns and (through ZAP) vets the client's key.

    `zap` says what the ZAP request carries (default: no domain); `random` and
    `first_nonce` as for CurveClient. Raises CurveUnavailableError without PyNaCl.
    """

    _send_prefix = SERVER_MESSAGE_PREFIX
    _recv_prefix = CLIENT_MESSAGE_PREFIX

    def __init__(
        self,
        properties: Mapping[str, bytes],
        *,
        secret_key: bytes,
        zap: ZapSettings | None = None,
        random: Random | None = None,
        first_nonce: int = 1,
    ) -> None:
        super().__init__(properties, as_server=True, random=random, first_nonce=first_nonce)
        self._secret = check_key(secret_key, "secret key")
        self._public = self.nacl.crypto_scalarmult_base(self._secret)
        self._cn_public, self._cn_secret = self.short_term_keypair()
        self._client_short = b""
        self._cookie_key = b""
        self.client_key: bytes | None = None  # C, once INITIATE proved it
        self._exchange = ZapExchange(zap if zap is not None else ZapSettings(), self.name)
        self._step = _Step.EXPECT_HELLO

    def next_handshake_command(self) -> tuple[bytes, bytes] | None:
        """WELCOME after HELLO, READY once the client is admitted, or a refusal's ERROR."""
        refusal = self._refusal_command()
        if refusal is not None:
            return refusal
        if self._step is _Step.SEND_WELCOME:
            self._step = _Step.EXPECT_INITIATE
            return WELCOME, self._welcome()
        if self._step is _Step.SEND_READY:
            self._step = _Step.DONE
            self.status = MechanismStatus.READY
            short = self.next_short_nonce()
            box = self.seal_precomputed(encode_properties(self.properties), READY_PREFIX + short)
            return READY, short + box
        return None

    def process_handshake_command(self, name: bytes, data: bytes) -> None:
        """Take HELLO, then INITIATE; anything else is refused with libzmq's code."""
        step = self._step
        expected = {_Step.EXPECT_HELLO: HELLO, _Step.EXPECT_INITIATE: INITIATE}.get(step)
        if expected is None:
            raise _unexpected(name, step, PROTOCOL_ERROR_ZMTP_UNSPECIFIED)
        if name != expected:
            raise _unexpected(name, step, PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND)
        if step is _Step.EXPECT_HELLO:
            self._hello(data)
            self._step = _Step.SEND_WELCOME
        else:
            self._initiate(data)

    def _hello(self, data: bytes) -> None:
        if len(data) != HELLO_DATA or data[:2] != VERSION:
            raise _malformed("HELLO", len(data) + 6, PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO)
        self._client_short = data[74:106]
        short = data[106:114]
        self.unseal(data[114:], HELLO_PREFIX + short, self._client_short, self._secret, "HELLO")
        self._peer_nonce = U64.unpack(short)[0]
        self._precom = self.nacl.crypto_box_beforenm(self._client_short, self._cn_secret)

    def _welcome(self) -> bytes:
        self._cookie_key = self._random(32)
        cookie_nonce = self._random(16)
        sealed = self.nacl.crypto_secretbox(
            self._client_short + self._cn_secret, COOKIE_PREFIX + cookie_nonce, self._cookie_key
        )
        welcome_nonce = self._random(16)
        plain = b"".join((self._cn_public, cookie_nonce, sealed))
        box = self.seal(plain, WELCOME_PREFIX + welcome_nonce, self._client_short, self._secret)
        return welcome_nonce + box

    def _initiate(self, data: bytes) -> None:
        if len(data) < INITIATE_MIN:
            raise _malformed(
                "INITIATE", len(data) + 9, PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE
            )
        self._check_cookie(data[:96])
        short = data[96:104]
        plain = self.unseal_precomputed(data[104:], INITIATE_PREFIX + short, "INITIATE")
        self._peer_nonce = U64.unpack(short)[0]
        client_key = plain[:KEY_SIZE]
        self._check_vouch(client_key, plain[32:48], plain[48:128])
        self.peer_properties = decode_properties(plain[128:])
        self.client_key = client_key
        settings = self._exchange.settings
        if settings.domain or not settings.enforce_domain:
            self._zap = self._exchange
            self._exchange.ask((client_key,))
            self._step = _Step.WAIT_ZAP
        else:
            self._step = _Step.SEND_READY  # libzmq: no domain, enforced: no ZAP at all

    def _check_cookie(self, cookie: bytes) -> None:
        nonce = COOKIE_PREFIX + cookie[:16]
        try:
            plain = self.nacl.crypto_secretbox_open(cookie[16:], nonce, self._cookie_key)
        except self._crypto_error:
            raise crypto_failure("INITIATE cookie") from None
        if plain != self._client_short + self._cn_secret:
            raise crypto_failure("INITIATE cookie (not ours)")

    def _check_vouch(self, client_key: bytes, vouch_nonce: bytes, vouch: bytes) -> None:
        nonce = VOUCH_PREFIX + vouch_nonce
        plain = self.unseal(vouch, nonce, client_key, self._cn_secret, "INITIATE vouch")
        if plain != self._client_short + self._public:
            raise RemoteProtocolError(
                "CURVE vouch for other keys", PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE
            )

    def _zap_admitted(self) -> None:
        self._step = _Step.SEND_READY
