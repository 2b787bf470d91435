"""Socket machinery without I/O: pipes, routing strategies, subscriptions, socket types.

Nothing in this package imports asyncio, socket, selectors, threading, ssl or time
(``tests/test_layering.py`` enforces it). Every operation either succeeds now or
raises :class:`~purezmq.core.errors.WouldBlock`; waiting is the facade's business.
"""
