"""``python -m purezmq.bench.worker PARAMS_JSON``: one role of a run, or a whole inproc run.

Speaks to the parent on stdout: ``READY {endpoints}`` once a binder is bound, then
``RESULT {result}``; then it waits for a line on stdin (every role has reported), says
``CPU {"user", "system"}`` (its CPU time so far, which covers the end of the transfer
for a sender), closes its sockets and exits. An inproc run (role ``inproc``) runs the
binder and the connecters in threads (sync) or tasks on one loop (asyncio) of this
one process and reports ``RESULT {"binder": ..., "connecters": [...], "cpu_end": ...}``,
the process's CPU time when the last role was done. Any error exits 1 at once; a role
that cannot run on this machine (:class:`.RunFailed`) says ``FAIL "why"`` first.
"""

from __future__ import annotations

import asyncio
import faulthandler
import json
import os
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

from . import floor_async, floor_sync, roles_async, roles_scale, roles_scale_async, roles_sync
from .common import RunFailed, cpu_times, load_zmq, peak_rss_kib
from .spec import FLOORS, ROLES, SCALE_KINDS, Params


def _say(tag: str, data: Any) -> None:
    sys.stdout.write(f"{tag} {json.dumps(data)}\n")
    sys.stdout.flush()


def _die() -> None:
    traceback.print_exc()
    sys.stderr.flush()
    os._exit(1)


def _role(p: Params) -> Callable[..., Any]:
    if p.lib in FLOORS:
        module: Any = floor_sync if p.api == "sync" else floor_async
    elif p.kind in SCALE_KINDS:
        module = roles_scale if p.api == "sync" else roles_scale_async
    else:
        module = roles_sync if p.api == "sync" else roles_async
    return getattr(module, p.role)  # type: ignore[no-any-return]


def _zmq(p: Params) -> tuple[Any, Any]:
    """The library's module (constants) and a new Context of the run's API (None: floor)."""
    if p.lib in FLOORS:
        return None, None
    return load_zmq(p.lib, "sync"), load_zmq(p.lib, p.api).Context()


def _loop_name() -> str:
    return type(asyncio.get_running_loop()).__module__


# -- one role in this process ---------------------------------------------------------


class ProcessLink:
    def ready(self, endpoints: dict[str, str]) -> None:
        _say("READY", endpoints)

    def finish(self, result: dict[str, Any]) -> None:
        _say("RESULT", result | {"rss_kib": peak_rss_kib()})
        sys.stdin.readline()
        _say("CPU", cpu_times())


class AsyncProcessLink(ProcessLink):
    async def finish(self, result: dict[str, Any]) -> None:  # type: ignore[override]
        _say("RESULT", result | {"rss_kib": peak_rss_kib(), "loop": _loop_name()})
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        _say("CPU", cpu_times())


def _sync_process(p: Params) -> None:
    zmq, ctx = _zmq(p)
    _role(p)(zmq, ctx, p, ProcessLink())
    if ctx is not None:
        ctx.term()


async def _async_process(p: Params) -> None:
    zmq, ctx = _zmq(p)
    await _role(p)(zmq, ctx, p, AsyncProcessLink())
    if ctx is not None:
        ctx.term()


# -- a whole inproc run in this process ------------------------------------------------


class ThreadLink:
    def __init__(self, hub: ThreadHub, index: int) -> None:
        self.hub, self.index = hub, index

    def ready(self, endpoints: dict[str, str]) -> None:
        self.hub.endpoints.put(endpoints)

    def finish(self, result: dict[str, Any]) -> None:
        self.hub.results[self.index] = result | {"rss_kib": peak_rss_kib()}
        self.hub.barrier.wait()


class ThreadHub:
    def __init__(self, roles: int) -> None:
        self.endpoints: queue.Queue[dict[str, str]] = queue.Queue()
        self.results: list[dict[str, Any]] = [{} for _ in range(roles)]
        self.cpu_end: dict[str, float] = {}
        self.barrier = threading.Barrier(roles, action=lambda: self.cpu_end.update(cpu_times()))


