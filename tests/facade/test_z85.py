"""Z85 (RFC 32): the RFC's test case, pyzmq as oracle, and the error cases."""

from __future__ import annotations

import array

import pytest
import zmq.utils.z85 as ref
from hypothesis import given
from hypothesis import strategies as st

from purezmq.utils import z85

# RFC 32, "Test Case".
RFC_BINARY = bytes([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])
RFC_TEXT = b"HelloWorld"

words = st.integers(min_value=0, max_value=64).flatmap(
    lambda n: st.binary(min_size=4 * n, max_size=4 * n)
)


def test_rfc_test_case_encodes() -> None:
    """A frame containing these 8 bytes SHALL encode as the following 10 characters."""
    assert z85.encode(RFC_BINARY) == RFC_TEXT


def test_rfc_test_case_decodes() -> None:
    assert z85.decode(RFC_TEXT) == RFC_BINARY
    assert z85.decode("HelloWorld") == RFC_BINARY


def test_alphabet_is_rfcs() -> None:
    """Values 0..84 map to the RFC's table, in order, with no repeats."""
    assert len(z85.Z85CHARS) == 85 == len(set(z85.Z85CHARS))
    assert z85.Z85CHARS[:10] == b"0123456789"
    assert z85.Z85CHARS[60:] == b"YZ.-:+=^!/*?&<>()[]{}@%$#"
    assert z85.Z85CHARS == ref.Z85CHARS
    assert z85.Z85MAP == ref.Z85MAP


def test_extremes() -> None:
    assert z85.encode(b"") == b""
    assert z85.decode(b"") == b""
    assert z85.encode(b"\x00" * 4) == b"00000"
    assert z85.encode(b"\xff" * 4) == b"%nSc0"
    assert z85.decode(b"%nSc0") == b"\xff" * 4


@given(words)
def test_encode_matches_pyzmq(raw: bytes) -> None:
    assert z85.encode(raw) == ref.encode(raw)


@given(words)
def test_decode_inverts_encode_and_matches_pyzmq(raw: bytes) -> None:
    text = ref.encode(raw)
    assert z85.decode(text) == raw
    assert z85.decode(text.decode("ascii")) == raw
    assert z85.decode(text) == ref.decode(text)


def test_accepts_any_buffer() -> None:
    assert z85.encode(bytearray(RFC_BINARY)) == RFC_TEXT
    assert z85.encode(memoryview(RFC_BINARY)) == RFC_TEXT
    assert z85.encode(array.array("B", RFC_BINARY)) == RFC_TEXT
    assert z85.decode(bytearray(RFC_TEXT)) == RFC_BINARY
    assert z85.decode(memoryview(RFC_TEXT)) == RFC_BINARY


@pytest.mark.parametrize("length", [1, 2, 3, 5, 33])
def test_encode_rejects_length_not_multiple_of_4(length: int) -> None:
    with pytest.raises(ValueError, match="multiple of 4"):
        z85.encode(b"x" * length)


@pytest.mark.parametrize("length", [1, 4, 6, 39])
def test_decode_rejects_length_not_multiple_of_5(length: int) -> None:
    with pytest.raises(ValueError, match="multiple of 5"):
        z85.decode(b"0" * length)


@pytest.mark.parametrize(
    ("text", "shown"),
    [(b"Hello Worl", "' '"), (b'0000"', "'\"'"), (b"~0000", "'~'"), (b"000\x000", r"'\x00'")],
)
def test_decode_rejects_characters_outside_the_alphabet(text: bytes, shown: str) -> None:
    with pytest.raises(ValueError, match="invalid Z85 character") as caught:
        z85.decode(text)
    assert shown in str(caught.value)


def test_decode_rejects_non_ascii_text() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        z85.decode("Hellö")


@pytest.mark.parametrize("group", [b"#####", b"%nSc1", b"$0000"])
def test_decode_rejects_groups_beyond_32_bits(group: bytes) -> None:
    with pytest.raises(ValueError, match="exceeds 32 bits"):
        z85.decode(b"00000" + group)
