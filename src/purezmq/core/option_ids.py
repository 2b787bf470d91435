"""Socket option ids, by libzmq's names (``include/zmq.h``).

The table in ``options.py`` and the socket types refer to options by these names.
They are the constants' ``SocketOption`` itself (a leaf module of names and numbers,
which every layer may import): one list of ids in the package, not two.
"""

from __future__ import annotations

from ..constants import SocketOption as Opt

__all__ = ["Opt"]
