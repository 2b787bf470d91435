"""``python -m zmq.log URL``: print the log records a PUBHandler publishes at URL.

As pyzmq's log watcher: it subscribes to ``--topic`` (default: everything), and prints
each record as ``TOPIC | TEXT`` until interrupted (Ctrl-C). ``--timestamp`` puts the
local time first, ``--align`` pads the topic's dotted parts into columns,
``--separator`` changes the `` | ``, and ``--color`` colours lines by level (with
the colorama package).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime

from ..constants import PollEvent, SocketType
from ..sugar.context import Context

# How long one wait lasts (ms): Ctrl-C is noticed between waits.
_POLL_MS = 100


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser("ZMQ Log Watcher")
    parser.add_argument("zmq_pub_url", type=str, help="URL to a ZMQ publisher socket.")
    parser.add_argument("-t", "--topic", type=str, default="",
                        help="Only receive messages that start with this topic.")
    parser.add_argument("--timestamp", action="store_true",
                        help="Append local time to the log messages.")
    parser.add_argument("--separator", type=str, default=" | ",
                        help="String to print between topic and message.")
    parser.add_argument("--dateformat", type=str, default="%Y-%d-%m %H:%M",
                        help="Set alternative date format for use with --timestamp.")
    parser.add_argument("--align", action="store_true", default=False,
                        help="Try to align messages by the width of their topics.")
    parser.add_argument("--color", action="store_true", default=False,
                        help="Color the output based on the error level. "
                        "Requires the colorama module.")
    return parser


def _colors(wanted: bool) -> dict[str, str]:
    """Terminal colours by level name ("__RESET__": back to normal); {} for none."""
    if not wanted:
        return {}
    import colorama

    colorama.init()
    fore = colorama.Fore
    return {
        "DEBUG": fore.LIGHTCYAN_EX,
        "INFO": fore.LIGHTWHITE_EX,
        "WARNING": fore.YELLOW,
        "ERROR": fore.LIGHTRED_EX,
        "CRITICAL": fore.LIGHTRED_EX,
        "__RESET__": fore.RESET,
    }


class LineFormatter:
    """Turns ``[topic, text]`` messages into lines; remembers column widths for --align."""

    def __init__(self, args: argparse.Namespace, colors: dict[str, str]) -> None:
        self.args = args
        self.colors = colors
        self.widths: list[int] = []

    def line(self, topic: bytes, text: bytes) -> str:
        """The line to print for one record."""
        parts = topic.decode("utf8").strip().split(".")
        # A PUBHandler's topic is ROOT.LEVEL... or, without a root topic, LEVEL...
        level = parts[0] if len(parts) == 1 else parts[1]
        shown = self._aligned(parts) if self.args.align else topic.decode("utf8").strip()
        stamp = ""
        if self.args.timestamp:
            stamp = datetime.now().strftime(self.args.dateformat) + " "
        color = self.colors.get(level, "")
        reset = self.colors.get("__RESET__", "")
        body = text.decode("utf8").strip()
        return f"{stamp}{color}{shown}{self.args.separator}{body}{reset}"

    def _aligned(self, parts: list[str]) -> str:
        """The parts padded to the widest seen in each column (missing ones as blanks)."""
        parts = parts + [" "] * (len(self.widths) - len(parts))
        for i, part in enumerate(parts):
            if i == len(self.widths):
                self.widths.append(0)
            self.widths[i] = max(self.widths[i], len(part))
        return ".".join(part.ljust(width) for part, width in zip(parts, self.widths, strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    """Subscribe and print until interrupted; the exit status."""
    args = _parser().parse_args(argv)
    lines = LineFormatter(args, _colors(args.color))
    ctx = Context()
    sub = ctx.socket(SocketType.SUB)
    sub.subscribe(args.topic.encode("utf8"))
    sub.connect(args.zmq_pub_url)
    try:
        while True:
            if sub.poll(_POLL_MS, PollEvent.POLLIN):
                topic, text = sub.recv_multipart()[:2]
                print(lines.line(topic, text), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        if args.color:
            print(lines.colors["__RESET__"])
        ctx.destroy(linger=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
