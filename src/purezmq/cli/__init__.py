"""``purezmq`` (also ``python -m purezmq``): the command line.

``COMMANDS`` is the table of subcommands, one row each: its help line, the function
that adds its arguments to its parser, and the one that runs it and gives the exit
status. Adding a subcommand is adding a row.
"""

from __future__ import annotations

import argparse
import sys

from ..bench import cli as bench
from . import monitor, proxy, sockets, version
from .common import Command, example_parser
from .options import join_dashed_values


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    """For a subcommand that takes none."""


def _demo(args: argparse.Namespace) -> int:
    from ..demo import main as demo

    return demo()


def _keygen_arguments(parser: argparse.ArgumentParser) -> None:
    from ..auth.keygen import add_arguments

    add_arguments(parser)
    example_parser(
        parser,
        "Write a new CURVE certificate pair: NAME.key (the public key, to give to peers)"
        " and NAME.key_secret, in the format of czmq and pyzmq's zmq.auth.",
        "  purezmq keygen certificates -n server\n"
        "  purezmq pull --bind tcp://*:5557 --curve-server --curve-secretkey SECRET\n",
    )


def _keygen(args: argparse.Namespace) -> int:
    from ..auth.keygen import write

    return write(args)


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "program", nargs=argparse.REMAINDER,
        help="PROGRAM.py [ARGS...] or -m MODULE [ARGS...]: run on purezmq, as 'zmq'",
    )


def _run(args: argparse.Namespace) -> int:
    from ..alias import run

    return run(args.program)


COMMANDS: dict[str, Command] = {
    "demo": Command("run every pattern over tcp, ipc and inproc, and print it",
                    _no_arguments, _demo),
    "bench": Command("throughput, latency and memory benchmarks", bench.add_arguments,
                     bench.run),
    **sockets.COMMANDS,
    "monitor": Command("print a socket's connection events live", monitor.add_arguments,
                       monitor.run),
    "proxy": Command("forward between two endpoints, with statistics", proxy.add_arguments,
                     proxy.run),
    "keygen": Command("write a CURVE certificate pair (NAME.key, NAME.key_secret)",
                      _keygen_arguments, _keygen),
    "version": Command("purezmq's version, what it follows, what it can use",
                       version.add_arguments, version.run),
    "run": Command("run a pyzmq program on purezmq: run PROGRAM.py | run -m MODULE",
                   _run_arguments, _run),
}


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line, a subparser per row of ``COMMANDS``."""
    parser = argparse.ArgumentParser(
        prog="purezmq",
        description="ZeroMQ in pure Python: the demo, the benchmarks, and tools to talk to"
        " and watch any ZeroMQ system. 'purezmq COMMAND --help' for each command.",
    )
    parser.add_argument("--version", action="version", version=version.one_line())
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        command.add_arguments(commands.add_parser(name, help=command.help))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["run"]:
        # Everything after "run" is the program's, options included (-m, --help ...).
        return _run(argparse.Namespace(program=argv[1:]))
    args = build_parser().parse_args(join_dashed_values(argv))
    return COMMANDS[args.command].run(args)


__all__ = ["COMMANDS", "Command", "build_parser", "main"]
