"""A Jupyter client process on purezmq: starts a kernel (on purezmq too) and checks it.

Run by ``test_jupyter.py`` as ``python jupyter_driver.py FLAVOUR TRANSPORT WORKDIR``:

- FLAVOUR: ``blocking`` (BlockingKernelClient), ``threaded`` (ThreadedKernelClient,
  whose channels run on a tornado loop thread) or ``async`` (AsyncKernelManager and
  AsyncKernelClient on an asyncio loop);
- TRANSPORT: ``tcp`` or ``ipc``;
- WORKDIR: a fresh directory for the kernel spec, connection files, ipc sockets and
  IPython's profile.

``import zmq`` gives purezmq here (``install_as_zmq()`` before jupyter_client is
imported), and the kernel is started as ``python -m purezmq run -m ipykernel_launcher``.
Its spec asks for ``interrupt_mode: message``: ``interrupt_kernel()`` sends an
``interrupt_request`` on the control channel, and ``signal_kernel(SIGINT)`` covers
the signal path. The checks run in order on one kernel, the restart and the shutdown
last. Each one prints a JSON line ``{"check", "ok", "detail"}``. A failed check does not
stop the others. Every wait has a deadline.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import purezmq

purezmq.install_as_zmq()

import zmq  # noqa: E402  (purezmq, through the alias)
from jupyter_client import AsyncKernelManager, KernelManager  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402

WAIT = 20.0  # seconds any single reply or output may take
CHANNELS = ("shell", "iopub", "stdin", "control")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def report(check: str, ok: bool, detail: str = "") -> None:
    print(json.dumps({"check": check, "ok": ok, "detail": detail[-3000:]}), flush=True)


def write_spec(workdir: str) -> KernelSpecManager:
    """A kernel spec that runs ipykernel on purezmq, interrupted by message."""
    spec_dir = os.path.join(workdir, "kernels", "purezmq")
    os.makedirs(spec_dir)
    argv = [sys.executable, "-m", "purezmq", "run", "-m", "ipykernel_launcher"]
    argv += ["-f", "{connection_file}"]
    spec = {
        "argv": argv,
        "display_name": "Python on purezmq",
        "language": "python",
        "interrupt_mode": "message",
        "env": {"IPYTHONDIR": os.path.join(workdir, "ipython")},
    }
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump(spec, f)
    return KernelSpecManager(kernel_dirs=[os.path.join(workdir, "kernels")])


class Client:
    """One interface over the three client flavours: calls that wait return or raise."""

    def __init__(self, flavour: str, transport: str, workdir: str) -> None:
        self.flavour = flavour
        self.queues: dict[str, queue.Queue[dict[str, Any]]] = {c: queue.Queue() for c in CHANNELS}
        self.loop: asyncio.AbstractEventLoop | None = None
        options: dict[str, Any] = {
            "kernel_name": "purezmq",
            "kernel_spec_manager": write_spec(workdir),
            "transport": transport,
            "connection_file": os.path.join(workdir, "kernel.json"),
        }
        if transport == "ipc":
            options["ip"] = os.path.join(workdir, "k")
        if flavour == "async":
            self.loop = asyncio.new_event_loop()
            threading.Thread(target=self.loop.run_forever, daemon=True).start()
            self.km: Any = self.on_loop(lambda: AsyncKernelManager(**options))
        else:
            self.km = KernelManager(**options)
            if flavour == "threaded":
                self.km.client_class = "jupyter_client.threaded.ThreadedKernelClient"

    # -- running things on the right thread ------------------------------------

    def on_loop(self, fn: Callable[[], Any], timeout: float = WAIT) -> Any:
        """``fn()`` on the async flavour's loop (awaited if it is a coroutine)."""
        assert self.loop is not None

        async def call() -> Any:
            result = fn()
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout)

    def call(self, fn: Callable[[], Any], timeout: float = WAIT) -> Any:
        return self.on_loop(fn, timeout) if self.loop is not None else fn()

    def manager(self, method: str, *args: Any, timeout: float = WAIT, **kwargs: Any) -> Any:
        return self.call(lambda: getattr(self.km, method)(*args, **kwargs), timeout)

    # -- the client ----------------------------------------------------------------

    def start(self) -> None:
        self.manager("start_kernel", timeout=60)
        self.kc: Any = self.call(self.km.client)
        self.call(self.kc.start_channels)
        if self.flavour == "threaded":
            # Its channels exist once its loop thread runs; nothing was asked for yet.
            for name in CHANNELS:
                getattr(self.kc, f"{name}_channel").call_handlers = self.queues[name].put
        self.ready()

    def ready(self) -> None:
        """kernel_info until it is answered and IOPub is seen to work (the subscription
        travels asynchronously: jupyter_client's wait_for_ready does the same)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            msg_id = self.call(self.kc.kernel_info)
            try:
                self.reply(msg_id, timeout=2)
                self.next("iopub", timeout=1)
            except queue.Empty:
                continue
            self.drain("iopub")
            return
        raise TimeoutError("the kernel never answered kernel_info with IOPub working")

    def next(self, channel: str, timeout: float = WAIT) -> dict[str, Any]:
        """The next message on ``channel``; queue.Empty after ``timeout``."""
        if self.flavour == "threaded":
            return self.queues[channel].get(timeout=timeout)
        get = getattr(self.kc, f"get_{channel}_msg")
        try:
            return self.call(lambda: get(timeout=timeout), timeout + 5)  # type: ignore[no-any-return]
        except (TimeoutError, asyncio.TimeoutError) as exc:
            raise queue.Empty from exc

    def drain(self, channel: str) -> None:
        while True:
            try:
                self.next(channel, timeout=0.2)
            except queue.Empty:
                return

    def reply(self, msg_id: str, channel: str = "shell", timeout: float = WAIT) -> dict[str, Any]:
        """The reply to ``msg_id`` (other replies on the way are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            msg = self.next(channel, max(0.05, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg
            if time.monotonic() > deadline:
                raise queue.Empty

    def outputs(
        self, msg_id: str, timeout: float = WAIT, include_others: bool = False
    ) -> list[dict[str, Any]]:
        """IOPub messages of ``msg_id`` (and of other requests, with ``include_others``)
        up to the ``status: idle`` of ``msg_id``."""
        got = []
        deadline = time.monotonic() + timeout
        while True:
            msg = self.next("iopub", max(0.05, deadline - time.monotonic()))
            mine = msg["parent_header"].get("msg_id") == msg_id
            if mine or include_others:
                got.append(msg)
            idle = msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
            if mine and idle:
                return got

    def execute(self, code: str, **kwargs: Any) -> str:
        return self.call(lambda: self.kc.execute(code, **kwargs))  # type: ignore[no-any-return]

    def run(self, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Execute ``code``: its execute_reply and its IOPub messages."""
        msg_id = self.execute(code)
        return self.reply(msg_id), self.outputs(msg_id)

    def send(self, channel: str, msg: dict[str, Any]) -> None:
        self.call(lambda: getattr(self.kc, f"{channel}_channel").send(msg))

    def stop(self) -> None:
        try:
            self.call(self.kc.stop_channels)
        finally:
            if self.loop is not None:
                self.loop.call_soon_threadsafe(self.loop.stop)


# -- the checks -------------------------------------------------------------------------


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def text_of(outputs: list[dict[str, Any]], kind: str, key: str = "") -> str:
    parts = []
    for msg in outputs:
        if msg["msg_type"] != kind:
            continue
        content = msg["content"]
        parts.append(content["text"] if kind == "stream" and content["name"] == key else "")
        if kind == "execute_result":
            parts.append(content["data"]["text/plain"])
    return "".join(parts)


def check_purezmq_everywhere(c: Client) -> None:
    expect("purezmq" in zmq.__file__, f"the client's zmq is {zmq.__file__}")
    _, outputs = c.run("import zmq; zmq.__file__")
    expect("purezmq" in text_of(outputs, "execute_result"), f"the kernel's zmq: {outputs}")


def check_kernel_info(c: Client) -> None:
    content = c.reply(c.call(c.kc.kernel_info))["content"]
    expect(content["status"] == "ok", str(content))
    expect(content["implementation"] == "ipython", str(content))
    expect(content["protocol_version"].startswith("5."), str(content))


def check_execute(c: Client) -> None:
    reply, outputs = c.run("x = 6 * 7\nx")
    expect(reply["content"]["status"] == "ok", str(reply["content"]))
    expect(text_of(outputs, "execute_result") == "42", str(outputs))
    kinds = [m["msg_type"] for m in outputs]
    expect(kinds[0] == "status" and "execute_input" in kinds, str(kinds))


def check_streams(c: Client) -> None:
    code = "import sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)"
    _, outputs = c.run(code)
    expect(text_of(outputs, "stream", "stdout") == "to stdout\n", str(outputs))
    expect(text_of(outputs, "stream", "stderr") == "to stderr\n", str(outputs))


def check_error(c: Client) -> None:
    reply, outputs = c.run("def f():\n    return 1 / 0\nf()")
    content = reply["content"]
    expect(content["status"] == "error" and content["ename"] == "ZeroDivisionError", str(content))
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    expect(len(errors) == 1, str(outputs))
    trace = ANSI.sub("", "\n".join(errors[0]["traceback"]))
    expect("ZeroDivisionError" in trace and "return 1 / 0" in trace, trace)


def check_complete(c: Client) -> None:
    c.run("import os")
    content = c.reply(c.call(lambda: c.kc.complete("os.pa", 5)))["content"]
    expect(content["status"] == "ok", str(content))
    # "path" replacing "pa" (IPython 8+), or "os.path" replacing "os.pa".
    start = content["cursor_start"]
    expect("os.path"[start:] in content["matches"], str(content))
    expect(content["cursor_end"] == 5, str(content))


def check_inspect(c: Client) -> None:
    content = c.reply(c.call(lambda: c.kc.inspect("len", 3)))["content"]
    expect(content["status"] == "ok" and content["found"], str(content))
    expect("Return the number of items" in content["data"]["text/plain"], str(content))


def check_stdin(c: Client) -> None:
    msg_id = c.execute("name = input('name? ')\nname.upper()", allow_stdin=True)
    request = c.next("stdin")
    expect(request["msg_type"] == "input_request", str(request))
    expect(request["content"]["prompt"] == "name? ", str(request))
    c.call(lambda: c.kc.input("ada"))
    expect(c.reply(msg_id)["content"]["status"] == "ok", "execute_reply")
    expect(text_of(c.outputs(msg_id), "execute_result") == "'ADA'", "the answer")


def check_heartbeat(c: Client) -> None:
    """The kernel's heartbeat echoes a ping."""
    info = c.km.get_connection_info()
    if info["transport"] == "tcp":
        address = f"tcp://{info['ip']}:{info['hb_port']}"
    else:
        address = f"ipc://{info['ip']}-{info['hb_port']}"
    with zmq.Context() as ctx, ctx.socket(zmq.REQ) as req:
        req.linger = 0
        req.rcvtimeo = int(WAIT * 1000)
        req.connect(address)
        req.send(b"ping 1")
        expect(req.recv() == b"ping 1", "the echo")


def check_hb_channel(c: Client) -> None:
    """The client's own heartbeat channel sees the kernel beat (kc.is_alive()), through
    three of its ping cycles: it says it beats before its first, and stops saying so
    after the first that gets no reply."""
    hb = c.kc.hb_channel
    deadline = time.monotonic() + WAIT
    while not hb.is_beating():
        expect(time.monotonic() < deadline, "hb_channel.is_beating()")
        time.sleep(0.05)  # a poll interval: the channel's thread pings on its own clock
    watched_until = time.monotonic() + 3 * hb.time_to_dead
    while time.monotonic() < watched_until:
        expect(hb.is_beating(), "hb_channel.is_beating() through three ping cycles")
        time.sleep(0.05)


def check_buffers(c: Client) -> None:
    """A comm message with binary buffers goes to the kernel and comes back whole."""
    setup = (
        "def _echo(comm, open_msg):\n"
        "    @comm.on_msg\n"
        "    def _(msg):\n"
        "        blobs = [bytes(b) for b in msg['buffers']]\n"
        "        comm.send({'n': len(blobs)}, buffers=blobs)\n"
        "get_ipython().kernel.comm_manager.register_target('echo', _echo)"
    )
    reply, _ = c.run(setup)
    expect(reply["content"]["status"] == "ok", str(reply["content"]))
    blobs = [bytes(range(256)) * 4, b"\x00" * 10]
    opening = c.kc.session.msg("comm_open", {"comm_id": "c1", "target_name": "echo", "data": {}})
    c.send("shell", opening)
    message = c.kc.session.msg("comm_msg", {"comm_id": "c1", "data": {"hello": 1}})
    message["buffers"] = blobs
    c.send("shell", message)
    # The kernel handles shell messages in order and publishes on one IOPub socket: the
    # echo, if the kernel took the message, comes before the idle of a later request.
    marker = c.call(c.kc.kernel_info)
    echoes = [
        m for m in c.outputs(marker, include_others=True)
        if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == "c1"
    ]
    expect(len(echoes) == 1, "no echo: the kernel dropped the message (see its stderr)")
    msg = echoes[0]
    expect(msg["content"]["data"] == {"n": 2}, str(msg["content"]))
    expect([bytes(b) for b in msg["buffers"]] == blobs, "the buffers came back changed")


def _interrupt(c: Client, interrupt: Callable[[], None]) -> None:
    msg_id = c.execute("import time\nprint('sleeping', flush=True)\ntime.sleep(120)")
    deadline = time.monotonic() + WAIT
    while True:  # interrupted before the cell's code runs, the kernel would ignore it
        msg = c.next("iopub", max(0.05, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
            break
    interrupt()
    content = c.reply(msg_id)["content"]
    expect(content["status"] == "error" and content["ename"] == "KeyboardInterrupt", str(content))
    c.outputs(msg_id)
    _, outputs = c.run("'still alive'")
    expect(text_of(outputs, "execute_result") == "'still alive'", str(outputs))


def check_interrupt_signal(c: Client) -> None:
    _interrupt(c, lambda: c.manager("signal_kernel", signal.SIGINT))


def check_interrupt_message(c: Client) -> None:
    """interrupt_mode "message": the manager sends interrupt_request on control."""
    expect(c.km.kernel_spec.interrupt_mode == "message", "the spec's interrupt_mode")
    _interrupt(c, lambda: c.manager("interrupt_kernel"))


def check_restart(c: Client) -> None:
    before = c.km.provisioner.pid
    c.manager("restart_kernel", now=False, timeout=60)
    expect(c.km.provisioner.pid != before, "a new kernel process")
    c.ready()
    _, outputs = c.run("'x' in dir()")
    expect(text_of(outputs, "execute_result") == "False", "a fresh namespace")


def check_shutdown(c: Client) -> None:
    """The kernel exits by itself, with status 0, when asked to.

    ipykernel 7.4 has a race at shutdown, with libzmq as with purezmq: the control
    thread may flush its output after the main thread stopped the IOPub thread, and
    then waits for its flush timeout (10 s) before exiting. jupyter_client would
    SIGTERM it after half its shutdown_wait_time (5 s): allow for the flush timeout.
    """
    c.km.shutdown_wait_time = 30.0
    process = c.km.provisioner.process
    started = time.monotonic()
    c.manager("shutdown_kernel", now=False, timeout=60)
    expect(not c.manager("is_alive"), "the kernel is gone")
    returncode = process.wait(WAIT)
    # Not killed: jupyter_client kills a kernel that has not exited after its wait.
    expect(returncode == 0, f"exit status {returncode}")
    expect(time.monotonic() - started < c.km.shutdown_wait_time, "shut down before the kill")


CHECKS: list[Callable[[Client], None]] = [
    check_purezmq_everywhere,
    check_kernel_info,
    check_execute,
    check_streams,
    check_error,
    check_complete,
    check_inspect,
    check_stdin,
    check_heartbeat,
    check_hb_channel,
    check_buffers,
    check_interrupt_signal,
    check_interrupt_message,
    check_restart,
    check_shutdown,
]


def main() -> None:
    flavour, transport, workdir = sys.argv[1:4]
    client = Client(flavour, transport, workdir)
    try:
        client.start()
        report("start", True)
    except Exception:
        report("start", False, traceback.format_exc())
        raise
    try:
        for check in CHECKS:
            name = check.__name__.removeprefix("check_")
            try:
                check(client)
            except Exception:
                report(name, False, traceback.format_exc())
                client.drain("iopub")
            else:
                report(name, True)
    finally:
        if client.manager("is_alive"):
            client.manager("shutdown_kernel", now=True)
        client.stop()


if __name__ == "__main__":
    main()
