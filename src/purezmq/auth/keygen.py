"""``python -m purezmq.auth``: write a new CURVE certificate pair into a directory.

The same files as ``create_certificates`` (NAME.key, NAME.key_secret); ``main``
is small so that a ``purezmq keygen`` subcommand can reuse it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ..error import ZMQError
from .certs import create_certificates

__all__ = ["add_arguments", "main", "write"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m purezmq.auth",
        description="Write a new CURVE certificate pair (NAME.key, NAME.key_secret).",
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``python -m purezmq.auth`` and of ``purezmq keygen``."""
    parser.add_argument("directory", nargs="?", default=".", help="where (default: .)")
    parser.add_argument("-n", "--name", default="id", help="file name stem (default: id)")
    parser.add_argument(
        "-m", "--metadata", action="append", default=[], metavar="KEY=VALUE",
        help="metadata for the secret certificate (repeatable)",
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Write the pair and print the two paths; 1 (with a message) on failure."""
    return write(_parser().parse_args(argv))


def write(args: argparse.Namespace) -> int:
    """:func:`main` on parsed arguments (``purezmq keygen``)."""
    metadata = dict(item.partition("=")[::2] for item in args.metadata)
    try:
        os.makedirs(args.directory, exist_ok=True)
        public_file, secret_file = create_certificates(args.directory, args.name, metadata)
    except (OSError, ZMQError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(public_file)
    print(secret_file)
    return 0
