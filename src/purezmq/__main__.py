"""``python -m purezmq`` / ``purezmq``: the command line (demo, bench)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="purezmq", description="ZeroMQ in pure Python")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run every pattern over tcp, ipc and inproc, and print it")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import main as demo

        return demo()
    return 2


if __name__ == "__main__":
    sys.exit(main())
