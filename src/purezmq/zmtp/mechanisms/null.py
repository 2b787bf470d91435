# The NULL security mechanism.
#
# Theory of operation (RFC 37, "The NULL Security Mechanism"):
#
#   null  = ready *message | error
#   ready = command-size %d5 "READY" metadata
#   error = command-size %d5 "ERROR" error-reason
#
# Both peers send READY at once (libzmq does not make the server wait for the
# client's READY, and the RFC's client/server ordering is compatible with
# that), then each waits for the other's. The handshake is complete when READY
# has been both sent and received. An ERROR from the peer ends the handshake in
# ERROR status with `peer_error` set; any other command, or a second command,
# is UNEXPECTED_COMMAND, as in libzmq's null_mechanism.cpp.
#
# ZAP (RFC 27): libzmq's NULL mechanism asks the ZAP handler, on either side of
# the connection, when the socket has a ZAP_DOMAIN. Given `zap` settings with a
# domain, this one does too: the request is ready as soon as the greeting is
# done, and our READY waits for the handler's 200. Without `zap` (the default)
# nothing is asked.
from __future__ import annotations

from collections.abc import Mapping

from ..codec import ERROR, READY, decode_error_reason, decode_properties, encode_properties
from ..errors import PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND, RemoteProtocolError
from .base import Mechanism, MechanismStatus
from .zap import ZapExchange, ZapSettings


class NullMechanism(Mechanism):
    """No authentication, no encryption: one READY each way."""

    name = b"NULL"

    def __init__(
        self,
        properties: Mapping[str, bytes],
        *,
        as_server: bool = False,
        zap: ZapSettings | None = None,
    ) -> None:
        super().__init__(properties, as_server=as_server)
        self._ready_sent = False
        self._command_received = False
        if zap is not None and zap.domain:
            self._zap = ZapExchange(zap, self.name)
            self._zap.ask()
        self._admitted = self._zap is None

    def next_handshake_command(self) -> tuple[bytes, bytes] | None:
        """Return our READY the first time (once ZAP admitted the peer), then None."""
        refusal = self._refusal_command()
        if refusal is not None:
            return refusal
        if self._ready_sent or not self._admitted:
            return None
        self._ready_sent = True
        self._update_status()
        return READY, encode_properties(self.properties)

    def process_handshake_command(self, name: bytes, data: bytes) -> None:
        """Take the peer's READY (or ERROR); refuse anything else."""
        if self._command_received:
            raise RemoteProtocolError(
                "NULL handshake: second command", PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND
            )
        if name == READY:
            self.peer_properties = decode_properties(data)
        elif name == ERROR:
            self.peer_error = decode_error_reason(data)
        else:
            raise RemoteProtocolError(
                f"NULL handshake: unexpected {name!r} command",
                PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
            )
        self._command_received = True
        self._update_status()

    def _zap_admitted(self) -> None:
        self._admitted = True

    def _update_status(self) -> None:
        if self.peer_error is not None:
            self.status = MechanismStatus.ERROR
        elif self._ready_sent and self._command_received:
            self.status = MechanismStatus.READY
