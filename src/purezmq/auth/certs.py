"""CURVE certificates in ZeroMQ's ZPL format, as pyzmq and czmq write them.

Theory of operation
-------------------
A certificate is a small ZPL text file (czmq's zcert): comment lines starting
with ``#``, a ``metadata`` section of ``    name = value`` lines, and a
``curve`` section holding ``    public-key = "<40 Z85 chars>"`` and, in the
secret file only, ``    secret-key = "..."``. ``create_certificates`` writes
a pair the way pyzmq does (``NAME.key`` public, ``NAME.key_secret`` secret,
the same banner layout, metadata in the secret file only), so either library
reads the other's files. Reading is as forgiving as pyzmq's: any line whose
stripped text starts with ``public-key`` or ``secret-key`` counts, whatever
its section. The secret file is created readable by its owner only.
"""

from __future__ import annotations

import datetime
import glob
import os
from collections.abc import Mapping

from ..sugar.curve import curve_keypair

__all__ = ["create_certificates", "load_certificate", "load_certificates"]

StrPath = str | os.PathLike[str]

_SECRET_BANNER = """#   ****  Generated on {0} by purezmq  ****
#   ZeroMQ CURVE **Secret** Certificate
#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

"""

_PUBLIC_BANNER = """#   ****  Generated on {0} by purezmq  ****
#   ZeroMQ CURVE Public Certificate
#   Exchange securely, or use a secure mechanism to verify the contents
#   of this file after exchange. Store public certificates in your home
#   directory, in the .curve subdirectory.

"""


def _text(value: str | bytes, encoding: str = "utf-8") -> str:
    return value.decode(encoding) if isinstance(value, bytes) else value


def _certificate_text(
    banner: str,
    public_key: str | bytes,
    secret_key: str | bytes | None = None,
    metadata: Mapping[str | bytes, str | bytes] | None = None,
) -> str:
    """The whole file: banner, metadata section, curve section."""
    lines = [banner.format(datetime.datetime.now()), "metadata\n"]
    for name, value in (metadata or {}).items():
        lines.append(f"    {_text(name)} = {_text(value)}\n")
    lines.append("curve\n")
    lines.append(f'    public-key = "{_text(public_key)}"\n')
    if secret_key:
        lines.append(f'    secret-key = "{_text(secret_key)}"\n')
    return "".join(lines)


def _write(path: str, text: str, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with open(descriptor, "w", encoding="utf8") as stream:
        stream.write(text)


def create_certificates(
    key_dir: StrPath, name: str, metadata: Mapping[str | bytes, str | bytes] | None = None
) -> tuple[str, str]:
    """Create a new CURVE key pair as two certificate files in `key_dir`.

    Returns
    -------
    public_file, secret_file : str
        ``key_dir/name.key`` and ``key_dir/name.key_secret``.
    """
    public_key, secret_key = curve_keypair()
    base = os.path.join(key_dir, name)
    public_file, secret_file = f"{base}.key", f"{base}.key_secret"
    _write(public_file, _certificate_text(_PUBLIC_BANNER, public_key), 0o644)
    text = _certificate_text(_SECRET_BANNER, public_key, secret_key, metadata)
    _write(secret_file, text, 0o600)
    return public_file, secret_file


def load_certificate(filename: StrPath) -> tuple[bytes, bytes | None]:
    """Read a certificate file.

    Returns
    -------
    public_key, secret_key : bytes, bytes or None
        The Z85 keys; secret_key is None for a public certificate.

    Raises
    ------
    OSError
        If the file does not exist.
    ValueError
        If it holds no public key.
    """
    if not os.path.exists(filename):
        raise OSError(f"Invalid certificate file: {filename}")
    public_key = secret_key = None
    with open(filename, "rb") as stream:
        for raw in stream:
            line = raw.strip()
            if line.startswith(b"public-key"):
                public_key = _value(line)
            elif line.startswith(b"secret-key"):
                secret_key = _value(line)
    if public_key is None:
        raise ValueError(f"No public key found in {filename}")
    return public_key, secret_key


def _value(line: bytes) -> bytes:
    """The quoted (or bare) value after the first "=" of a ZPL line."""
    return line.split(b"=", 1)[1].strip(b" \t'\"")


def load_certificates(directory: StrPath = ".") -> dict[bytes, bool]:
    """Public keys of every ``*.key`` certificate in `directory`, as ``{key: True}``.

    Raises OSError if `directory` is not a directory.
    """
    if not os.path.isdir(directory):
        raise OSError(f"Invalid certificate directory: {directory}")
    keys: dict[bytes, bool] = {}
    for path in glob.glob(os.path.join(directory, "*.key")):
        public_key, _ = load_certificate(path)
        if public_key:
            keys[public_key] = True
    return keys
