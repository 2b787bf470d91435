"""pyzmq's private ``zmq._typing``: typing names for every supported Python."""

from typing import TypeAlias

__all__ = ["TypeAlias"]
