"""The receive buffer: FIFO semantics and amortised compaction."""

from __future__ import annotations

from purezmq.zmtp.buffer import ReceiveBuffer


def test_fifo() -> None:
    """Octets come out in the order they went in, whatever the input type."""
    buffer = ReceiveBuffer()
    buffer.append(b"abc")
    buffer.append(bytearray(b"def"))
    buffer.append(memoryview(b"ghi"))
    assert len(buffer) == 9
    assert buffer.peek(4) == b"abcd"
    assert buffer.take(2) == b"ab"
    assert buffer.snapshot() == b"cdefghi"
    assert buffer.take(100) == b"cdefghi"
    assert len(buffer) == 0


def test_consume_compacts_past_half() -> None:
    """The consumed prefix is dropped once it is over half of the array."""
    buffer = ReceiveBuffer()
    buffer.append(bytes(range(100)))
    buffer.consume(40)
    assert "offset=40" in repr(buffer)
    assert buffer.snapshot() == bytes(range(40, 100))
    buffer.consume(11)
    assert "offset=0" in repr(buffer)
    assert buffer.peek(3) == bytes((51, 52, 53))


def test_snapshot_after_partial_consume_does_not_pin_the_array() -> None:
    """A snapshot leaves no exported view behind: the array can still grow."""
    buffer = ReceiveBuffer()
    buffer.append(b"0123456789")
    buffer.consume(2)
    assert buffer.snapshot() == b"23456789"
    buffer.append(b"x")
    assert buffer.snapshot() == b"23456789x"


def test_clear() -> None:
    """clear() forgets every unread octet."""
    buffer = ReceiveBuffer()
    buffer.append(b"abc")
    buffer.clear()
    assert len(buffer) == 0
    assert buffer.snapshot() == b""
