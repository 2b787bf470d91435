"""tornado integration, as pyzmq's ``zmq.eventloop``: :mod:`.zmqstream` (callbacks on
tornado's IOLoop), :mod:`.future` (sockets whose calls return awaitables for tornado
coroutines) and :mod:`.ioloop` (pyzmq's deprecated shims).

tornado is an optional dependency (``pip install purezmq[tornado]``); without it,
importing this package raises ImportError naming it.
"""

try:
    from tornado.ioloop import IOLoop
except ImportError as exc:
    raise ImportError(
        "zmq.eventloop needs tornado: pip install tornado (or purezmq[tornado])",
        name="tornado",
    ) from exc

__all__ = ["IOLoop"]