def _in_thread(target: Callable[..., Any], *args: Any) -> threading.Thread:
    def run() -> None:
        try:
            target(*args)
        except BaseException:
            _die()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _sync_inproc(p: Params) -> dict[str, Any]:
    binder, connecter, n = ROLES[p.kind]
    zmq, ctx = _zmq(p)
    hub = ThreadHub(1 + n)
    threads = [_in_thread(_role(p.but(role=binder)), zmq, ctx, p, ThreadLink(hub, 0))]
    endpoints = hub.endpoints.get()
    for i in range(n):
        q = p.but(role=connecter, endpoints=endpoints)
        threads.append(_in_thread(_role(q), zmq, ctx, q, ThreadLink(hub, 1 + i)))
    for thread in threads:
        thread.join()
    if ctx is not None:
        ctx.term()
    return {"binder": hub.results[0], "connecters": hub.results[1:], "cpu_end": hub.cpu_end}


class TaskHub:
    def __init__(self, roles: int) -> None:
        loop = asyncio.get_running_loop()
        self.endpoints: asyncio.Future[dict[str, str]] = loop.create_future()
        self.results: list[dict[str, Any]] = [{} for _ in range(roles)]
        self.cpu_end: dict[str, float] = {}
        self.left = roles
        self.all_done = asyncio.Event()


class TaskLink:
    def __init__(self, hub: TaskHub, index: int) -> None:
        self.hub, self.index = hub, index

    def ready(self, endpoints: dict[str, str]) -> None:
        self.hub.endpoints.set_result(endpoints)

    async def finish(self, result: dict[str, Any]) -> None:
        hub = self.hub
        hub.results[self.index] = result | {"rss_kib": peak_rss_kib(), "loop": _loop_name()}
        hub.left -= 1
        if not hub.left:
            hub.cpu_end = cpu_times()
            hub.all_done.set()
        await hub.all_done.wait()


async def _async_inproc(p: Params) -> dict[str, Any]:
    binder, connecter, n = ROLES[p.kind]
    zmq, ctx = _zmq(p)
    hub = TaskHub(1 + n)
    tasks = [asyncio.ensure_future(_role(p.but(role=binder))(zmq, ctx, p, TaskLink(hub, 0)))]
    await asyncio.wait([hub.endpoints, tasks[0]], return_when=asyncio.FIRST_COMPLETED)
    if not hub.endpoints.done():
        tasks[0].result()  # the binder failed before binding: raise its error
    for i in range(n):
        q = p.but(role=connecter, endpoints=hub.endpoints.result())
        tasks.append(asyncio.ensure_future(_role(q)(zmq, ctx, q, TaskLink(hub, 1 + i))))
    await asyncio.gather(*tasks)
    if ctx is not None:
        ctx.term()
    return {"binder": hub.results[0], "connecters": hub.results[1:], "cpu_end": hub.cpu_end}


# -- entry point ------------------------------------------------------------------------


def _run_async(main: Coroutine[Any, Any, Any], use_uvloop: bool) -> Any:
    if use_uvloop:
        try:
            import uvloop
        except ImportError:
            pass
        else:
            if sys.version_info >= (3, 11):
                with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                    return runner.run(main)
            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return asyncio.run(main)


def main(argv: list[str]) -> None:
    p = Params.from_json(argv[0])
    # SIGUSR1 from the parent (a run that timed out) prints every thread's stack; a
    # worker whose parent vanished ends itself after its lifetime, with the stacks too.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    if p.lifetime > 0:
        faulthandler.dump_traceback_later(p.lifetime, exit=True)
    try:
        if p.role == "inproc":
            sync = p.api == "sync"
            _say("RESULT", _sync_inproc(p) if sync else _run_async(_async_inproc(p), p.uvloop))
        elif p.api == "sync":
            _sync_process(p)
        else:
            _run_async(_async_process(p), p.uvloop)
    except RunFailed as exc:
        _say("FAIL", str(exc))
        os._exit(1)
    except BaseException:
        _die()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
