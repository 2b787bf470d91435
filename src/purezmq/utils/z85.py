"""Z85, ZeroMQ's printable encoding of binary data (RFC 32/Z85).

Theory of operation
-------------------
RFC 32 "Formal Specification": binary data is taken four octets at a time as an
unsigned 32-bit big-endian integer, written as five base-85 digits from most to
least significant, each digit drawn from the 85-character alphabet
``Z85CHARS``.  So the binary length SHALL be a multiple of 4 and the text
length a multiple of 5; padding is the application's job, and both functions
reject other lengths with ``ValueError``.  Decoding also rejects characters
outside the alphabet and groups whose value does not fit in 32 bits
("#####" would be 85**5 - 1), as libzmq's ``zmq_z85_decode`` does.

CURVE keys are the main user: 32 bytes <-> 40 characters.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["Z85CHARS", "Z85MAP", "decode", "encode"]

# Base-85 digit values 0..84, in order (RFC 32).
Z85CHARS: Final = (
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
)
# Character (as an int) -> digit value.
Z85MAP: Final[dict[int, int]] = {char: value for value, char in enumerate(Z85CHARS)}

# Weights of the five digits of a group, most significant first.
_WEIGHTS: Final = tuple(85**power for power in range(4, -1, -1))
_MAX_GROUP: Final = 0xFFFF_FFFF


def encode(rawbytes: ReadableBuffer) -> bytes:
    """Return the Z85 text (as ASCII bytes) for `rawbytes`.

    Raises
    ------
    ValueError
        If the length of `rawbytes` is not a multiple of 4.
    """
    raw = bytes(rawbytes)
    if len(raw) % 4:
        raise ValueError(f"Z85 input length must be a multiple of 4, not {len(raw)}")
    encoded = bytearray()
    for (value,) in struct.iter_unpack(">I", raw):
        encoded.extend(Z85CHARS[value // weight % 85] for weight in _WEIGHTS)
    return bytes(encoded)


def decode(z85bytes: str | ReadableBuffer) -> bytes:
    """Return the binary data that the Z85 text `z85bytes` encodes.

    Raises
    ------
    ValueError
        If the text is not ASCII, its length is not a multiple of 5, it holds a
        character outside the Z85 alphabet, or a group exceeds 32 bits.
    """
    text = _as_ascii(z85bytes)
    if len(text) % 5:
        raise ValueError(f"Z85 text length must be a multiple of 5, not {len(text)}")
    _check_alphabet(text)
    decoded = bytearray()
    for start in range(0, len(text), 5):
        value = 0
        for char in text[start : start + 5]:
            value = value * 85 + Z85MAP[char]
        if value > _MAX_GROUP:
            group = text[start : start + 5]
            raise ValueError(f"Z85 group {group!r} at offset {start} exceeds 32 bits")
        decoded += value.to_bytes(4, "big")
    return bytes(decoded)


def _as_ascii(z85bytes: str | ReadableBuffer) -> bytes:
    if not isinstance(z85bytes, str):
        return bytes(z85bytes)
    try:
        return z85bytes.encode("ascii")
    except UnicodeEncodeError:
        raise ValueError("Z85 text must contain only ASCII characters") from None


def _check_alphabet(text: bytes) -> None:
    invalid = text.translate(None, Z85CHARS)
    if invalid:
        offset = text.index(invalid[0])
        raise ValueError(f"invalid Z85 character {chr(invalid[0])!r} at offset {offset}")
