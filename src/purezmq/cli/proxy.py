"""``purezmq proxy``: ``zmq.proxy_steerable`` between two endpoints, with statistics.

The proxy runs in a thread of its own, steered through an inproc PAIR; the main
thread waits for signals and for commands on the ``--control`` socket, relays them,
and prints the statistics when asked, when told to terminate, and on Ctrl+C.
"""

from __future__ import annotations

import argparse
import functools
import struct
import threading
from typing import Any

import purezmq as zmq

from .common import Failure, Stopped, attach, example_parser, guarded, open_context, say
from .options import add_socket_flags, configure

T = zmq.SocketType
MODES = {
    "xsub-xpub": (T.XSUB, T.XPUB),
    "router-dealer": (T.ROUTER, T.DEALER),
    "pull-push": (T.PULL, T.PUSH),
}
# How often (ms) the main thread looks whether the proxy thread has ended.
LOOK_MS = 200
# How long (ms) the proxy thread may take to answer STATISTICS.
ANSWER_MS = 5000
COMMANDS = (b"PAUSE", b"RESUME", b"TERMINATE", b"STATISTICS")

DESCRIPTION = """\
Forward messages both ways between FRONTEND and BACKEND with zmq.proxy_steerable.
Socket types: --xsub-xpub (the default: publishers connect to FRONTEND, subscribers to
BACKEND), --router-dealer (clients such as REQ connect to FRONTEND, workers such as REP
to BACKEND), --pull-push (pushers to FRONTEND, pullers to BACKEND). Both sides bind
unless --connect-frontend or --connect-backend is given.

--capture: a PUB bound there gets a copy of every message forwarded. --control: a REP
bound there takes PAUSE, RESUME, TERMINATE and STATISTICS from a REQ and answers as
zmq_proxy_steerable does (STATISTICS: eight 64-bit counters; the others: an empty
frame). The statistics (parts and bytes each side received and sent) are printed on
STATISTICS, on TERMINATE and on Ctrl+C.

exit status: 0 after TERMINATE; 1 a ZeroMQ error; 2 bad usage; 130 Ctrl+C, 143 SIGTERM.
"""

EXAMPLES = """\
  purezmq proxy tcp://*:5559 tcp://*:5560
  purezmq proxy tcp://*:5555 tcp://*:5556 --router-dealer --control tcp://127.0.0.1:5557
  purezmq req tcp://127.0.0.1:5557 -m STATISTICS   # the proxy prints its statistics
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``purezmq proxy``."""
    example_parser(parser, DESCRIPTION, EXAMPLES)
    add = parser.add_argument
    add("frontend", metavar="FRONTEND", help="the frontend's endpoint")
    add("backend", metavar="BACKEND", help="the backend's endpoint")
    modes = parser.add_mutually_exclusive_group()
    for mode in MODES:
        modes.add_argument(f"--{mode}", dest="mode", action="store_const", const=mode,
                           help="(default)" if mode == "xsub-xpub" else None)
    parser.set_defaults(mode="xsub-xpub")
    add("--connect-frontend", action="store_true", help="connect the frontend, not bind")
    add("--connect-backend", action="store_true", help="connect the backend, not bind")
    add("--capture", metavar="ENDPOINT", help="bind a PUB there with a copy of all traffic")
    add("--control", metavar="ENDPOINT", help="bind a REP there for proxy commands")
    add_socket_flags(parser, only=("--hwm", "--linger", "--heartbeat", "--ipv6"))


def format_statistics(stats: list[int]) -> str:
    """The eight counters of zmq_proxy_steerable as two lines, frontend then backend."""
    lines = []
    for side, base in (("frontend", 0), ("backend", 4)):
        got_parts, got_bytes, sent_parts, sent_bytes = stats[base : base + 4]
        lines.append(f"{side}: received {got_parts} parts ({got_bytes} bytes),"
                     f" sent {sent_parts} parts ({sent_bytes} bytes)")
    return "\n".join(lines)


