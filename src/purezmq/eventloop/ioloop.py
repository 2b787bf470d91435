"""pyzmq's deprecated ``zmq.eventloop.ioloop``: tornado's IOLoop under its old names.

Since pyzmq 17, sockets work with tornado's (and asyncio's) own loop; this module only
keeps old programs running. Importing it warns (DeprecationWarning), as does
:func:`install`, which does nothing else.
"""

import warnings

from tornado.ioloop import *  # noqa: F403  (the names pyzmq re-exports)
from tornado.ioloop import IOLoop


def _deprecated() -> None:
    warnings.warn(
        "zmq.eventloop.ioloop is deprecated in pyzmq 17."
        " pyzmq now works with default tornado and asyncio eventloops.",
        DeprecationWarning,
        stacklevel=3,
    )


_deprecated()

ZMQIOLoop = IOLoop


def install() -> None:
    """Deprecated, does nothing: tornado's IOLoop needs no zmq integration."""
    _deprecated()
