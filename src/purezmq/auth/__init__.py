"""ZAP authentication (RFC 27) and CURVE certificates, with pyzmq's ``zmq.auth`` API.

``Authenticator`` holds the policy; ``purezmq.auth.thread.ThreadAuthenticator``
runs it in a background thread, ``purezmq.auth.asyncio.AsyncioAuthenticator``
on the running asyncio loop. ``create_certificates`` / ``load_certificate(s)``
read and write the ZPL certificate files pyzmq and czmq use.
"""

from __future__ import annotations

from .base import CURVE_ALLOW_ANY, Authenticator
from .certs import create_certificates, load_certificate, load_certificates

__all__ = [
    "CURVE_ALLOW_ANY",
    "Authenticator",
    "create_certificates",
    "load_certificate",
    "load_certificates",
]
