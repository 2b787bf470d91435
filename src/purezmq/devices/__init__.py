"""Devices run in the background: ``purezmq.devices``, shaped like pyzmq's ``zmq.devices``.

A device is made from socket types and queued binds/connects/options; its sockets
are created where it runs (a Thread or a Process), and it ends quietly when its
context is terminated.
"""

from __future__ import annotations

from ..constants import DeviceType
from ..sugar.proxy import proxy
from . import (
    basedevice,
    monitoredqueue,
    monitoredqueuedevice,
    proxydevice,
    proxysteerabledevice,
)
from .basedevice import Device, ProcessDevice, ThreadDevice
from .monitoredqueue import monitored_queue
from .monitoredqueuedevice import MonitoredQueue, ProcessMonitoredQueue, ThreadMonitoredQueue
from .proxydevice import ProcessProxy, Proxy, ThreadProxy
from .proxysteerabledevice import ProcessProxySteerable, ProxySteerable, ThreadProxySteerable

__all__ = [
    "Device",
    "DeviceType",
    "MonitoredQueue",
    "ProcessDevice",
    "ProcessMonitoredQueue",
    "ProcessProxy",
    "ProcessProxySteerable",
    "Proxy",
    "ProxySteerable",
    "ThreadDevice",
    "ThreadMonitoredQueue",
    "ThreadProxy",
    "ThreadProxySteerable",
    "basedevice",
    "monitored_queue",
    "monitoredqueue",
    "monitoredqueuedevice",
    "proxy",
    "proxydevice",
    "proxysteerabledevice",
]
