"""Versions: of the pyzmq API purezmq follows, and of the libzmq behaviour (``zmq.sugar.version``).

purezmq's own release is ``purezmq.__version__``; this module speaks for the pyzmq
release whose API it implements, since that is what programs written for pyzmq ask
(``zmq.pyzmq_version()``, ``zmq.__version__`` through the alias).
"""

from __future__ import annotations

__version__ = "27.3.0"
__revision__ = ""

VERSION_MAJOR, VERSION_MINOR, VERSION_PATCH = (int(part) for part in __version__.split("."))
VERSION_EXTRA = ""
version_info: tuple[int, int, int] = (VERSION_MAJOR, VERSION_MINOR, VERSION_PATCH)
# The libzmq release whose behaviour purezmq follows.
_ZMQ_VERSION: tuple[int, int, int] = (4, 3, 5)


def pyzmq_version() -> str:
    """The pyzmq API version purezmq follows, as a string."""
    return __version__


def pyzmq_version_info() -> tuple[int, int, int]:
    """The pyzmq API version purezmq follows, as a tuple."""
    return version_info


def zmq_version() -> str:
    """The libzmq version whose behaviour purezmq matches, as a string."""
    return ".".join(map(str, _ZMQ_VERSION))


def zmq_version_info() -> tuple[int, int, int]:
    """The libzmq version whose behaviour purezmq matches, as a tuple."""
    return _ZMQ_VERSION


__all__ = [
    "__revision__",
    "__version__",
    "pyzmq_version",
    "pyzmq_version_info",
    "zmq_version",
    "zmq_version_info",
]
