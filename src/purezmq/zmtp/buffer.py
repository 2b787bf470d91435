# Receive buffer for the ZMTP decoder.
#
# Theory of operation: bytes arrive in arbitrary pieces (RFC 37 runs over a
# byte stream) and leave as whole greetings, frames or batches of frames. A
# bytearray grows at its end (amortised O(1) per octet) and a read offset moves
# at its front; the consumed prefix is deleted only once it is more than half
# of the array, so every octet is moved O(1) times on average. Nothing is ever
# allocated from a size announced by the peer: the buffer only ever holds
# octets that were actually received. (Model: h11's _receivebuffer.py.)
#
# The decoder's fast path takes one `snapshot()` (a single bytes copy of the
# unread octets) per batch and slices frame bodies out of it, which costs one
# allocation per frame; see connection.py.
from __future__ import annotations


class ReceiveBuffer:
    """A FIFO of received octets with cheap consumption from the front."""

    __slots__ = ("_data", "_pos")

    def __init__(self) -> None:
        self._data = bytearray()
        self._pos = 0

    def __len__(self) -> int:
        """Number of unread octets."""
        return len(self._data) - self._pos

    def __repr__(self) -> str:
        return f"<ReceiveBuffer unread={len(self)} offset={self._pos}>"

    def append(self, data: bytes | bytearray | memoryview) -> None:
        """Add received octets at the end."""
        self._data += data

    def peek(self, size: int) -> bytes:
        """Return up to `size` unread octets without consuming them."""
        return bytes(self._data[self._pos : self._pos + size])

    def snapshot(self) -> bytes:
        """Return every unread octet as one bytes object (one copy)."""
        if self._pos == 0:
            return bytes(self._data)
        with memoryview(self._data) as view:
            return view[self._pos :].tobytes()

    def consume(self, size: int) -> None:
        """Drop `size` unread octets from the front."""
        self._pos += size
        total = len(self._data)
        if self._pos >= total:
            self._data.clear()
            self._pos = 0
        elif self._pos > total >> 1:
            del self._data[: self._pos]
            self._pos = 0

    def take(self, size: int) -> bytes:
        """Remove and return the first `size` unread octets (fewer if short)."""
        chunk = self.peek(size)
        self.consume(len(chunk))
        return chunk

    def clear(self) -> None:
        """Drop every unread octet."""
        self._data.clear()
        self._pos = 0


class FrameCollector:
    """The body of one large frame, gathered as received chunks and joined once.

    Used once a frame's header announced BIG_FRAME octets or more and the body
    is still arriving: the chunks are kept as they come (no growing array, no
    `+=` of bytes), and `join()` copies them exactly once.
    """

    __slots__ = ("_chunks", "_held", "flags", "missing")

    def __init__(self, flags: int, head: bytes, missing: int) -> None:
        self.flags = flags
        self.missing = missing
        self._chunks = [head]
        self._held = len(head)

    def __len__(self) -> int:
        """Octets held so far."""
        return self._held

    def feed(self, data: bytes | bytearray | memoryview) -> bytes | bytearray | memoryview:
        """Keep the octets the frame still lacks; return the rest of `data`."""
        take = min(self.missing, len(data))
        self._chunks.append(bytes(data[:take]) if take < len(data) else bytes(data))
        self.missing -= take
        self._held += take
        return data[take:]

    def join(self) -> bytes:
        """Return the whole body (call once `missing` is 0)."""
        body = b"".join(self._chunks)
        self._chunks = []
        return body
