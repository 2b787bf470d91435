"""``IOLoopAuthenticator``: pyzmq's deprecated name for the asyncio authenticator.

Tornado runs on asyncio, so :class:`~purezmq.auth.asyncio.AsyncioAuthenticator` serves a
tornado program as it is; this module only keeps pyzmq's ``zmq.auth.ioloop`` importable,
with its deprecation warnings (at import, and for the ignored ``io_loop`` argument).
"""

from __future__ import annotations

import warnings
from typing import Any

from .asyncio import AsyncioAuthenticator

warnings.warn(
    "purezmq.auth.ioloop.IOLoopAuthenticator is deprecated:"
    " use purezmq.auth.asyncio.AsyncioAuthenticator",
    DeprecationWarning,
    stacklevel=2,
)


class IOLoopAuthenticator(AsyncioAuthenticator):
    """ZAP authentication on the asyncio loop that tornado's IOLoop runs on."""

    def __init__(
        self, context: Any = None, encoding: str = "utf-8", log: Any = None, io_loop: Any = None
    ) -> None:
        if io_loop is not None:
            warnings.warn(
                f"{type(self).__name__}(io_loop) is deprecated and ignored",
                DeprecationWarning,
                stacklevel=2,
            )
        super().__init__(context=context, encoding=encoding, log=log)


__all__ = ["IOLoopAuthenticator"]
