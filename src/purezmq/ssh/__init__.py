"""SSH tunnels for connections to hosts behind an ssh server (pyzmq's ``zmq.ssh``).

Everything is in :mod:`.tunnel`; importing this package needs neither paramiko nor
pexpect, only the tunnel functions that use one do.
"""

from .tunnel import *  # noqa: F403
from .tunnel import __all__ as __all__
