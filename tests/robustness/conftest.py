"""The fault suite also fails a test whose I/O loop logged an error.

asyncio reports an exception raised in a callback (a protocol method, a timer) by
logging it on the "asyncio" logger and carrying on; the socket may even keep
working. Under faults that is exactly the kind of damage to look for, so every
test here collects those records, through the teardown of its Context, and fails
if there is one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(self.format(record))


@pytest.fixture(autouse=True)
def loop_errors() -> Iterator[list[str]]:
    """What the "asyncio" logger reported at ERROR during the test; must end empty.

    Autouse, so set up before (and torn down after) the test's Context: its
    shutdown is covered too. A test may also ask for it and check it earlier.
    """
    collector = _Collector()
    logger = logging.getLogger("asyncio")
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
    assert not collector.messages, "the I/O loop logged:\n" + "\n".join(collector.messages)
