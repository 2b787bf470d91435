"""ProxySteerable and friends: a Proxy that obeys PAUSE/RESUME/TERMINATE/STATISTICS."""

from __future__ import annotations

from typing import Any

from ..sugar.proxy import proxy_steerable
from ..sugar.socket import Socket
from .basedevice import Option
from .proxydevice import PUB, ProcessProxy, Proxy, ProxyBase, ThreadProxy


class ProxySteerableBase(ProxyBase):
    """Adds the control socket (``*_ctrl`` methods) to a Proxy."""

    ctrl_type: int | None

    def __init__(
        self, in_type: int, out_type: int, mon_type: int = PUB, ctrl_type: int | None = None
    ) -> None:
        super().__init__(in_type=in_type, out_type=out_type, mon_type=mon_type)
        self.ctrl_type = ctrl_type
        self._ctrl_binds: list[str] = []
        self._ctrl_connects: list[str] = []
        self._ctrl_sockopts: list[Option] = []

    def bind_ctrl(self, addr: str) -> None:
        """Bind the control socket to ``addr`` when the device starts."""
        self._ctrl_binds.append(addr)

    def connect_ctrl(self, addr: str) -> None:
        """Connect the control socket to ``addr`` when the device starts."""
        self._ctrl_connects.append(addr)

    def setsockopt_ctrl(self, opt: int, value: Any) -> None:
        """Set an option on the control socket (before any bind or connect)."""
        self._ctrl_sockopts.append((opt, value))

    def bind_ctrl_to_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        """Pick a free port on ``addr`` now, bind the control socket to it later."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_ctrl(f"{addr}:{port}")
        return port

    def _setup_ctrl(self) -> tuple[Socket[Any], Socket[Any], Socket[Any], Socket[Any] | None]:
        ins, outs, mons = self._setup_mon()
        if self.ctrl_type is None:
            # No control socket: behaves as a plain Proxy (zmq_proxy_steerable(3)).
            return ins, outs, mons, None
        ctrls = self._make_socket(
            self.ctrl_type, self._ctrl_sockopts, self._ctrl_binds, self._ctrl_connects
        )
        return ins, outs, mons, ctrls

    def run_device(self) -> None:
        ins, outs, mons, ctrls = self._setup_ctrl()
        proxy_steerable(ins, outs, mons, ctrls)


class ProxySteerable(ProxySteerableBase, Proxy):
    """A Proxy steered by commands on a control socket."""


class ThreadProxySteerable(ProxySteerableBase, ThreadProxy):
    """ProxySteerable in a background Thread."""


class ProcessProxySteerable(ProxySteerableBase, ProcessProxy):
    """ProxySteerable in a background Process."""


__all__ = ["ProcessProxySteerable", "ProxySteerable", "ThreadProxySteerable"]
