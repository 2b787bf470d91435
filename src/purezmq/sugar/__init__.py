"""The pyzmq-shaped classes users touch: frames, trackers, sockets, contexts, pollers."""
