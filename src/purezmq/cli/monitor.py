"""``purezmq monitor``: a socket's monitor events, live, and optionally its traffic.

Each event is a line: local time, the event's name, the endpoint, and what its value
means there (a file descriptor, an errno by name, a retry interval, a ZMTP protocol
error by name), or with ``--json`` an object with the raw value as well.
"""

from __future__ import annotations

import argparse
import errno
import functools
import json
import sys
import time
from typing import Any

import purezmq as zmq
from purezmq.utils.monitor import parse_monitor_message

from .common import Failure, Usage, attach, example_parser, guarded, open_context, say
from .format import Shown, Style, json_object, render
from .options import add_socket_flags, configure
from .sockets import KINDS

E = zmq.Event
_FD_EVENTS = {E.LISTENING, E.ACCEPTED, E.CONNECTED, E.CLOSED, E.DISCONNECTED}
_ERRNO_EVENTS = {E.BIND_FAILED, E.ACCEPT_FAILED, E.CLOSE_FAILED, E.CONNECT_DELAYED}
# From __members__: iterating a flag enum skips members of several bits (3.11+).
_PROTOCOL_ERRORS = {int(v): k for k, v in E.__members__.items() if k.startswith("PROTOCOL_")}
_EVENT_NAMES = sorted(k for k in E.__members__ if not k.startswith(("PROTOCOL_", "ALL")))
# Types whose messages can be read without sending first.
_TRAFFIC_TYPES = ("sub", "xsub", "pull", "dealer", "router", "pair", "xpub")

DESCRIPTION = """\
Open a socket of --type, bind or connect it (PUB, REP, ROUTER and PULL bind by default,
as the socket commands), and print its monitor events as they happen: time, event,
endpoint, and what the value means (fd N for LISTENING, ACCEPTED, CONNECTED, CLOSED and
DISCONNECTED; an errno name for BIND_FAILED, ACCEPT_FAILED, CLOSE_FAILED and
CONNECT_DELAYED; the retry interval for CONNECT_RETRIED; the ZMTP error for
HANDSHAKE_FAILED_PROTOCOL). --traffic also prints the messages the socket receives.

exit status: 0 when the --until event came, or --timeout ran out without --until;
1 a ZeroMQ error, or --timeout ran out before the --until event; 2 bad usage;
130 Ctrl+C, 143 SIGTERM.
"""

EXAMPLES = """\
  purezmq monitor tcp://localhost:5555 --type dealer
  purezmq monitor tcp://*:5556 --type xpub --bind --traffic
  purezmq monitor tcp://server:5555 --type req --until HANDSHAKE_SUCCEEDED --timeout 3000
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``purezmq monitor``."""
    example_parser(parser, DESCRIPTION, EXAMPLES)
    add = parser.add_argument
    add("endpoints", nargs="+", metavar="ENDPOINT", help="where to bind or connect")
    add("--type", required=True, choices=sorted(KINDS), help="the socket type")
    way = parser.add_mutually_exclusive_group()
    way.add_argument("--bind", action="store_true", help="bind to the endpoints")
    way.add_argument("--connect", action="store_true", help="connect to the endpoints")
    add("--traffic", action="store_true",
        help=f"print the messages received too ({', '.join(_TRAFFIC_TYPES)})")
    add("--until", type=str.upper, metavar="EVENT", choices=_EVENT_NAMES,
        help="exit once this event happens (e.g. HANDSHAKE_SUCCEEDED)")
    add("--timeout", type=int, metavar="MS", help="stop after MS ms (see exit status)")
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", dest="format", action="store_const", const="json",
                     help="one JSON object per event or message")
    fmt.add_argument("--hex", dest="format", action="store_const", const="hex",
                     help="traffic frames in hex")
    parser.set_defaults(format="text")
    add("--frames-sep", metavar="SEP", help="frame separator for traffic (default |)")
    add_socket_flags(parser)


