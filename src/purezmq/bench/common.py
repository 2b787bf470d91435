"""Helpers shared by the roles: library loading, addresses, links, memory, statistics."""

from __future__ import annotations

import importlib
import math
import os
import resource
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from .spec import Params

# The module of a library whose name is not its module's; any other library given to
# --vs is a module of that name presenting pyzmq's API (NAME and NAME.asyncio).
_MODULE_OF = {"pyzmq": "zmq"}


class RunFailed(Exception):
    """A role cannot do its run here, for a reason the report shows as it is (the worker
    says it on a ``FAIL`` line rather than a traceback): a limit of the machine, say."""


def module_name(lib: str, api: str = "sync") -> str:
    """``purezmq``/``purezmq.asyncio``, ``zmq``/``zmq.asyncio`` for pyzmq, or the
    other library's own: the APIs are the same."""
    base = _MODULE_OF.get(lib, lib)
    return f"{base}.asyncio" if api == "asyncio" else base


def load_zmq(lib: str, api: str) -> Any:
    return importlib.import_module(module_name(lib, api))


class Link(Protocol):
    """How a sync role talks to whoever runs it."""

    def ready(self, endpoints: dict[str, str]) -> None:
        """The binder is bound: here is where to connect."""

    def finish(self, result: dict[str, Any]) -> None:
        """Report the result, then wait until every role of the run has reported."""


class AsyncLink(Protocol):
    """How an asyncio role talks to whoever runs it."""

    def ready(self, endpoints: dict[str, str]) -> None:
        """The binder is bound: here is where to connect."""

    async def finish(self, result: dict[str, Any]) -> None:
        """Report the result, then wait until every role of the run has reported."""


def zmq_bind_address(p: Params, name: str) -> str:
    """Where a zmq binder binds (tcp on an ephemeral port: read last_endpoint after)."""
    if p.transport == "tcp":
        return "tcp://127.0.0.1:*"
    if p.transport == "ipc":
        return f"ipc://{p.ipc_dir}/{name}-{uuid.uuid4().hex[:8]}"
    return f"inproc://bench-{name}-{uuid.uuid4().hex[:8]}"


# The CURVE scenarios' long-term secret keys: fixed, so that both libraries run with the
# same keys (their public keys are derived by each library's own curve_public).
_CURVE_SECRETS = {"server": bytes(range(32)), "client": bytes(range(32, 64))}


def _curve_pair(lib: str, who: str) -> tuple[bytes, bytes]:
    """(public, secret) of ``who`` ("server", "client"), Z85; the public key made by
    ``lib``'s curve_public (the Z85 text of the secret is the same in any library, and
    not every pyzmq-like module has pyzmq's zmq.utils.z85)."""
    from ..utils import z85

    zmq = load_zmq(lib, "sync")
    secret = z85.encode(_CURVE_SECRETS[who])
    return zmq.curve_public(secret), secret


def secure(sock: Any, p: Params, server: bool) -> Any:
    """``sock`` as the CURVE server (a binder) or client (a connecter) of a CURVE
    scenario; unchanged otherwise."""
    if p.curve:
        public, secret = _curve_pair(p.lib, "server" if server else "client")
        sock.curve_secretkey, sock.curve_publickey = secret, public
        if server:
            sock.curve_server = True
        else:
            sock.curve_serverkey = _curve_pair(p.lib, "server")[0]
    return sock


def last_endpoint(sock: Any) -> str:
    value = sock.last_endpoint
    return value.decode() if isinstance(value, bytes) else str(value)


def unix_path(p: Params, name: str) -> str:
    """A unix socket path for the floor's ipc and inproc transports."""
    return os.path.join(p.ipc_dir, f"floor-{name}-{uuid.uuid4().hex[:8]}")


def peak_rss_kib() -> int:
    """This process's peak resident set (ru_maxrss is KiB on Linux)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def current_rss_kib() -> int:
    """This process's resident set now (falls back to the peak without /proc)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return peak_rss_kib()
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def cpu_times() -> dict[str, float]:
    """This process's CPU time so far, every thread's, in seconds: ``{"user", "system"}``."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"user": usage.ru_utime, "system": usage.ru_stime}


def throughput(count: int, size: int, elapsed: float) -> dict[str, Any]:
    """msg/s and MB/s (10^6 bytes) of ``count`` messages, timed from the first to the last."""
    rate = (count - 1) / elapsed if elapsed > 0 and count > 1 else 0.0
    return {"count": count, "elapsed": elapsed, "msg_s": rate, "mb_s": rate * size / 1e6}


def latency(samples_ns: Sequence[int]) -> dict[str, Any]:
    """Mean, p50 and p99 (nearest rank) of round trips, in microseconds."""
    ordered = sorted(samples_ns)
    n = len(ordered)

    def rank(q: float) -> float:
        return ordered[min(n - 1, max(0, math.ceil(q * n) - 1))] / 1000

    return {
        "count": n,
        "mean_us": sum(ordered) / n / 1000 if n else 0.0,
        "p50_us": rank(0.50) if n else 0.0,
        "p99_us": rank(0.99) if n else 0.0,
    }


def statistics(sockets: Sequence[Any]) -> dict[str, int]:
    """purezmq's own counters (``statistics()`` of the core socket and its pipes), summed.

    pyzmq has none; nor does a purezmq without such a method: the result is then empty.
    """
    totals: dict[str, int] = {}

    def add(stats: Any, prefix: str) -> None:
        if not isinstance(stats, dict):
            return
        for key, value in stats.items():
            if isinstance(value, int) and not isinstance(value, bool):
                totals[prefix + key] = totals.get(prefix + key, 0) + value

    for sock in sockets:
        core = getattr(sock, "_core", None)
        if core is None:
            continue
        if callable(getattr(core, "statistics", None)):
            add(core.statistics(), "socket.")
        for pipe in getattr(core, "pipes", ()):
            if callable(getattr(pipe, "statistics", None)):
                add(pipe.statistics(), "pipe.")
    return totals