class Relay:
    """``proxy_steerable`` running in a thread, steered through an inproc PAIR."""

    def __init__(self, ctx: Any, front: Any, back: Any, capture: Any) -> None:
        address = f"inproc://purezmq-proxy-{id(self):x}"
        self.steer = ctx.socket(T.PAIR)
        self.steer.bind(address)
        inner = ctx.socket(T.PAIR)
        inner.connect(address)
        self.error: zmq.ZMQError | None = None
        # Set by the thread as it ends. Not Thread.is_alive(): before 3.13, a signal
        # handler that raises inside is_alive() leaves the thread marked as stopped
        # while it runs on (CPython's bpo-45274 handler), and join() then returns at once.
        self.ended = threading.Event()
        self.thread = threading.Thread(
            target=self._forward, args=(front, back, capture, inner), name="purezmq-proxy"
        )

    def start(self) -> None:
        """Start forwarding (a signal may end the caller's wait before it returns)."""
        self.thread.start()

    def _forward(self, front: Any, back: Any, capture: Any, control: Any) -> None:
        try:
            zmq.proxy_steerable(front, back, capture, control)
        except zmq.ZMQError as exc:
            self.error = exc
        finally:
            self.ended.set()

    @property
    def running(self) -> bool:
        return self.thread.ident is not None and not self.ended.is_set()

    def statistics(self) -> list[int]:
        """The proxy's eight counters (see ``format_statistics``)."""
        self.steer.send(b"STATISTICS")
        if not self.steer.poll(ANSWER_MS):
            raise Failure("the proxy did not answer STATISTICS")
        return [struct.unpack("=Q", part)[0] for part in self.steer.recv_multipart()]

    def tell(self, command: bytes) -> None:
        """Pass PAUSE or RESUME on to the proxy."""
        self.steer.send(command)

    def stop(self) -> None:
        """TERMINATE the proxy and wait for its thread (a no-op once it has ended)."""
        if self.running:
            self.steer.send(b"TERMINATE")
            self.ended.wait()


def _open(ctx: Any, kind: int, endpoint: str, bind: bool, role: str,
          args: argparse.Namespace) -> Any:
    sock = ctx.socket(kind)
    configure(sock, args)
    attach(sock, [endpoint], bind, role)
    return sock


def _obey(relay: Relay, control: Any, args: argparse.Namespace) -> bool:
    """Carry out one command from the control socket; False after TERMINATE."""
    command: bytes = control.recv()
    if command in (b"STATISTICS", b"TERMINATE"):
        stats = relay.statistics()
        print(format_statistics(stats), flush=True)
        if command == b"STATISTICS":
            control.send_multipart([struct.pack("=Q", value) for value in stats])
            return True
        relay.stop()
    elif command in COMMANDS:
        relay.tell(command)
    else:
        say(args, f"unknown control command {command!r} ignored")
    control.send(b"")
    return command != b"TERMINATE"


def _serve(relay: Relay, control: Any, args: argparse.Namespace) -> int:
    poller = zmq.Poller()
    if control is not None:
        poller.register(control, zmq.POLLIN)
    while relay.running:
        ready = dict(poller.poll(LOOK_MS))
        if control in ready and not _obey(relay, control, args):
            break
    if relay.error is not None:
        raise Failure(f"the proxy stopped: {relay.error}")
    return 0


@guarded
def run(args: argparse.Namespace) -> int:
    """Run the proxy until TERMINATE or a signal; the exit status."""
    front_type, back_type = MODES[args.mode]
    with open_context(args.linger) as ctx:
        open_side = functools.partial(_open, ctx, args=args)
        front = open_side(front_type, args.frontend, not args.connect_frontend, "frontend")
        back = open_side(back_type, args.backend, not args.connect_backend, "backend")
        capture = args.capture and open_side(T.PUB, args.capture, True, "capture")
        control = args.control and open_side(T.REP, args.control, True, "control")
        relay = Relay(ctx, front, back, capture or None)
        try:
            relay.start()
            return _serve(relay, control or None, args)
        except Stopped:
            if relay.running:
                print(format_statistics(relay.statistics()), flush=True)
            raise
        finally:
            relay.stop()
