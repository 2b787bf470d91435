"""The I/O layer: the only code that imports asyncio, socket or threading.

Sessions move bytes between transports and pipes; listeners and connecters make
connections; the I/O thread runs a loop for sync contexts.
"""
