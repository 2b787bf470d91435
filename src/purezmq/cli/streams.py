"""Where the socket commands' messages come from (``-m`` or stdin) and go to (stdout)."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator

from .common import Usage
from .format import BadInput, Records, Shown, Style, parse, render

READ_SIZE = 65536


class Output:
    """Writes messages to stdout in the chosen format, each flushed as it comes."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self.out = sys.stdout.buffer

    def show(self, msg: Shown) -> None:
        self.out.write(render(self.style, msg))
        self.out.flush()


class Source:
    """The messages to send: each ``-m`` argument, or else stdin, in the chosen format.

    ``routed``: a message may start with the routing id of the peer it is for (ROUTER).
    A line of stdin that is not a message is reported through ``warn`` and skipped;
    a bad ``-m`` is a usage error.
    """

    def __init__(self, style: Style, texts: list[str] | None, routed: bool,
                 warn: Callable[[str], None]) -> None:
        self.style, self.routed, self.warn = style, routed, warn
        self.given = [self._parse_arg(text) for text in texts or []]
        self.from_stdin = texts is None
        self.records = Records(style.name == "raw")

    def _parse_arg(self, text: str) -> Shown:
        try:
            return parse(self.style, text.encode(), self.routed)
        except BadInput as exc:
            raise Usage(f"-m {text!r}: {exc}") from None

    def messages(self, count: int | None = None) -> Iterator[Shown]:
        """The messages in order, ``count`` at most; ``-m`` ones cycled to make ``count``."""
        if not self.from_stdin:
            given: Iterable[Shown] = self.given
            if count is not None and count > len(self.given):
                given = itertools.cycle(self.given)
            return itertools.islice(given, count)
        return itertools.islice(self._stdin(), count)

    def _stdin(self) -> Iterator[Shown]:
        while True:
            batch = self.read()
            if batch is None:
                return
            yield from batch

    @property
    def fd(self) -> int | None:
        """The descriptor to poll for more input, if the messages come from stdin."""
        return sys.stdin.fileno() if self.from_stdin else None

    def read(self) -> list[Shown] | None:
        """The messages one read of stdin completes; None at its end."""
        data = os.read(sys.stdin.fileno(), READ_SIZE)
        records = self.records.feed(data) if data else self.records.end()
        if not data and not records:
            return None
        return [msg for msg in map(self._parse_line, records) if msg is not None]

    def _parse_line(self, record: bytes) -> Shown | None:
        try:
            return parse(self.style, record, self.routed)
        except BadInput as exc:
            self.warn(f"input skipped: {exc}")
            return None
