"""Stand-in for ``zmq`` on PYTHONPATH (``purezmq run``): installs purezmq as ``zmq``.

Imported as ``zmq``, it calls ``purezmq.alias.install_as_zmq()``, which puts purezmq's
``zmq`` view in this module's place in ``sys.modules``: the import statement that got
here returns that view, and every ``zmq.<name>`` import gives purezmq's module.
"""

import purezmq.alias

purezmq.alias.install_as_zmq()
