"""CURVE key pairs as pyzmq makes them: ``curve_keypair()`` and ``curve_public()``.

Theory of operation
-------------------
A CURVE key pair is a Curve25519 secret (32 random octets) and the public key
derived from it (RFC 26); ZeroMQ passes both around as 40-character Z85 text
(RFC 32), which is what pyzmq's functions return, as ``bytes``. The
cryptography is PyNaCl's, an optional extra: it is imported at the first call,
never at ``import purezmq``, and without it these functions raise
``ZMQError(ENOTSUP)`` naming the extra to install, as pyzmq raises when its
libzmq was built without CURVE. ``curve_available()`` says whether PyNaCl
imports, for ``purezmq.has("curve")``.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..constants import Errno
from ..error import ZMQError
from ..utils import z85

__all__ = ["curve_available", "curve_keypair", "curve_public"]

_INSTALL_HINT = "CURVE needs PyNaCl: pip install 'purezmq[curve]'"


def curve_available() -> bool:
    """True if PyNaCl imports, so CURVE can be used."""
    try:
        importlib.import_module("nacl.bindings")
    except ImportError:
        return False
    return True


def _nacl() -> Any:
    try:
        return importlib.import_module("nacl.bindings")
    except ImportError:
        raise ZMQError(Errno.ENOTSUP, _INSTALL_HINT) from None


def curve_keypair() -> tuple[bytes, bytes]:
    """Generate a Z85 key pair for CURVE security.

    Returns
    -------
    public, secret : bytes
        Each key as 40 octets of Z85 text.

    Raises
    ------
    ZMQError
        ``ENOTSUP`` without PyNaCl (``pip install 'purezmq[curve]'``).
    """
    public, secret = _nacl().crypto_box_keypair()
    return z85.encode(public), z85.encode(secret)


def curve_public(secret_key: bytes | str) -> bytes:
    """Return the Z85 public key that belongs to a Z85 secret key.

    Raises
    ------
    ValueError
        If `secret_key` is not 40 octets of Z85 text.
    ZMQError
        ``ENOTSUP`` without PyNaCl.
    """
    if isinstance(secret_key, str):
        secret_key = secret_key.encode("utf8")
    if len(secret_key) != 40:
        raise ValueError("secret key must be a 40 byte z85 encoded string")
    secret = z85.decode(secret_key)
    return z85.encode(_nacl().crypto_scalarmult_base(secret))


# CURVE_PUBLICKEY, CURVE_SECRETKEY, CURVE_SERVERKEY (libzmq include/zmq.h).
_CURVE_KEY_OPTIONS = frozenset({48, 49, 50})


def curve_option_value(option: int, value: Any) -> Any:
    """The value the socket's option table takes for a CURVE option: a key given as
    40 characters of Z85 text becomes its 32 octets, as libzmq decodes it.

    Raises
    ------
    ZMQError
        ``EINVAL`` without PyNaCl (naming the ``curve`` extra, where libzmq built without
        libsodium says EINVAL too), or for Z85 text that does not decode.
    """
    if not curve_available():
        raise ZMQError(Errno.EINVAL, _INSTALL_HINT)
    if option in _CURVE_KEY_OPTIONS and isinstance(value, bytes) and len(value) == 40:
        try:
            return z85.decode(value)
        except ValueError:
            raise ZMQError(Errno.EINVAL, "a CURVE key is not valid Z85 text") from None
    return value
