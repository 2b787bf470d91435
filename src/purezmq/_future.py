"""pyzmq's private ``zmq._future``: the base classes of its Future-returning sockets.

Programs name them in ``isinstance`` checks and annotations
(``zmq._future._AsyncSocket``). In purezmq they are :mod:`purezmq.asyncio`'s classes,
which :mod:`purezmq.eventloop.future`'s subclass, so such checks hold for both.
"""

from .asyncio import Poller as _AsyncPoller
from .asyncio import Socket as _AsyncSocket

__all__ = ["_AsyncPoller", "_AsyncSocket"]
