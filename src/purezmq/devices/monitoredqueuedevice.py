"""MonitoredQueue and friends: ``monitored_queue`` run as a device."""

from __future__ import annotations

from .monitoredqueue import monitored_queue
from .proxydevice import PUB, ProcessProxy, Proxy, ProxyBase, ThreadProxy


class MonitoredQueueBase(ProxyBase):
    """Runs monitored_queue with the device's in, out and monitor sockets."""

    _in_prefix: bytes = b""
    _out_prefix: bytes = b""

    def __init__(
        self,
        in_type: int,
        out_type: int,
        mon_type: int = PUB,
        in_prefix: bytes = b"in",
        out_prefix: bytes = b"out",
    ) -> None:
        super().__init__(in_type=in_type, out_type=out_type, mon_type=mon_type)
        self._in_prefix = in_prefix
        self._out_prefix = out_prefix

    def run_device(self) -> None:
        ins, outs, mons = self._setup_mon()
        monitored_queue(ins, outs, mons, self._in_prefix, self._out_prefix)


class MonitoredQueue(MonitoredQueueBase, Proxy):
    """A Proxy whose monitor copies carry a prefix telling the direction.

    Unlike ``proxy``, it also serves ROUTER on both sides (swapping identities).
    """


class ThreadMonitoredQueue(MonitoredQueueBase, ThreadProxy):
    """MonitoredQueue in a background Thread."""


class ProcessMonitoredQueue(MonitoredQueueBase, ProcessProxy):
    """MonitoredQueue in a background Process."""


__all__ = ["MonitoredQueue", "ProcessMonitoredQueue", "ThreadMonitoredQueue"]
