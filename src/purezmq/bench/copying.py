"""The throughput loops, and ``--copy``: the same transfer with every message really made
and really copied.

Over inproc, purezmq hands the receiver the very ``bytes`` object the sender passed (a
reference: ``bytes`` cannot change, so nothing needs copying), while pyzmq copies each
message into a libzmq message on send and out into a new ``bytes`` on receive. The
plain inproc rows therefore compare a library that moves no bytes with one that moves
every byte twice, and purezmq's MB/s there is no bandwidth at all.

What is fair: both libraries run the same application, doing what an application
that makes its data and keeps what it receives does. In copy mode the sender makes
each message anew, ``bytes(source)`` from a ``bytearray`` (the cost of producing the
data), and the receiver copies each message it gets into a ``bytearray`` (the cost
of keeping or changing it), with either library. Each library then adds its own
copies to those, which is the difference the rows show: none for purezmq, two for
pyzmq. The library is not asked to do anything differently (no ``copy=False``, no
buffers), so that the rows measure the API as programs call it.

Only inproc throughput has copy rows: over tcp and ipc every byte goes through the
kernel whatever the library, and latency and fan-out messages are small.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


def send_all(send: Callable[[bytes], Any], size: int, count: int, copy: bool) -> None:
    """Send ``count`` messages of ``size`` bytes: the same object, or each one made anew."""
    payload = b"x" * size
    if not copy:
        for _ in range(count):
            send(payload)
        return
    source = bytearray(payload)
    for _ in range(count):
        send(bytes(source))


def recv_all(recv: Callable[[], Any], count: int, copy: bool) -> None:
    """Receive ``count`` messages: as they come, or each copied into a bytearray."""
    if not copy:
        for _ in range(count):
            recv()
        return
    for _ in range(count):
        bytearray(recv())


async def send_all_async(
    send: Callable[[bytes], Awaitable[Any]], size: int, count: int, copy: bool
) -> None:
    """:func:`send_all`, each send awaited."""
    payload = b"x" * size
    if not copy:
        for _ in range(count):
            await send(payload)
        return
    source = bytearray(payload)
    for _ in range(count):
        await send(bytes(source))


async def recv_all_async(recv: Callable[[], Awaitable[Any]], count: int, copy: bool) -> None:
    """:func:`recv_all`, each receive awaited."""
    if not copy:
        for _ in range(count):
            await recv()
        return
    for _ in range(count):
        bytearray(await recv())
