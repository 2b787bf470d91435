"""``purezmq version`` and ``purezmq --version``: what is running, and with what."""

from __future__ import annotations

import argparse
import importlib
import platform

import purezmq as zmq

from .common import example_parser

# The optional packages purezmq uses when they are importable: name, module, what for.
EXTRAS = (
    ("uvloop", "uvloop", "a faster I/O loop, extra 'speed'"),
    ("PyNaCl", "nacl", "CURVE security, extra 'curve'"),
)


def one_line() -> str:
    """``purezmq --version``: purezmq's version and what it follows, on one line."""
    return (f"purezmq {zmq.__version__} (libzmq {zmq.zmq_version()} behaviour,"
            f" pyzmq {zmq.pyzmq_version()} API, Python {platform.python_version()})")


def extra_version(module: str) -> str | None:
    """The version of an optional package if it imports ("?" if it has none), else None."""
    try:
        imported = importlib.import_module(module)
    except ImportError:
        return None
    return str(getattr(imported, "__version__", "?"))


def report() -> list[str]:
    """The lines ``purezmq version`` prints."""
    lines = [
        f"purezmq          {zmq.__version__}",
        f"libzmq behaviour {zmq.zmq_version()} (ZMTP 3.1)",
        f"pyzmq API        {zmq.pyzmq_version()}",
        f"Python           {platform.python_version()} ({platform.python_implementation()},"
        f" {platform.system() or 'unknown system'})",
    ]
    for name, module, purpose in EXTRAS:
        version = extra_version(module)
        lines.append(f"{name:<16} {version or 'not installed':<14}  for {purpose}")
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``purezmq version`` takes no arguments."""
    example_parser(parser, "Print purezmq's version, the libzmq and pyzmq versions whose"
                   " behaviour and API it follows, Python's, and the optional packages"
                   " it can use.", "  purezmq version\n  purezmq --version\n")


def run(args: argparse.Namespace) -> int:
    """Print the report; exit status 0."""
    print("\n".join(report()))
    return 0
