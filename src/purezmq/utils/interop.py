"""``zmq.utils.interop``: an address as an int (pyzmq passes C pointers; here they are ints)."""

from __future__ import annotations

from typing import Any


def cast_int_addr(n: Any) -> int:
    """``n`` as an int: an int is itself; anything else is refused with ValueError."""
    if isinstance(n, int) and not isinstance(n, bool):
        return n
    raise ValueError(f"Cannot cast {n!r} to int")


__all__ = ["cast_int_addr"]
