"""``purezmq bench``: the command line, the order of the runs, progress on stderr."""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from typing import Any

from . import plot
from .common import load_zmq, module_name
from .estimate import Estimate, guesses
from .progress import Progress, choose_mode
from .report import libs_of, report, summarize, write_json
from .runner import Options, Run, run_once
from .spec import (
    APIS,
    DEALERS_PER_PROCESS,
    TRANSPORTS,
    Scenario,
    Step,
    plan,
    scale_scenarios,
    select,
    with_peers,
)
from .stopping import Interrupted, StopRequest, stop_on_signals

DESCRIPTION = """\
Benchmarks modelled on libzmq's perf tools: throughput (PUSH -> PULL; 16 B to 1 MiB),
latency (REQ/REP round trips), fan-out (one PUB to 4 SUBs) over tcp, ipc and inproc,
on the sync and the asyncio API, and the memory of 100 idle tcp connections. tcp and
ipc ends run in separate processes, inproc ends in two threads (sync) or two tasks
(asyncio). Each run is killed after --timeout. Scenario names look like
thr-tcp-16-sync, lat-ipc-1k-asyncio, fan-inproc-1k-sync, idle-tcp-sync. --scale adds
scenarios with many sockets: a ROUTER serving 1,000 and 10,000 DEALERs, a PUB to 100
and 1,000 SUBs, a chain of 1,000 inproc sockets.

{how_long}

Ctrl-C (or SIGTERM) stops it: the run under way is abandoned and its worker
processes are killed, the table of the runs that finished is printed (and written to
--json FILE), and the exit status is 130 (143 for SIGTERM).
"""

Add = Callable[..., Any]  # ArgumentParser.add_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``purezmq bench``, and its description, on ``parser``."""
    parser.description = DESCRIPTION.format(how_long=how_long())
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    _what_to_run(parser.add_argument)
    _how_to_run(parser.add_argument)
    _what_to_show(parser.add_argument)


def _what_to_run(add: Add) -> None:
    add("--quick", action="store_true", help="a tenth of the messages or so")
    add(
        "--vs", metavar="LIBRARY",
        help="also run every scenario with LIBRARY, interleaved: pyzmq, or the name of any"
        " installed module with pyzmq's API (MODULE and MODULE.asyncio, for example pyomq)",
    )
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
    add("--no-floor", action="store_true", help="skip the plain-socket floor runs")
    add(
        "--copy",
        action="store_true",
        help="also run each inproc throughput scenario copying (rows named ...-copy): the"
        " sender makes every message anew from a bytearray and the receiver copies each"
        " into a bytearray, with either library. Without it purezmq's inproc hands the"
        " receiver the sender's bytes object where pyzmq copies, so its inproc MB/s is no"
        " bandwidth; with it both move every byte",
    )
    add(
        "--scale",
        action="store_true",
        help="also run the scale scenarios (rows router-tcp-N, pubsub-tcp-N, chain-inproc-N):"
        " one ROUTER serving N DEALERs (connections per second, requests per second, RSS"
        " per connection), one PUB to N SUBs, a chain of N inproc sockets; one repeat of"
        f" them takes about {_scale_minutes(None)} min, {_scale_minutes('pyzmq')} min with"
        " --vs pyzmq. Their processes raise their soft limit of open files to what they"
        " need, and a run that would need more than the hard limit fails, saying so: the"
        " ROUTER of 10,000 DEALERs needs over 10,000; the DEALERs are spread over"
        f" processes of at most {DEALERS_PER_PROCESS:,} each, which need over"
        f" {DEALERS_PER_PROCESS:,} with purezmq and over {2 * DEALERS_PER_PROCESS:,} with a"
        " library that opens one per socket and one per connection (libzmq)",
    )
    add("--messages", type=int, help=argparse.SUPPRESS)  # tests: tiny runs
    add("--peers", type=int, help=argparse.SUPPRESS)  # tests: small scale runs (N)


