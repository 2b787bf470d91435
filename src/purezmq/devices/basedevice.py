"""Device, ThreadDevice, ProcessDevice: a proxy whose sockets are made where it runs.

As in pyzmq, a device is given socket *types*, not sockets; binds, connects and
socket options are queued up front and applied to sockets created inside the
thread or process that runs the device, so no socket crosses a thread. The device
runs ``proxy`` and ends quietly when its context is terminated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from multiprocessing import Process
from threading import Thread
from typing import Any

from ..constants import DeviceType, Errno, SocketType
from ..error import ZMQBindError, ZMQError
from ..sugar.context import Context
from ..sugar.proxy import proxy
from ..sugar.socket import Socket

QUEUE = int(DeviceType.QUEUE)  # libzmq 3+ ignores the device type
_PUSH = int(SocketType.PUSH)
# Errors that mean "the context went away", which ends a device without complaint.
_QUIET = frozenset({int(Errno.ETERM), int(Errno.ENOTSOCK)})

Option = tuple[int, Any]


class Device:
    """A proxy between an ``in`` and an ``out`` socket, made and run by ``run()``.

    ``Device(device_type, in_type, out_type)``; ``out_type < 0`` uses the in socket
    for both sides. ``bind_in``/``connect_in``/``setsockopt_in`` (and ``_out``)
    queue calls made on the sockets once they exist.
    """

    context_factory: Callable[[], Context[Any]] = Context.instance
    """Makes the device's Context: the shared instance here, a new one in processes."""

    daemon: bool
    done: bool
    device_type: int
    in_type: int
    out_type: int

    def __init__(
        self, device_type: int = QUEUE, in_type: int | None = None, out_type: int | None = None
    ) -> None:
        if in_type is None:
            raise TypeError("in_type must be specified")
        if out_type is None:
            raise TypeError("out_type must be specified")
        self.device_type = device_type
        self.in_type = in_type
        self.out_type = out_type
        self._in_binds: list[str] = []
        self._in_connects: list[str] = []
        self._in_sockopts: list[Option] = []
        self._out_binds: list[str] = []
        self._out_connects: list[str] = []
        self._out_sockopts: list[Option] = []
        self._random_addrs: list[str] = []
        self._sockets: list[Socket[Any]] = []
        self._context: Context[Any] | None = None
        self.daemon = True
        self.done = False

    # -- queued configuration ---------------------------------------------------

    def bind_in(self, addr: str) -> None:
        """Bind the in socket to ``addr`` when the device starts."""
        self._in_binds.append(addr)

    def connect_in(self, addr: str) -> None:
        """Connect the in socket to ``addr`` when the device starts."""
        self._in_connects.append(addr)

    def setsockopt_in(self, opt: int, value: Any) -> None:
        """Set an option on the in socket (before any bind or connect)."""
        self._in_sockopts.append((opt, value))

    def bind_in_to_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        """Pick a free port on ``addr`` now, bind the in socket to it later; the port."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_in(f"{addr}:{port}")
        return port

    def bind_out(self, addr: str) -> None:
        """Bind the out socket to ``addr`` when the device starts."""
        self._out_binds.append(addr)

    def connect_out(self, addr: str) -> None:
        """Connect the out socket to ``addr`` when the device starts."""
        self._out_connects.append(addr)

    def setsockopt_out(self, opt: int, value: Any) -> None:
        """Set an option on the out socket (before any bind or connect)."""
        self._out_sockopts.append((opt, value))

    def bind_out_to_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        """Pick a free port on ``addr`` now, bind the out socket to it later; the port."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_out(f"{addr}:{port}")
        return port

    def _reserve_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        # Bind a throwaway socket to learn a free port, then release it for the device.
        ctx = Context()
        try:
            sock = ctx.socket(_PUSH)
            sock.linger = 0
            try:
                for _ in range(5):
                    port: int = sock.bind_to_random_port(addr, *args, **kwargs)
                    full = f"{addr}:{port}"
                    if full not in self._random_addrs:
                        break
                    # The same port twice: keep it bound so the next try gets another.
                else:
                    raise ZMQBindError("Could not reserve random port.")
            finally:
                sock.close()
        finally:
            ctx.term()
        self._random_addrs.append(full)
        return port

    # -- running ----------------------------------------------------------------

    def _make_socket(
        self, kind: int, opts: list[Option], binds: list[str], connects: list[str]
    ) -> Socket[Any]:
        assert self._context is not None
        sock: Socket[Any] = self._context.socket(kind)
        self._sockets.append(sock)
        # Options first: IDENTITY and the like must be set before connecting.
        for opt, value in opts:
            sock.setsockopt(opt, value)
        for addr in binds:
            sock.bind(addr)
        for addr in connects:
            sock.connect(addr)
        return sock

    def _setup_sockets(self) -> tuple[Socket[Any], Socket[Any]]:
        self._context = self.context_factory()
        # Both sockets exist before either binds, as in pyzmq, so that options,
        # then binds, then connects happen in that order across the pair.
        ins = self._make_socket(self.in_type, [], [], [])
        outs = ins if self.out_type < 0 else self._make_socket(self.out_type, [], [], [])
        for opt, value in self._in_sockopts:
            ins.setsockopt(opt, value)
        for opt, value in self._out_sockopts:
            outs.setsockopt(opt, value)
        for addr in self._in_binds:
            ins.bind(addr)
        for addr in self._out_binds:
            outs.bind(addr)
        for addr in self._in_connects:
            ins.connect(addr)
        for addr in self._out_connects:
            outs.connect(addr)
        return ins, outs

    def run_device(self) -> None:
        """Make the sockets and proxy between them; use ``start()`` rather than this."""
        ins, outs = self._setup_sockets()
        proxy(ins, outs)

    def _close_sockets(self) -> None:
        for sock in self._sockets:
            if not sock.closed:
                sock.close()

    def run(self) -> None:
        """Run the device here; returns quietly once its context is terminated."""
        try:
            self.run_device()
        except ZMQError as exc:
            if exc.errno not in _QUIET:
                raise
        finally:
            self.done = True
            self._close_sockets()

    def start(self) -> None:
        """Run the device; subclasses run it in the background instead."""
        self.run()

    def join(self, timeout: float | None = None) -> None:
        """Wait until the device is done, or ``timeout`` seconds have passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.001)


class BackgroundDevice(Device):
    """A Device run by a launcher (a Thread or a Process) made in ``start()``."""

    launcher: Any = None
    _launch_class: Any = None

    def start(self) -> None:
        self.launcher = self._launch_class(target=self.run)
        self.launcher.daemon = self.daemon
        self.launcher.start()

    def join(self, timeout: float | None = None) -> None:
        self.launcher.join(timeout=timeout)

    def __getstate__(self) -> dict[str, Any]:
        # A spawned process gets a copy of the device without the parent's runtime parts.
        state = self.__dict__.copy()
        state.pop("launcher", None)
        state["_context"] = None
        state["_sockets"] = []
        return state


class ThreadDevice(BackgroundDevice):
    """A Device run in a background Thread (on ``Context.instance()`` by default)."""

    _launch_class = Thread


class ProcessDevice(BackgroundDevice):
    """A Device run in a background Process, on a Context of its own."""

    _launch_class = Process
    context_factory: Callable[[], Context[Any]] = Context


__all__ = ["Device", "ProcessDevice", "ThreadDevice"]
