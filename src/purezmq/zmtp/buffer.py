# Receive buffer for the ZMTP decoder.
#
# Theory of operation: bytes arrive in arbitrary pieces (RFC 37 runs over a
# byte stream) and leave as whole greetings, frames or batches of frames.
#
# - A piece that arrives while nothing is buffered is adopted as it is (a
#   transport hands over `bytes`): no copy at all, the common case under load.
# - Pieces that must be joined go into a bytearray that grows at its end
#   (amortised O(1) per octet).
# - A read offset moves at the front; the consumed prefix is dropped only once
#   it is more than half of what is held, so every octet is moved O(1) times on
#   average.
#
# Nothing is ever allocated from a size announced by the peer: the buffer only
# ever holds octets that were actually received. (Model: h11's _receivebuffer.py.)
#
# The decoder's fast path walks `view()`: the held bytes object and the offset
# of the first unread octet, with no copy when the buffer holds one adopted
# piece (a joined bytearray is turned into bytes once). Frame bodies are sliced
# out of it, one allocation per frame; see connection.py.
from __future__ import annotations

from typing import Final


class ReceiveBuffer:
    """A FIFO of received octets with cheap consumption from the front."""

    __slots__ = ("_data", "_pos")

    def __init__(self) -> None:
        self._data: bytes | bytearray = b""
        self._pos = 0

    def __len__(self) -> int:
        """Number of unread octets."""
        return len(self._data) - self._pos

    def __repr__(self) -> str:
        return f"<ReceiveBuffer unread={len(self)} offset={self._pos}>"

    def append(self, data: bytes | bytearray | memoryview) -> None:
        """Add received octets at the end."""
        held = self._data
        if len(held) == self._pos:
            self._data = data if type(data) is bytes else bytes(data)
            self._pos = 0
        elif type(held) is bytes:
            # The unread tail and the new piece joined in one copy, as bytes: view()
            # then has nothing to convert.
            with memoryview(held) as view:
                self._data = b"".join((view[self._pos :], data))
            self._pos = 0
        else:
            held += data

    def view(self) -> tuple[bytes, int]:
        """Return the held octets as bytes and the offset of the first unread one.

        No copy unless pieces were joined since the last call.
        """
        held = self._data
        if type(held) is not bytes:
            with memoryview(held) as view:
                held = self._data = view[self._pos :].tobytes()
            self._pos = 0
        return held, self._pos

    def peek(self, size: int) -> bytes:
        """Return up to `size` unread octets without consuming them."""
        return bytes(self._data[self._pos : self._pos + size])

    def snapshot(self) -> bytes:
        """Return every unread octet as one bytes object."""
        data, pos = self.view()
        return data[pos:] if pos else data

    def consume(self, size: int) -> None:
        """Drop `size` unread octets from the front."""
        self._pos += size
        total = len(self._data)
        if self._pos >= total:
            self._data = b""
            self._pos = 0
        elif self._pos > total >> 1:
            held = self._data
            if isinstance(held, bytearray):
                del held[: self._pos]
            else:
                self._data = held[self._pos :]
            self._pos = 0

    def take(self, size: int) -> bytes:
        """Remove and return the first `size` unread octets (fewer if short)."""
        chunk = self.peek(size)
        self.consume(len(chunk))
        return chunk

    def clear(self) -> None:
        """Drop every unread octet."""
        self._data = b""
        self._pos = 0


HUGE_FRAME: Final = 256 * 1024
"""Frames this big are worth reads of their own (read_hint): joining one costs more
than the two extra reads (header, body) that spare the copy. Smaller frames share reads."""


class FrameCollector:
    """The body of one large frame, gathered as received chunks and joined once.

    Used once a frame's header announced BIG_FRAME octets or more and the body
    is still arriving: the chunks are kept as they come (no growing array, no
    `+=` of bytes), and `join()` copies them exactly once, or not at all when the
    whole body came as one chunk (see ZmtpConnection.read_hint).
    """

    __slots__ = ("_chunks", "_held", "flags", "missing")

    def __init__(self, flags: int, head: bytes, missing: int) -> None:
        self.flags = flags
        self.missing = missing
        self._chunks = [head] if head else []
        self._held = len(head)

    def __len__(self) -> int:
        """Octets held so far."""
        return self._held

    @property
    def huge(self) -> bool:
        """The whole frame is HUGE_FRAME octets or more: it is worth reads of its own."""
        return self._held + self.missing >= HUGE_FRAME

    def feed(self, data: bytes | bytearray | memoryview) -> bytes | bytearray | memoryview:
        """Keep the octets the frame still lacks; return the rest of `data`."""
        take = min(self.missing, len(data))
        self._chunks.append(bytes(data[:take]) if take < len(data) else bytes(data))
        self.missing -= take
        self._held += take
        return data[take:]

    def join(self) -> bytes:
        """Return the whole body (call once `missing` is 0); a body that arrived as one
        bytes chunk is that very object."""
        chunks = self._chunks
        body = chunks[0] if len(chunks) == 1 and type(chunks[0]) is bytes else b"".join(chunks)
        self._chunks = []
        return body
