"""``purezmq bench``: the command line, the order of the runs, progress on stderr."""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import signal
import sys
import tempfile
import textwrap
import time
from typing import Any

from .report import FOOTNOTES, libs_of, summarize, table, write_json
from .runner import Options, Run, run_once
from .spec import APIS, TRANSPORTS, Scenario, select

DESCRIPTION = """\
Benchmarks modelled on libzmq's perf tools: throughput (PUSH -> PULL; 16 B to 1 MiB),
latency (REQ/REP round trips), fan-out (one PUB to 4 SUBs) over tcp, ipc and inproc,
on the sync and the asyncio API, and the memory of 100 idle tcp connections. tcp and
ipc ends run in separate processes, inproc ends in two threads (sync) or two tasks
(asyncio). Each run is killed after --timeout. Scenario names look like
thr-tcp-16-sync, lat-ipc-1k-asyncio, fan-inproc-1k-sync, idle-tcp-sync.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add = parser.add_argument
    add("--quick", action="store_true", help="fewer messages: a few seconds per scenario")
    add("--vs", choices=["pyzmq"], help="also run every scenario with pyzmq, interleaved")
    add("--repeat", type=int, default=3, metavar="N", help="runs per scenario and library")
    add(
        "--filter",
        action="append",
        default=[],
        metavar="TEXT",
        help="only scenarios whose name contains TEXT (comma-separated or repeated)",
    )
    add("--api", choices=["sync", "asyncio", "both"], default="both")
    add(
        "--transport",
        default=",".join(TRANSPORTS),
        metavar="LIST",
        help="comma-separated: tcp,ipc,inproc",
    )
    add("--json", metavar="FILE", help="write every run and the medians to FILE")
    add(
        "--uvloop",
        action="store_true",
        help="run on uvloop (asyncio loop policy, PUREZMQ_UVLOOP=1 for sync contexts)",
    )
    add(
        "--timeout",
        type=float,
        metavar="S",
        help="seconds before a run is killed (default 60, --quick 30)",
    )
    add("--no-floor", action="store_true", help="skip the plain-socket floor runs")
    add("--list", action="store_true", help="list the selected scenarios and exit")
    add(
        "-v",
        "--verbose",
        action="store_true",
        help="every run's numbers, and purezmq's statistics() counters when it has any",
    )
    add("--messages", type=int, help=argparse.SUPPRESS)  # tests: tiny runs


def _scenarios(args: argparse.Namespace) -> list[Scenario]:
    apis = list(APIS) if args.api == "both" else [args.api]
    transports = [t.strip() for t in args.transport.split(",") if t.strip()]
    unknown = set(transports) - set(TRANSPORTS)
    if unknown:
        raise SystemExit(f"purezmq bench: unknown transport(s): {', '.join(sorted(unknown))}")
    filters = [f.strip() for arg in args.filter for f in arg.split(",") if f.strip()]
    return select(apis, transports, filters)


class Progress:
    """One line on stderr, rewritten in place on a terminal."""

    def __init__(self, total: int, verbose: bool) -> None:
        self.total, self.done, self.verbose = total, 0, verbose
        self.tty = sys.stderr.isatty()

    def start(self, s: Scenario, lib: str, repeat: int) -> None:
        text = f"[{self.done + 1}/{self.total}] {s.name} {lib} #{repeat + 1} ..."
        if self.tty:
            sys.stderr.write("\r\033[K" + text)
            sys.stderr.flush()

    def end(self, run: Run) -> None:
        self.done += 1
        if self.verbose or not self.tty:
            line = f"[{self.done}/{self.total}] {run.scenario} {run.lib} #{run.repeat + 1}: "
            line += _describe(run, self.verbose)
            sys.stderr.write(("\r\033[K" if self.tty else "") + line + "\n")
            sys.stderr.flush()

    def close(self) -> None:
        if self.tty and not self.verbose:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _describe(run: Run, verbose: bool) -> str:
    if run.status != "ok":
        text = f"{run.status} ({run.note})"
        if verbose:
            for name, stack in run.raw.get("stacks", {}).items():
                text += f"\n    {name} stacks:\n" + textwrap.indent(stack.strip(), "      ")
        return text
    parts = [f"{k}={v:.4g}" for k, v in run.metrics.items()]
    text = " ".join(parts) + f" [{run.seconds:.1f} s]"
    if run.note:
        text += f" ({run.note})"
    if verbose:
        for role, result in _roles(run.raw):
            loop = result.get("loop")
            if loop:
                text += f"\n    {role} loop: {loop}"
            stats = result.get("stats")
            if stats:
                text += f"\n    {role} statistics(): " + ", ".join(
                    f"{k}={v}" for k, v in stats.items()
                )
    return text


def _roles(raw: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = [("binder", raw.get("binder") or {})]
    out += [(f"connecter{i}", r or {}) for i, r in enumerate(raw.get("connecters", []))]
    return out


def _terminated(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # so that the running run's workers are killed


def _meta(args: argparse.Namespace, opts: Options) -> dict[str, Any]:
    import purezmq

    meta: dict[str, Any] = {
        "purezmq": purezmq.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
        "repeat": args.repeat,
        "uvloop": opts.uvloop,
        "timeout_s": opts.timeout,
        "messages": args.messages,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    if args.vs:
        import zmq

        meta |= {"pyzmq": zmq.__version__, "libzmq": zmq.zmq_version()}
    return meta


def _check(args: argparse.Namespace) -> bool:
    """Whether --uvloop can be honoured (a warning if not); exits if pyzmq is missing."""
    if args.vs and importlib.util.find_spec("zmq") is None:
        raise SystemExit("purezmq bench: --vs pyzmq needs pyzmq installed")
    if args.repeat < 1:
        raise SystemExit("purezmq bench: --repeat must be at least 1")
    if args.uvloop and importlib.util.find_spec("uvloop") is None:
        print(
            "purezmq bench: uvloop is not installed (pip install purezmq[speed]);"
            " running without it",
            file=sys.stderr,
        )
        return False
    return bool(args.uvloop)


def run(args: argparse.Namespace) -> int:
    scenarios = _scenarios(args)
    if args.list:
        print("\n".join(s.name for s in scenarios))
        return 0
    if not scenarios:
        print("purezmq bench: no scenario matches", file=sys.stderr)
        return 2
    use_uvloop = _check(args)
    libs = libs_of(args.vs == "pyzmq")
    ipc_dir = tempfile.mkdtemp(prefix="pzbench-")
    timeout = args.timeout or (30.0 if args.quick else 60.0)
    opts = Options(args.quick, timeout, args.messages, ipc_dir, args.verbose, use_uvloop)
    plan = [
        (s, lib, r)
        for s in scenarios
        for r in range(args.repeat)
        for lib in libs + ([] if args.no_floor else s.floors)
    ]
    progress = Progress(len(plan), args.verbose)
    signal.signal(signal.SIGTERM, _terminated)
    runs: list[Run] = []
    try:
        for s, lib, r in plan:
            progress.start(s, lib, r)
            runs.append(run_once(s, lib, r, opts))
            progress.end(runs[-1])
    finally:
        progress.close()
        shutil.rmtree(ipc_dir, ignore_errors=True)
    meta = _meta(args, opts)
    versions = f"purezmq {meta['purezmq']}"
    if args.vs:
        versions += f" vs pyzmq {meta['pyzmq']} (libzmq {meta['libzmq']})"
    mode = "quick" if args.quick else "full"
    print(
        f"purezmq bench: {versions}; Python {meta['python']}; {meta['cpus']} CPUs; {mode};"
        f" {args.repeat} repeat(s); uvloop {'on' if use_uvloop else 'off'}"
    )
    print(table(scenarios, summarize(runs), libs))
    print()
    print("\n".join(FOOTNOTES))
    failed = [r for r in runs if r.status != "ok"]
    if failed:
        print(f"\n{len(failed)} run(s) failed:")
        for bad in failed:
            print(f"  {bad.scenario} {bad.lib} #{bad.repeat + 1}: {bad.status}: {bad.note}")
    if args.json:
        write_json(args.json, meta, scenarios, runs)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="purezmq bench")
    add_arguments(parser)
    return run(parser.parse_args(argv))
