# Errors raised by the ZMTP layer.
#
# Theory of operation: who is at fault decides the class. LocalProtocolError means
# the caller used the API wrongly (sending before the handshake ended, an
# over-long PING context); nothing was queued and the connection is unchanged.
# RemoteProtocolError means the peer broke RFC 37 (ZMTP 3.1) or RFC 23 (ZMTP
# 3.0); its `code` is the ZMQ_PROTOCOL_ERROR_* value that libzmq 4.3 reports in
# a ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL monitor event (include/zmq.h), so the
# engine can forward it unchanged.
from __future__ import annotations

from typing import Final

PROTOCOL_ERROR_ZMTP_UNSPECIFIED: Final = 0x10000000
PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND: Final = 0x10000001
PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE: Final = 0x10000002
PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE: Final = 0x10000003
PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED: Final = 0x10000011
PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE: Final = 0x10000012
PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO: Final = 0x10000013
PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE: Final = 0x10000014
PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR: Final = 0x10000015
PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY: Final = 0x10000016
PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME: Final = 0x10000017
PROTOCOL_ERROR_ZMTP_INVALID_METADATA: Final = 0x10000018
PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC: Final = 0x11000001
PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH: Final = 0x11000002
PROTOCOL_ERROR_ZAP_UNSPECIFIED: Final = 0x20000000
PROTOCOL_ERROR_ZAP_MALFORMED_REPLY: Final = 0x20000001
PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID: Final = 0x20000002
PROTOCOL_ERROR_ZAP_BAD_VERSION: Final = 0x20000003
PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE: Final = 0x20000004
PROTOCOL_ERROR_ZAP_INVALID_METADATA: Final = 0x20000005
PROTOCOL_ERROR_WS_UNSPECIFIED: Final = 0x30000000

PROTOCOL_ERROR_NAMES: Final[dict[int, str]] = {
    value: name
    for name, value in dict(globals()).items()
    if name.startswith("PROTOCOL_ERROR_") and isinstance(value, int)
}


class ProtocolError(Exception):
    """Base class of every error the ZMTP layer raises."""


class LocalProtocolError(ProtocolError):
    """The caller misused the API; the connection state is unchanged."""


class RemoteProtocolError(ProtocolError):
    """The peer violated the protocol; the connection is now in ERROR.

    `code` is the libzmq ZMQ_PROTOCOL_ERROR_* value for the monitor event.
    """

    def __init__(self, message: str, code: int = PROTOCOL_ERROR_ZMTP_UNSPECIFIED) -> None:
        super().__init__(message)
        self.code = code

    def __str__(self) -> str:
        name = PROTOCOL_ERROR_NAMES.get(self.code, "unknown")
        return f"{self.args[0]} [{name} 0x{self.code:08x}]"
