"""Logging over PUB sockets, as pyzmq's ``zmq.log``: :mod:`.handlers` publishes log
records, ``python -m zmq.log URL`` (:mod:`.__main__`) subscribes and prints them."""