def _scale_minutes(vs: str | None) -> int:
    """The progress line's estimate of one full repeat of the scale scenarios."""
    steps = plan(scale_scenarios(), libs_of(vs), 1, True)
    return max(1, round(sum(guesses(steps, False, None)) / 60))


def _how_to_run(add: Add) -> None:
    add(
        "--uvloop",
        action="store_true",
        help="run on uvloop (asyncio loop policy, PUREZMQ_UVLOOP=1 for sync contexts)",
    )
    add(
        "--timeout",
        type=float,
        metavar="S",
        help="seconds before a run is killed (default 60, --quick 30; five times that"
        " for the --scale scenarios)",
    )


def _what_to_show(add: Add) -> None:
    add("--list", action="store_true", help="list the selected scenarios and exit")
    add("--json", metavar="FILE", help="write every run and the medians to FILE")
    add(
        "--plot",
        metavar="FILE",
        help="also draw the results in FILE, in the format its suffix names (.svg, .png,"
        " .pdf ...): purezmq's ratios to --vs's library, and throughput by message size"
        f" (needs matplotlib: {plot.EXTRA})",
    )
    add(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="with --plot: run nothing, and draw the results in FILE, written by --json",
    )
    add(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="show the run under way, its round, the time elapsed and an estimate of the"
        " time left on stderr: by default a line rewritten in place when stderr is a"
        " terminal; --progress elsewhere prints a line per finished run",
    )
    add(
        "-v",
        "--verbose",
        action="store_true",
        help="every run's numbers, and purezmq's statistics() counters when it has any",
    )


def _scenarios(args: argparse.Namespace) -> list[Scenario]:
    apis = list(APIS) if args.api == "both" else [args.api]
    transports = [t.strip() for t in args.transport.split(",") if t.strip()]
    unknown = set(transports) - set(TRANSPORTS)
    if unknown:
        raise SystemExit(f"purezmq bench: unknown transport(s): {', '.join(sorted(unknown))}")
    filters = [f.strip() for arg in args.filter for f in arg.split(",") if f.strip()]
    chosen = select(apis, transports, filters, args.copy, args.scale)
    return with_peers(chosen, args.peers) if args.peers else chosen


