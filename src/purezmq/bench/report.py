"""Medians, ratios, the table (stdout) and the JSON file."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .runner import Run
from .spec import FLOOR, FLOOR_TASK, LIBS, Scenario

Fmt = Callable[[float], str]


def _int(v: float) -> str:
    return f"{v:,.0f}"


def _f1(v: float) -> str:
    return f"{v:,.1f}"


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def _cpu(v: float) -> str:
    """Three significant figures or so: 0.85, 12.5, 1,130."""
    return f"{v:,.2f}" if v < 10 else f"{v:,.1f}" if v < 1000 else f"{v:,.0f}"


@dataclass(frozen=True)
class Section:
    title: str
    columns: tuple[tuple[str, str, Fmt], ...]  # per library: (label, metric, format)
    key: str  # the metric of the ratio
    higher_is_better: bool
    floor: tuple[str, str, Fmt] | None = None


SECTIONS = {
    "thr": Section(
        "Throughput: PUSH -> PULL, timed at the receiver from the first to the last message;"
        " MB = 10^6 B",
        (
            ("msg/s", "msg_s", _int),
            ("MB/s", "mb_s", _f1),
            ("CPU us/msg", "cpu_us", _cpu),
            ("RSS MiB", "rss_mib", _f1),
        ),
        "msg_s",
        True,
        ("msg/s", "msg_s", _int),
    ),
    "lat": Section(
        "Latency: REQ/REP round trip, microseconds; the ratio compares p50",
        (
            ("mean", "mean_us", _f1),
            ("p50", "p50_us", _f1),
            ("p99", "p99_us", _f1),
            ("RSS MiB", "rss_mib", _f1),
        ),
        "p50_us",
        False,
        ("p50", "p50_us", _f1),
    ),
    "fan": Section(
        "Fan-out: one PUB to 4 SUBs, 1 KiB; per subscriber (mean, slowest): messages received"
        " per second from the PUB's first send to the last arrival; got = share received"
        " (the rest: PUB HWM drops)",
        (
            ("msg/s/sub", "msg_s", _int),
            ("min", "min_msg_s", _int),
            ("got", "delivered", _pct),
            ("RSS MiB", "rss_mib", _f1),
        ),
        "msg_s",
        True,
    ),
    "idle": Section(
        "Idle: RSS growth of one process holding 100 connected tcp PAIR pairs (KiB)",
        (("KiB/conn", "kib_per_conn", _f1), ("KiB/socket", "kib_per_socket", _f1)),
        "kib_per_conn",
        False,
    ),
}


def summarize(runs: Sequence[Run]) -> dict[str, dict[str, dict[str, Any]]]:
    """{scenario: {lib: {"ok": k, "runs": n, "status", "median": {metric: value}}}}."""
    grouped: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        grouped.setdefault((run.scenario, run.lib), []).append(run)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for (scenario, lib), group in grouped.items():
        good = [r.metrics for r in group if r.status == "ok"]
        keys = sorted({k for m in good for k in m})
        failed = [r.status for r in group if r.status != "ok"]
        out.setdefault(scenario, {})[lib] = {
            "runs": len(group),
            "ok": len(good),
            "status": "ok" if not failed else (failed[0] if not good else "partial"),
            "median": {k: statistics.median(m[k] for m in good if k in m) for k in keys},
        }
    return out


def ratio(scenario: Scenario, summary: dict[str, dict[str, Any]]) -> float | None:
    """purezmq/pyzmq of the section's key metric (None without both)."""
    key = SECTIONS[scenario.kind].key
    try:
        a = summary["purezmq"]["median"][key]
        b = summary["pyzmq"]["median"][key]
    except KeyError:
        return None
    return float(a / b) if b else None


def _cell(entry: dict[str, Any] | None, metric: str, fmt: Fmt) -> str:
    if entry is None:
        return "-"
    if not entry["ok"]:
        return str(entry["status"])
    value = entry["median"].get(metric)
    if value is None:
        return "-"
    return fmt(value) + ("*" if entry["ok"] < entry["runs"] else "")


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = []
    for row in [head, *rows]:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def table(
    scenarios: Sequence[Scenario], summary: dict[str, dict[str, dict[str, Any]]], libs: list[str]
) -> str:
    """The whole report: one section per kind of scenario that ran."""
    out: list[str] = []
    for kind, section in SECTIONS.items():
        chosen = [s for s in scenarios if s.kind == kind and s.name in summary]
        if not chosen:
            continue
        better = "higher" if section.higher_is_better else "lower"
        out += ["", section.title]
        if "pyzmq" in libs:
            out.append(f"ratio = purezmq/pyzmq of {section.key}: {better} is better")
        head = ["scenario"]
        for lib in libs:
            head += [f"{lib} {section.columns[0][0]}"] + [c[0] for c in section.columns[1:]]
        if len(libs) > 1:
            head.append("ratio")
        floors = []
        if section.floor is not None:
            floors.append(FLOOR)
            head.append(f"floor {section.floor[0]}")
            if any(FLOOR_TASK in summary[s.name] for s in chosen):
                floors.append(FLOOR_TASK)
                head.append(f"floor task {section.floor[0]}")
        rows = []
        for s in chosen:
            row = [s.name]
            for lib in libs:
                entry = summary[s.name].get(lib)
                row += [_cell(entry, metric, fmt) for _, metric, fmt in section.columns]
            if len(libs) > 1:
                r = ratio(s, summary[s.name])
                row.append("-" if r is None else f"{r:.2f}")
            if section.floor is not None:
                _, metric, fmt = section.floor
                row += [_cell(summary[s.name].get(floor), metric, fmt) for floor in floors]
            rows.append(row)
        out += _table(head, rows)
    return "\n".join(out)


FOOTNOTES = (
    "medians over the repeats; * = some repeats failed (median of the others);"
    " timeout/error = every repeat failed",
    "floor = the same transfer over plain Python sockets, length-prefixed frames, no ZeroMQ"
    " (sync rows: blocking sockets; asyncio rows: asyncio.Protocol; inproc: a unix socket"
    " between two threads/tasks)",
    "floor task = the asyncio round trip's floor with each reply written by a task that awaits"
    " the request, as a REP application does, rather than inside data_received",
    "CPU us/msg = user + system CPU time of both ends' processes (every thread) per message,"
    " from each end's first send or receive to the end of the transfer: the figure that a"
    " busy machine disturbs least",
)


def write_json(
    path: str, meta: dict[str, Any], scenarios: Sequence[Scenario], runs: Sequence[Run]
) -> None:
    summary = summarize(runs)
    ratios = {s.name: ratio(s, summary[s.name]) for s in scenarios if s.name in summary}
    doc = {
        "meta": meta,
        "runs": [asdict(r) for r in runs],
        "medians": summary,
        "ratios": {k: v for k, v in ratios.items() if v is not None},
    }
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def libs_of(with_pyzmq: bool) -> list[str]:
    return list(LIBS) if with_pyzmq else ["purezmq"]
