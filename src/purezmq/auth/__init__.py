"""CURVE certificates, with pyzmq's ``zmq.auth`` API.

``create_certificates`` / ``load_certificate(s)`` read and write the ZPL
certificate files pyzmq and czmq use.
"""

from __future__ import annotations

from .certs import create_certificates, load_certificate, load_certificates

__all__ = ["create_certificates", "load_certificate", "load_certificates"]
