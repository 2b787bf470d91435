"""Proxy, ThreadProxy, ProcessProxy: a device that copies every message to a monitor."""

from __future__ import annotations

from typing import Any

from ..constants import SocketType
from ..sugar.proxy import proxy
from ..sugar.socket import Socket
from .basedevice import Device, Option, ProcessDevice, ThreadDevice

PUB = int(SocketType.PUB)


class ProxyBase(Device):
    """Adds the monitor socket (``*_mon`` methods) to a Device."""

    mon_type: int

    def __init__(self, in_type: int, out_type: int, mon_type: int = PUB) -> None:
        super().__init__(in_type=in_type, out_type=out_type)
        self.mon_type = mon_type
        self._mon_binds: list[str] = []
        self._mon_connects: list[str] = []
        self._mon_sockopts: list[Option] = []

    def bind_mon(self, addr: str) -> None:
        """Bind the monitor socket to ``addr`` when the device starts."""
        self._mon_binds.append(addr)

    def connect_mon(self, addr: str) -> None:
        """Connect the monitor socket to ``addr`` when the device starts."""
        self._mon_connects.append(addr)

    def setsockopt_mon(self, opt: int, value: Any) -> None:
        """Set an option on the monitor socket (before any bind or connect)."""
        self._mon_sockopts.append((opt, value))

    def bind_mon_to_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        """Pick a free port on ``addr`` now, bind the monitor socket to it later."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_mon(f"{addr}:{port}")
        return port

    def _setup_mon(self) -> tuple[Socket[Any], Socket[Any], Socket[Any]]:
        ins, outs = Device._setup_sockets(self)
        mons = self._make_socket(
            self.mon_type, self._mon_sockopts, self._mon_binds, self._mon_connects
        )
        return ins, outs, mons

    def run_device(self) -> None:
        ins, outs, mons = self._setup_mon()
        proxy(ins, outs, mons)


class Proxy(ProxyBase, Device):
    """A QUEUE-like device that also sends each message out on a monitor socket."""


class ThreadProxy(ProxyBase, ThreadDevice):
    """Proxy in a background Thread."""


class ProcessProxy(ProxyBase, ProcessDevice):
    """Proxy in a background Process."""


__all__ = ["ProcessProxy", "Proxy", "ThreadProxy"]
