"""``purezmq pub|sub|push|pull|req|rep|dealer|router|pair|xpub|xsub``: netcat for ZeroMQ.

Each command opens one socket of its type, binds or connects it to the endpoints
given (PUB, REP, ROUTER and PULL bind by default, the others connect, as zmqc
does), then sends what ``-m`` or stdin gives, prints what it receives, or both,
according to its type (``exchange.py``), in the format chosen (``format.py``).
"""

from __future__ import annotations

import argparse
import functools
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import purezmq as zmq

from . import exchange
from .common import Command, attach, example_parser, guarded, open_context, say
from .format import Style
from .options import add_socket_flags, configure
from .peers import Peer, RouterPeer, XPubPeer
from .streams import Output, Source

T = zmq.SocketType


@dataclass(frozen=True)
class Kind:
    """What a socket command does: its type, whether it binds, how it exchanges."""

    type: int
    binds: bool
    mode: str  # "send", "receive", "request", "reply" or "duplex"
    summary: str
    examples: str
    peer: Callable[[Callable[[str], None]], Peer] = Peer


KINDS: dict[str, Kind] = {
    "pub": Kind(T.PUB, True, "send",
                "Publish each message to the subscribers connected at the time. A PUB drops"
                " what it sends before a subscriber has joined: start subscribers first, or"
                " repeat with --count and --interval.",
                "  purezmq pub tcp://*:5556 -m hello --count 100 --interval 100\n"
                "  tail -f app.log | purezmq pub tcp://*:5556"),
    "sub": Kind(T.SUB, False, "receive",
                "Print each message published to it; everything, unless --subscribe is"
                " given.",
                "  purezmq sub tcp://localhost:5556 --subscribe weather.\n"
                "  purezmq sub tcp://localhost:5556 --json | jq -r '.frames[1]'"),
    "push": Kind(T.PUSH, False, "send",
                 "Send each message to the pullers in turn; waits while none has room.",
                 "  seq 10 | purezmq push tcp://localhost:5557\n"
                 "  purezmq push tcp://localhost:5557 -m job1 -m job2"),
    "pull": Kind(T.PULL, True, "receive", "Print each message pushed to it.",
                 "  purezmq pull tcp://*:5557 --count 10 --timeout 5000"),
    "req": Kind(T.REQ, False, "request",
                "Send each message as a request and print its reply.",
                "  purezmq req tcp://localhost:5555 -m ping --timeout 2000\n"
                "  printf 'a\\nb\\n' | purezmq req tcp://localhost:5555"),
    "rep": Kind(T.REP, True, "reply",
                "Print each request and answer it: with the request itself, or with the"
                " output of --exec CMD, a shell command that reads the request's frames"
                " on stdin (joined by --frames-sep, or newlines, with a final newline)"
                " and writes the reply on stdout (its final newline removed, split on"
                " --frames-sep if given; --raw: nothing added or removed).",
                "  purezmq rep tcp://*:5555\n"
                "  purezmq rep tcp://*:5555 --exec 'tr a-z A-Z'"),
    "dealer": Kind(T.DEALER, False, "duplex",
                   "Send each message to the peers in turn, and print every message"
                   " received until --count, --timeout or Ctrl+C.",
                   "  purezmq dealer tcp://localhost:5555 -m hello --count 1"),
    "router": Kind(T.ROUTER, True, "duplex",
                   "Print each message received as [ROUTING-ID-HEX] FRAMES. Send each"
                   " message to the peer named by the same [HEX] prefix, or, without one,"
                   " back to the peer heard from last, with that message's envelope"
                   " (for a REQ peer, its empty delimiter frame too): type a line to"
                   " answer the last request. A message for an unknown peer is dropped,"
                   " with a warning.",
                   "  purezmq router tcp://*:5555\n"
                   "  purezmq router tcp://*:5555 --frames-sep '|' -m '[0080000001] |hi'",
                   RouterPeer),
    "pair": Kind(T.PAIR, False, "duplex",
                 "Send to the one peer and print what it sends.",
                 "  purezmq pair --bind tcp://*:5558\n"
                 "  purezmq pair tcp://localhost:5558 -m hello"),
    "xpub": Kind(T.XPUB, False, "duplex",
                 "Publish each message, and print the subscriptions subscribers send"
                 " ('subscribe TOPIC', 'unsubscribe TOPIC').",
                 "  purezmq xpub --bind tcp://*:5556 --hex", XPubPeer),
    "xsub": Kind(T.XSUB, False, "duplex",
                 "Print what publishers send (everything, unless --subscribe is given) and"
                 " send each message to them as it is (a first byte 1 subscribes, 0"
                 " unsubscribes).",
                 "  purezmq xsub tcp://localhost:5556 --subscribe ''"),
}

