"""What every ``purezmq`` subcommand shares: the command table's row, exit statuses,
signals, the Context's lifetime and attaching a socket to its endpoints.

Exit statuses: 0 when the command did what it was asked, 1 when ZeroMQ (or the
peer, or the input) made it fail, with one line on stderr, 2 for bad usage (as
argparse), and 128 + N when signal N (SIGINT, SIGTERM, SIGPIPE) stopped it, as a
shell reports a process that a signal ended.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

import purezmq as zmq

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
class Command:
    """One row of the command table: its help line, its arguments, what runs it."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


class Failure(Exception):
    """The command could not do its job: exit status 1, the message on stderr."""


class Usage(Exception):
    """Arguments that argparse accepted but that do not go together: exit status 2."""


class Stopped(BaseException):
    """A signal asked the command to end (a BaseException, as KeyboardInterrupt is)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


def example_parser(parser: argparse.ArgumentParser, description: str, examples: str) -> None:
    """Give ``parser`` its description and an epilog of examples, kept as written."""
    parser.description = description
    parser.epilog = "examples:\n" + examples
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def say(args: argparse.Namespace, text: str) -> None:
    """A line on stderr, prefixed with the command's name."""
    print(f"purezmq {args.command}: {text}", file=sys.stderr, flush=True)


def guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``run`` with signals handled and errors turned into exit statuses, no traceback."""

    @functools.wraps(run)
    def wrapper(args: argparse.Namespace) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, _stop)
        try:
            return run(args)
        except Stopped as stop:
            return 128 + stop.signum
        except Usage as exc:
            print(f"purezmq {args.command}: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except (Failure, zmq.ZMQError) as exc:
            say(args, str(exc))
            return EXIT_FAILURE
        except BrokenPipeError:
            # The reader went away (``| head``): no more output, and no complaint at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 128 + signal.SIGPIPE

    return wrapper


@contextmanager
def open_context(linger: int | None) -> Iterator[zmq.Context[Any]]:
    """A Context whose sockets are closed when the block ends.

    An explicit ``linger`` (ms) applies however the block ends. Without one, what is
    still queued is sent however long it takes after a normal end, and dropped after
    an error or a signal, so that a failed or interrupted command never hangs.
    """
    ctx = zmq.Context()
    finished = False
    try:
        yield ctx
        finished = True
    finally:
        if linger is None:
            linger = -1 if finished else 0
        ctx.destroy(linger=linger)


def attach(sock: Any, endpoints: list[str], bind: bool, role: str = "") -> None:
    """Bind or connect ``sock`` to each endpoint; each bound one is announced on stderr.

    The announcement, ``bound ENDPOINT`` (the address actually bound, so ``tcp://*:*``
    shows its port), lets a script or a test find a port the system chose.
    """
    for endpoint in endpoints:
        try:
            if not bind:
                sock.connect(endpoint)
                continue
            sock.bind(endpoint)
        except zmq.ZMQError as exc:
            # pyzmq's messages end with the address; ours says it first.
            text = str(exc).removesuffix(f" (addr={endpoint!r})")
            if endpoint not in text:
                text = f"cannot {'bind to' if bind else 'connect to'} {endpoint}: {text}"
            raise Failure(text) from None
        where = f" ({role})" if role else ""
        print(f"bound {sock.last_endpoint.decode()}{where}", file=sys.stderr, flush=True)
