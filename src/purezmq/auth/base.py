"""ZAP authentication (RFC 27) for purezmq sockets, with pyzmq's ``Authenticator`` API.

Theory of operation
-------------------
A ZAP handler is a REP socket bound at ``inproc://zeromq.zap.01`` in the
context whose sockets it vets. A server socket's connection sends it a request
(version, request id, domain, address, identity, mechanism, credentials) and
waits for the reply (version, request id, status code, status text, user id,
metadata). The policy is pyzmq's:

- Addresses: ``allow()`` admits only the listed addresses, ``deny()`` refuses
  the listed ones; the two are exclusive. A refused address ends it (400).
- NULL: admitted unless its address was refused.
- PLAIN: the user name and password must match ``configure_plain``'s
  passwords for the domain (an empty domain means ``"*"``).
- CURVE: ``CURVE_ALLOW_ANY``, else a ``configure_curve_callback`` provider,
  else the public keys of ``configure_curve``'s certificate directory.
  The User-Id of an admitted CURVE client is ``curve_user_id(key)``.
- GSSAPI: admitted, its principal as User-Id.

Admitted requests get "200" with the User-Id ("anonymous" unless the mechanism
names one); refused ones get "400" with the reason. This class only answers
what ``handle_zap_message`` is given; ``start()`` binds the socket, and
``purezmq.auth.thread`` / ``purezmq.auth.asyncio`` run the loop that feeds it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable
from typing import Any

from .. import constants
from ..sugar.context import Context
from ..sugar.socket import Socket
from ..utils import z85
from .certs import load_certificates

__all__ = ["CURVE_ALLOW_ANY", "Authenticator"]

CURVE_ALLOW_ANY = "*"
VERSION = b"1.0"
ZAP_ENDPOINT = "inproc://zeromq.zap.01"


class Authenticator:
    """A ZAP handler with pyzmq's policy (see the module docstring).

    Parameters
    ----------
    context : the Context whose sockets it vets (default: ``Context.instance()``).
    encoding : how domains, addresses, user names and passwords are decoded.
    log : a logger (default: ``logging.getLogger("zmq.auth")``, as pyzmq).
    """

    def __init__(self, context: Any = None, encoding: str = "utf-8", log: Any = None) -> None:
        self.context = context or Context.instance()
        self.encoding = encoding
        self.allow_any = False
        self.credentials_providers: dict[str, Any] = {}
        self.zap_socket: Any = None
        self._allowed: set[str] = set()
        self._denied: set[str] = set()
        self.passwords: dict[str, dict[str, str]] = {}
        self.certs: dict[str, dict[bytes, Any]] = {}
        self.log = log or logging.getLogger("zmq.auth")

    def start(self) -> None:
        """Create the ZAP socket and bind it at inproc://zeromq.zap.01."""
        # A sync socket even in an asyncio Context, as pyzmq: the loops poll it.
        self.zap_socket = self.context.socket(constants.REP, socket_class=Socket)
        self.zap_socket.linger = 1
        self.zap_socket.bind(ZAP_ENDPOINT)
        self.log.debug("Starting")

    def stop(self) -> None:
        """Close the ZAP socket."""
        if self.zap_socket:
            self.zap_socket.close()
        self.zap_socket = None

    # ------------------------------------------------------------ policy

    def allow(self, *addresses: str) -> None:
        """Admit only these addresses (exclusive with deny)."""
        if self._denied:
            raise ValueError("Only use allow or deny, not both")
        self.log.debug("Allowing %s", ",".join(addresses))
        self._allowed.update(addresses)

    def deny(self, *addresses: str) -> None:
        """Refuse these addresses (exclusive with allow)."""
        if self._allowed:
            raise ValueError("Only use a allow or deny, not both")
        self.log.debug("Denying %s", ",".join(addresses))
        self._denied.update(addresses)

    def configure_plain(self, domain: str = "*", passwords: dict[str, str] | None = None) -> None:
        """PLAIN for `domain` ("*": every domain): `passwords` maps user names to passwords."""
        if passwords:
            self.passwords[domain] = passwords
        self.log.debug("Configure plain: %s", domain)

    def configure_curve(self, domain: str = "*", location: str | os.PathLike[str] = ".") -> None:
        """CURVE for `domain`: admit the public keys of the certificates in `location`.

        With ``location=CURVE_ALLOW_ANY`` every client key is admitted. Call it again
        after adding or removing certificates.
        """
        self.log.debug("Configure curve: %s[%s]", domain, location)
        if location == CURVE_ALLOW_ANY:
            self.allow_any = True
            return
        self.allow_any = False
        try:
            self.certs[domain] = load_certificates(location)
        except Exception as exc:
            self.log.error("Failed to load CURVE certs from %s: %s", location, exc)

    def configure_curve_callback(
        self, domain: str = "*", credentials_provider: Any = None
    ) -> None:
        """CURVE for `domain`: ``credentials_provider.callback(domain, z85_key)`` decides.

        The callback returns a truth value, or an awaitable of one.
        """
        self.allow_any = False
        if credentials_provider is not None:
            self.credentials_providers[domain] = credentials_provider
        else:
            self.log.error("None credentials_provider provided for domain:%s", domain)

    def curve_user_id(self, client_public_key: bytes) -> str:
        """The User-Id of an admitted CURVE client: its public key in Z85 (override at will)."""
        return z85.encode(client_public_key).decode("ascii")

    def configure_gssapi(self, domain: str = "*", location: str | None = None) -> None:
        """Nothing to configure for GSSAPI (as pyzmq): a GSSAPI request is admitted."""

    # ----------------------------------------------------------- requests

    async def handle_zap_message(self, msg: list[bytes]) -> None:
        """Answer one ZAP request (the frames the ZAP socket received)."""
        if len(msg) < 6:
            self.log.error("Invalid ZAP message, not enough frames: %r", msg)
            if len(msg) < 2:
                self.log.error("Not enough information to reply")
            else:
                self._send_zap_reply(msg[1], b"400", b"Not enough frames")
            return
        version, request_id, raw_domain, raw_address, identity, mechanism = msg[:6]
        if version != VERSION:
            self.log.error("Invalid ZAP version: %r", msg)
            self._send_zap_reply(request_id, b"400", b"Invalid version")
            return
        domain = raw_domain.decode(self.encoding, "replace")
        address = raw_address.decode(self.encoding, "replace")
        self.log.debug(
            "version: %r, request_id: %r, domain: %r, address: %r, identity: %r, mechanism: %r",
            version, request_id, domain, address, identity, mechanism,
        )  # fmt: skip
        verdict = await self._judge(domain, address, mechanism, msg[6:])
        if verdict is None:
            self._send_zap_reply(request_id, b"400", b"Invalid credentials")
            return
        allowed, reason, user_id = verdict
        if allowed:
            self._send_zap_reply(request_id, b"200", b"OK", user_id)
        else:
            self._send_zap_reply(request_id, b"400", reason)

    async def _judge(
        self, domain: str, address: str, mechanism: bytes, credentials: list[bytes]
    ) -> tuple[bool, bytes, str] | None:
        """(allowed, reason, user id); None for credentials of the wrong shape."""
        allowed, denied, reason = self._check_address(address)
        if denied:
            return False, reason, "anonymous"
        expected = {b"PLAIN": 2, b"CURVE": 1, b"GSSAPI": 1}.get(mechanism)
        if expected is not None and len(credentials) != expected:
            self.log.error("Invalid %s credentials: %r", mechanism.decode(), credentials)
            return None
        if mechanism == b"PLAIN":
            username, password = (c.decode(self.encoding, "replace") for c in credentials)
            return (*self._authenticate_plain(domain, username, password), username)
        if mechanism == b"CURVE":
            allowed, reason = await self._authenticate_curve(domain, credentials[0])
            user_id = self.curve_user_id(credentials[0]) if allowed else "anonymous"
            return allowed, reason, user_id
        if mechanism == b"GSSAPI":
            allowed, reason = self._authenticate_gssapi(domain, credentials[0])
            return allowed, reason, credentials[0].decode("utf8")
        if mechanism == b"NULL" and not allowed:
            self.log.debug("ALLOWED (NULL)")
            allowed = True
        return allowed, reason, "anonymous"

    def _check_address(self, address: str) -> tuple[bool, bool, bytes]:
        """(allowed, denied, reason) from the allow or deny list."""
        if self._allowed:
            if address in self._allowed:
                self.log.debug("PASSED (allowed) address=%s", address)
                return True, False, b"NO ACCESS"
            self.log.debug("DENIED (not allowed) address=%s", address)
            return False, True, b"Address not allowed"
        if self._denied:
            if address in self._denied:
                self.log.debug("DENIED (denied) address=%s", address)
                return False, True, b"Address denied"
            self.log.debug("PASSED (not denied) address=%s", address)
            return True, False, b"NO ACCESS"
        return False, False, b"NO ACCESS"

    def _authenticate_plain(self, domain: str, username: str, password: str) -> tuple[bool, bytes]:
        """PLAIN: the password for `username` in `domain` ("*" if empty)."""
        if not self.passwords:
            self.log.debug("DENIED (PLAIN) No passwords defined")
            return False, b"No passwords defined"
        known = self.passwords.get(domain or "*")
        if known is None:
            reason = b"Invalid domain"
        elif username not in known:
            reason = b"Invalid username"
        elif known[username] != password:
            reason = b"Invalid password"
        else:
            self.log.debug("ALLOWED (PLAIN) domain=%s username=%s", domain, username)
            return True, b""
        self.log.debug("DENIED %s", reason)
        return False, reason

    async def _authenticate_curve(self, domain: str, client_key: bytes) -> tuple[bool, bytes]:
        """CURVE: allow-any, else the domain's provider, else its certificates."""
        if self.allow_any:
            self.log.debug("ALLOWED (CURVE allow any client)")
            return True, b"OK"
        domain = domain or "*"
        z85_key = z85.encode(client_key)
        if self.credentials_providers:
            provider = self.credentials_providers.get(domain)
            if provider is None:
                return False, b"Unknown domain"
            verdict = provider.callback(domain, z85_key)
            if isinstance(verdict, Awaitable):
                verdict = await verdict
            allowed = bool(verdict)
        else:
            keys = self.certs.get(domain)
            if keys is None:
                return False, b"Unknown domain"
            allowed = bool(keys.get(z85_key))
        status = "ALLOWED" if allowed else "DENIED"
        self.log.debug("%s (CURVE) domain=%s client_key=%s", status, domain, z85_key)
        return (True, b"OK") if allowed else (False, b"Unknown key")

    def _authenticate_gssapi(self, domain: str, principal: bytes) -> tuple[bool, bytes]:
        """GSSAPI was settled by its own service: admit."""
        self.log.debug("ALLOWED (GSSAPI) domain=%s principal=%s", domain, principal)
        return True, b"OK"

    def _send_zap_reply(
        self, request_id: bytes, status_code: bytes, status_text: bytes, user_id: str = "anonymous"
    ) -> None:
        """Send the six reply frames; the User-Id only with a 200."""
        raw_user_id = user_id.encode(self.encoding, "replace") if status_code == b"200" else b""
        self.log.debug("ZAP reply code=%s text=%s", status_code, status_text)
        reply = [VERSION, request_id, status_code, status_text, raw_user_id, b""]
        self.zap_socket.send_multipart(reply)

