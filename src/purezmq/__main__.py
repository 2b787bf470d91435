"""``python -m purezmq`` / ``purezmq``: the command line (demo, bench, run)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="purezmq", description="ZeroMQ in pure Python")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run every pattern over tcp, ipc and inproc, and print it")
    from .bench.cli import add_arguments as bench_arguments

    bench_arguments(commands.add_parser("bench", help="throughput, latency and memory benchmarks"))
    commands.add_parser(
        "run", help="run a pyzmq program on purezmq: purezmq run PROGRAM.py | -m MODULE"
    )
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["run"]:
        from .alias import run

        return run(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import main as demo

        return demo()
    if args.command == "bench":
        from .bench.cli import run as bench

        return bench(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