FORMATS_HELP = """\
output and input: one message per line, frames joined by | (or --frames-sep), non-UTF-8
bytes and control characters shown as \\xNN; --hex: frames in hex; --json: one object
per line, {"frames": [F, ...]}, F a string for a UTF-8 frame, {"base64": "..."} for any
other (a ROUTER adds "routing_id": "HEX"; an XPUB shows {"subscribe": F}); --raw: the
bytes as they are, and each read of stdin is one message. Lines on stdin (or -m) are
read in the same format; in text, a line is one frame unless --frames-sep is given.

exit status: 0 done; 1 a ZeroMQ error, or --timeout ran out before --count messages
came (or before any, without --count); 2 bad usage; 130 Ctrl+C, 143 SIGTERM. On exit,
queued messages are sent however long it takes after a normal end, and dropped after
an error or a signal, unless --linger says otherwise.
"""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """The arguments of socket command ``name``."""
    kind = KINDS[name]
    side = "binds" if kind.binds else "connects"
    summary = textwrap.fill(f"{kind.summary} {side.capitalize()} by default.", 88)
    example_parser(parser, f"{summary}\n\n{FORMATS_HELP}", kind.examples)
    parser.add_argument("endpoints", nargs="+", metavar="ENDPOINT",
                        help="tcp://HOST:PORT, ipc://PATH or inproc://NAME")
    way = parser.add_mutually_exclusive_group()
    way.add_argument("--bind", action="store_true", help="bind to the endpoints")
    way.add_argument("--connect", action="store_true", help="connect to the endpoints")
    _add_exchange_flags(parser, kind)
    _add_format_flags(parser)
    add_socket_flags(parser)


def _add_exchange_flags(parser: argparse.ArgumentParser, kind: Kind) -> None:
    add = parser.add_argument
    if kind.mode in ("send", "request", "duplex"):
        add("-m", "--message", action="append", metavar="TEXT",
            help="a message to send (repeatable); without -m, stdin is read")
        add("--interval", type=int, metavar="MS", help="wait MS ms between messages sent")
    counted = {"send": "messages to send (-m ones repeated to make N)",
               "request": "requests to send (-m ones repeated to make N)",
               "reply": "requests to answer before exiting"}
    add("--count", type=_positive, metavar="N",
        help=counted.get(kind.mode, "messages to receive before exiting"))
    if kind.mode != "send":
        add("--timeout", type=int, metavar="MS",
            help="give up waiting for a message after MS ms (see exit status)")
    if kind.mode == "reply":
        add("--exec", metavar="CMD", help="answer with the output of shell command CMD")


FORMAT_FLAGS = {
    "hex": "frames in hex, out and in",
    "json": "a JSON object per message, out and in",
    "raw": "bytes as they are: frames written back to back, a message per read of stdin",
}


def _add_format_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("format (default: text, a message per line)")
    choice = group.add_mutually_exclusive_group()
    for flag, text in FORMAT_FLAGS.items():
        choice.add_argument(f"--{flag}", dest="format", action="store_const", const=flag,
                            help=text)
    parser.set_defaults(format="text")
    group.add_argument("--frames-sep", metavar="SEP",
                       help="separates frames in lines written (default |) and read (text:"
                       " lines are not split by default; hex: |)")


@guarded
def run(args: argparse.Namespace) -> int:
    """Run the socket command ``args.command``; its exit status."""
    kind = KINDS[args.command]
    style = Style(args.format, args.frames_sep.encode() if args.frames_sep else None)
    with open_context(args.linger) as ctx:
        sock = ctx.socket(kind.type)
        configure(sock, args)
        if kind.type == T.ROUTER:
            sock.router_mandatory = 1  # so that a message for nobody can be reported
        attach(sock, args.endpoints, args.bind or (kind.binds and not args.connect))
        return _exchange(kind, sock, args, style)


def _exchange(kind: Kind, sock: Any, args: argparse.Namespace, style: Style) -> int:
    warn = functools.partial(say, args)
    out = Output(style)
    if kind.mode == "receive":
        return exchange.receive_all(sock, out, args, kind.peer(warn))
    if kind.mode == "reply":
        return exchange.reply_all(sock, out, args, _answer(args, style, warn))
    source = Source(style, args.message, kind.type == T.ROUTER, warn)
    if kind.mode == "send":
        return exchange.send_all(sock, source, args)
    if kind.mode == "request":
        return exchange.request_all(sock, source, out, args)
    return exchange.Duplex(sock, source, out, kind.peer(warn), args).run()


def _answer(args: argparse.Namespace, style: Style,
            warn: Callable[[str], None]) -> Callable[[list[bytes]], list[bytes]]:
    if args.exec is None:
        return lambda request: request
    return functools.partial(exchange.run_command, args.exec, sep=style.sep,
                             raw=style.name == "raw", warn=warn)


_MODES = {"send": "send -m or stdin", "receive": "print what arrives",
          "request": "send requests, print replies", "reply": "print and answer requests",
          "duplex": "send -m or stdin, print what arrives"}

COMMANDS: dict[str, Command] = {
    name: Command(f"a {name.upper()} socket: {_MODES[kind.mode]}",
                  functools.partial(add_arguments, name=name), run)
    for name, kind in KINDS.items()
}