def describe(event: int, value: int) -> str:
    """What ``value`` means for ``event``: "fd 7", "ECONNREFUSED (Connection refused)"..."""
    if event in _FD_EVENTS:
        return f"fd {value - (1 << 32) if value >= 1 << 31 else value}"
    if event in _ERRNO_EVENTS:
        return errno_name(value)
    if event == E.CONNECT_RETRIED:
        return f"retry in {value} ms"
    if event == E.HANDSHAKE_FAILED_PROTOCOL:
        name = _PROTOCOL_ERRORS.get(value, f"unknown error {value:#x}")
        return name.removeprefix("PROTOCOL_ERROR_")
    if event == E.HANDSHAKE_FAILED_AUTH:
        return f"status {value}"
    return f"value {value}" if value else ""


def errno_name(value: int) -> str:
    """An errno as its name and text: "EADDRINUSE (Address already in use)"."""
    try:
        name = zmq.Errno(value).name
    except ValueError:
        name = errno.errorcode.get(value, f"errno {value}")
    return f"{name} ({zmq.strerror(value)})"


def _clock(now: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now * 1000) % 1000:03d}"


class Watch:
    """Prints a socket's events (and its traffic) until --until, --timeout or a signal."""

    def __init__(self, sock: Any, events: Any, args: argparse.Namespace) -> None:
        self.sock, self.events, self.args = sock, events, args
        self.style = Style(args.format, args.frames_sep.encode() if args.frames_sep else None)
        self.peer = KINDS[args.type].peer(functools.partial(say, args))
        self.poller = zmq.Poller()
        self.poller.register(events, zmq.POLLIN)
        if args.traffic:
            self.poller.register(sock, zmq.POLLIN)

    def run(self) -> int:
        """Exit status 0, or raises Failure when --timeout runs out before --until."""
        timeout = self.args.timeout
        end = None if timeout is None else time.monotonic() + timeout / 1000
        while end is None or time.monotonic() < end:
            wait = None if end is None else max(0.0, end - time.monotonic()) * 1000
            ready = dict(self.poller.poll(wait))
            if self.events in ready and self._events():
                return 0
            if self.sock in ready:
                self._traffic()
        if self.args.until:
            raise Failure(f"no {self.args.until} within {timeout} ms")
        return 0

    def _events(self) -> bool:
        """Print the events waiting; whether the --until one was among them."""
        while self.events.poll(0):
            event = parse_monitor_message(self.events.recv_multipart())
            name = event["event"].name or str(int(event["event"]))
            self._event_line(name, event["value"], event["endpoint"].decode())
            if name == self.args.until:
                return True
        return False

    def _event_line(self, name: str, value: int, endpoint: str) -> None:
        now, detail = time.time(), describe(zmq.Event[name], value)
        if self.args.format == "json":
            obj = {"time": round(now, 3), "event": name, "endpoint": endpoint,
                   "value": value, "detail": detail}
            _write(json.dumps(obj) + "\n")
        else:
            _write(" ".join(p for p in (_clock(now), name, endpoint, detail) if p) + "\n")

    def _traffic(self) -> None:
        while self.sock.poll(0):
            msg = self.peer.view(self.sock.recv_multipart())
            now = time.time()
            if self.args.format == "json":
                _write(json.dumps({"time": round(now, 3), "message": json_object(msg)},
                                  ensure_ascii=False) + "\n")
            else:
                _write(f"{_clock(now)} MESSAGE " + _line(self.style, msg))


def _line(style: Style, msg: Shown) -> str:
    return render(style, msg).decode("utf-8", "backslashreplace")


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


@guarded
def run(args: argparse.Namespace) -> int:
    """Monitor a socket; the exit status."""
    if args.traffic and args.type not in _TRAFFIC_TYPES:
        raise Usage(f"--traffic needs a type that receives freely: {', '.join(_TRAFFIC_TYPES)}")
    kind = KINDS[args.type]
    with open_context(args.linger) as ctx:
        sock = ctx.socket(kind.type)
        configure(sock, args)
        events = sock.get_monitor_socket()
        attach(sock, args.endpoints, args.bind or (kind.binds and not args.connect))
        return Watch(sock, events, args).run()
