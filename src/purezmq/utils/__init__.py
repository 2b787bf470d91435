"""Helpers that stand apart from sockets, as in pyzmq's ``zmq.utils``."""
