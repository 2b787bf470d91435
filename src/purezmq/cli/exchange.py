"""The socket commands' loops: send, receive, request, reply, and both ways at once.

Each loop returns the exit status, or raises ``Failure`` (exit status 1). ``--count``
counts what the command is for: messages sent by pub and push, requests by req and
rep, messages received by the others. ``--timeout`` bounds each wait for a message:
running out before ``--count`` is reached, or without ``--count`` before anything
arrived, is a failure; after something arrived, without ``--count``, it is the end.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import purezmq as zmq

from .common import Failure
from .format import Shown
from .peers import Peer
from .streams import Output, Source

POLLIN = int(zmq.POLLIN)
POLLOUT = int(zmq.POLLOUT)


def receive(sock: Any, timeout: int | None) -> list[bytes] | None:
    """The next message, or None when ``timeout`` ms passed without one (None: wait)."""
    if timeout is not None and not sock.poll(timeout, POLLIN):
        return None
    frames: list[bytes] = sock.recv_multipart()
    return frames


class Tally:
    """Counts toward ``--count`` and says what running out of ``--timeout`` means."""

    def __init__(self, count: int | None, timeout: int | None, noun: str = "message") -> None:
        self.count, self.timeout, self.noun = count, timeout, noun
        self.got = 0

    @property
    def done(self) -> bool:
        return self.count is not None and self.got >= self.count

    def timed_out(self) -> int:
        """Exit status 0 when ending here is fine; else raises Failure saying why."""
        if self.count is not None:
            raise Failure(f"timed out after {self.timeout} ms with {self.got} of"
                          f" {self.count} {self.noun}s")
        if not self.got:
            raise Failure(f"no {self.noun} within {self.timeout} ms")
        return 0


def _pause(args: argparse.Namespace, first: bool) -> None:
    if args.interval and not first:
        time.sleep(args.interval / 1000)


def send_all(sock: Any, source: Source, args: argparse.Namespace) -> int:
    """pub, push: send each message, ``--interval`` ms apart."""
    for n, msg in enumerate(source.messages(args.count)):
        _pause(args, n == 0)
        sock.send_multipart(msg.frames)
    return 0


def receive_all(sock: Any, out: Output, args: argparse.Namespace, peer: Peer) -> int:
    """sub, pull: print each message received."""
    tally = Tally(args.count, args.timeout)
    while not tally.done:
        frames = receive(sock, args.timeout)
        if frames is None:
            return tally.timed_out()
        out.show(peer.view(frames))
        tally.got += 1
    return 0


def request_all(sock: Any, source: Source, out: Output, args: argparse.Namespace) -> int:
    """req: send each message as a request and print its reply."""
    for n, msg in enumerate(source.messages(args.count)):
        _pause(args, n == 0)
        sock.send_multipart(msg.frames)
        reply = receive(sock, args.timeout)
        if reply is None:
            raise Failure(f"no reply within {args.timeout} ms")
        out.show(Shown(tuple(reply)))
    return 0


def reply_all(sock: Any, out: Output, args: argparse.Namespace,
              answer: Callable[[list[bytes]], list[bytes]]) -> int:
    """rep: print each request and send back what ``answer`` makes of it."""
    tally = Tally(args.count, args.timeout, "request")
    while not tally.done:
        request = receive(sock, args.timeout)
        if request is None:
            return tally.timed_out()
        out.show(Shown(tuple(request)))
        sock.send_multipart(answer(request))
        tally.got += 1
    return 0


def run_command(command: str, request: list[bytes], sep: bytes | None, raw: bool,
                warn: Callable[[str], None]) -> list[bytes]:
    """The reply ``command`` (a shell command) gives to ``request``.

    Its stdin is the request's frames joined by ``sep`` (a newline if None) and a
    final newline; its stdout less one final newline, split on ``sep`` if given, is
    the reply. ``raw`` adds and removes nothing.
    """
    data = (b"\n" if sep is None else sep).join(request)
    if not raw:
        data += b"\n"
    try:
        done = subprocess.run(command, shell=True, input=data, stdout=subprocess.PIPE)
    except OSError as exc:
        raise Failure(f"cannot run {command!r}: {exc}") from None
    if done.returncode:
        warn(f"{command!r} exited with status {done.returncode}")
    output = done.stdout
    if not raw and output.endswith(b"\n"):
        output = output[:-1]
    return output.split(sep) if sep is not None else [output]


class Duplex:
    """dealer, router, pair, xpub, xsub: send what is given while printing what comes.

    Sending goes on until ``-m`` or stdin is exhausted, receiving until ``--count``,
    ``--timeout`` or a signal ends the command. A message that cannot go now (no peer
    has room) waits for the socket to be writable, so receiving never stops.
    """

    def __init__(self, sock: Any, source: Source, out: Output, peer: Peer,
                 args: argparse.Namespace) -> None:
        self.sock, self.source, self.out, self.peer = sock, source, out, peer
        self.tally = Tally(args.count, args.timeout)
        self.timeout, self.interval = args.timeout, (args.interval or 0) / 1000
        self.pending: deque[Shown] = deque(source.given)
        self.reading = source.fd is not None
        self.next_send = 0.0
        self.heard = time.monotonic()
        self.poller = zmq.Poller()
        if self.reading:
            self.poller.register(source.fd, POLLIN)

    def run(self) -> int:
        """Exit status 0 once ``--count`` messages came; see ``Tally`` for timeouts."""
        while not self.tally.done:
            ready = self._wait()
            if ready.get(self.sock, 0) & POLLIN:
                self._receive()
            if self.reading and self.source.fd in ready:
                self._read_input()
            self._send_due()
            if self._silent_too_long():
                return self.tally.timed_out()
        return 0

    def _wait(self) -> dict[Any, int]:
        due = self.pending and time.monotonic() >= self.next_send
        self.poller.register(self.sock, POLLIN | (POLLOUT if due else 0))
        return dict(self.poller.poll(self._wait_ms()))

    def _wait_ms(self) -> float | None:
        now, waits = time.monotonic(), []
        if self.timeout is not None:
            waits.append(self.heard + self.timeout / 1000 - now)
        if self.pending and self.next_send > now:
            waits.append(self.next_send - now)
        return max(0.0, min(waits)) * 1000 if waits else None

    def _receive(self) -> None:
        while not self.tally.done:
            try:
                frames = self.sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            self.out.show(self.peer.view(frames))
            self.tally.got += 1
            self.heard = time.monotonic()

    def _read_input(self) -> None:
        batch = self.source.read()
        if batch is None:
            self.reading = False
            self.poller.unregister(self.source.fd)
        else:
            self.pending.extend(batch)

    def _send_due(self) -> None:
        while self.pending and time.monotonic() >= self.next_send:
            frames = self.peer.address(self.pending[0])
            try:
                if frames is not None:
                    self.sock.send_multipart(frames, zmq.NOBLOCK)
            except zmq.Again:
                return  # no room: wait until the socket is writable
            except zmq.ZMQError as exc:
                if exc.errno != zmq.EHOSTUNREACH:
                    raise
                self.peer.unreachable(self.pending[0])
            self.pending.popleft()
            self.next_send = time.monotonic() + self.interval

    def _silent_too_long(self) -> bool:
        return self.timeout is not None and (
            time.monotonic() - self.heard >= self.timeout / 1000
        )