def _meta(args: argparse.Namespace, opts: Options) -> dict[str, Any]:
    import purezmq

    meta: dict[str, Any] = {
        "purezmq": purezmq.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
        "repeat": args.repeat,
        "copy": args.copy,
        "scale": args.scale,
        "uvloop": opts.uvloop,
        "timeout_s": opts.timeout,
        "messages": args.messages,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    if args.vs:
        other = load_zmq(args.vs, "sync")
        meta |= {"vs": args.vs, "vs_version": getattr(other, "__version__", "?")}
        if hasattr(other, "zmq_version"):
            meta["vs_libzmq"] = other.zmq_version()
    return meta


def _check(args: argparse.Namespace) -> bool:
    """Whether --uvloop can be honoured (a warning if not); exits if --vs's library is
    missing."""
    if args.vs:
        _check_library(args.vs)
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


def _check_library(lib: str) -> None:
    """Exits unless ``lib`` and its asyncio module import."""
    for api in ("sync", "asyncio"):
        name = module_name(lib, api)
        try:
            load_zmq(lib, api)
        except ImportError as exc:
            raise SystemExit(f"purezmq bench: --vs {lib} needs {name} importable: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """The benchmark as the options ask; the exit status (128 + N if signal N stopped it)."""
    if args.plot or args.from_file:
        problem = plot.problem(args.plot, args.from_file)
        if problem:
            print(f"purezmq bench: {problem}", file=sys.stderr)
            return 2
        if args.from_file:
            return plot.from_json(args.plot, args.from_file)
    scenarios = _scenarios(args)
    if args.list:
        print("\n".join(s.name for s in scenarios))
        return 0
    if not scenarios:
        print("purezmq bench: no scenario matches", file=sys.stderr)
        return 2
    use_uvloop = _check(args)
    libs = libs_of(args.vs)
    steps = plan(scenarios, libs, args.repeat, not args.no_floor)
    with stop_on_signals() as stop:
        opts = _options(args, use_uvloop, stop)
        meta = _meta(args, opts)
        try:
            runs = _measure(steps, opts, _progress(args, steps, opts))
        finally:
            shutil.rmtree(opts.ipc_dir, ignore_errors=True)
        _report(args, opts, meta, scenarios, libs, runs, len(steps))
        return stop.exit_status


def _options(args: argparse.Namespace, use_uvloop: bool, stop: StopRequest) -> Options:
    timeout = args.timeout or (30.0 if args.quick else 60.0)
    ipc_dir = tempfile.mkdtemp(prefix="pzbench-")
    return Options(args.quick, timeout, args.messages, ipc_dir, args.verbose, use_uvloop, stop)


def how_long() -> str:
    """The help's paragraph on how long runs take: the progress line's estimates of the
    default plans, so that the two never disagree."""

    def minutes(quick: bool, vs: str | None) -> int:
        scenarios = select(list(APIS), list(TRANSPORTS), [], False)
        steps = plan(scenarios, libs_of(vs), 3, True)
        return round(sum(guesses(steps, quick, None)) / 60)

    text = (
        f"How long: a full run (every scenario, 3 repeats, with the floors) takes about"
        f" {minutes(False, None)} minutes on a 2-core machine, about {minutes(False, 'pyzmq')}"
        f" with --vs pyzmq; a --quick one about {minutes(True, None)} minutes, about"
        f" {minutes(True, 'pyzmq')} with --vs pyzmq. --repeat scales that; --filter, --api,"
        " --transport shrink it."
    )
    return textwrap.fill(text, width=86)


def _progress(args: argparse.Namespace, steps: list[Step], opts: Options) -> Progress:
    estimate = Estimate(steps, guesses(steps, opts.quick, opts.messages))
    mode = choose_mode(args.progress, sys.stderr)
    return Progress(steps, estimate, mode, args.verbose)


def _measure(steps: list[Step], opts: Options, progress: Progress) -> list[Run]:
    """The runs of the plan that finished: all of them, or those before a stop signal."""
    runs: list[Run] = []
    try:
        for index, (s, lib, repeat) in enumerate(steps):
            opts.stop.check()
            progress.start(index)
            runs.append(run_once(s, lib, repeat, opts))
            progress.end(runs[-1])
    except Interrupted:
        pass
    finally:
        progress.close()
    return runs


def _report(
    args: argparse.Namespace,
    opts: Options,
    meta: dict[str, Any],
    scenarios: list[Scenario],
    libs: list[str],
    runs: list[Run],
    planned: int,
) -> None:
    """The table and its notes on stdout; the JSON file and the chart if asked."""
    meta |= {"runs_planned": planned, "runs_done": len(runs)}
    versions = f"purezmq {meta['purezmq']}"
    if args.vs:
        versions += f" vs {args.vs} {meta['vs_version']}"
        if "vs_libzmq" in meta:
            versions += f" (libzmq {meta['vs_libzmq']})"
    mode = "quick" if args.quick else "full"
    print(
        f"purezmq bench: {versions}; Python {meta['python']}; {meta['cpus']} CPUs; {mode};"
        f" {args.repeat} repeat(s); uvloop {'on' if opts.uvloop else 'off'}"
    )
    if opts.stop.requested:
        meta["interrupted"] = opts.stop.name
        print(f"interrupted by {opts.stop.name}: {len(runs)} of {planned} runs done")
    print(report(scenarios, summarize(runs), libs, args.repeat))
    failed = [r for r in runs if r.status != "ok"]
    if failed:
        print(f"\n{len(failed)} run(s) failed:")
        for bad in failed:
            print(f"  {bad.scenario} {bad.lib} #{bad.repeat + 1}: {bad.status}: {bad.note}")
    sys.stdout.flush()
    if args.json:
        write_json(args.json, meta, scenarios, runs)
    if args.plot:
        plot.draw(args.plot, meta, scenarios, summarize(runs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="purezmq bench")
    add_arguments(parser)
    return run(parser.parse_args(argv))
