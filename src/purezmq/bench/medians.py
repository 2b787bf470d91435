"""Medians over the repeats of each scenario and library, and the ratio purezmq/pyzmq."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from .runner import Run
from .sections import SECTIONS
from .spec import Scenario

Entry = dict[str, Any]  # {"runs": n, "ok": k, "status": ..., "median": {metric: value}}
Summary = dict[str, dict[str, Entry]]  # scenario -> library (or floor) -> entry


def summarize(runs: Sequence[Run]) -> Summary:
    """{scenario: {lib: {"ok": k, "runs": n, "status", "median": {metric: value}}}}."""
    grouped: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        grouped.setdefault((run.scenario, run.lib), []).append(run)
    out: Summary = {}
    for (scenario, lib), group in grouped.items():
        out.setdefault(scenario, {})[lib] = _entry(group)
    return out


def _entry(group: list[Run]) -> Entry:
    good = [r.metrics for r in group if r.status == "ok"]
    keys = sorted({k for m in good for k in m})
    failed = [r.status for r in group if r.status != "ok"]
    return {
        "runs": len(group),
        "ok": len(good),
        "status": "ok" if not failed else (failed[0] if not good else "partial"),
        "median": {k: statistics.median(m[k] for m in good if k in m) for k in keys},
    }


def ratio(scenario: Scenario, by_lib: dict[str, Entry]) -> float | None:
    """purezmq/pyzmq of the section's key metric (None without both)."""
    key = SECTIONS[scenario.kind].key
    try:
        a = by_lib["purezmq"]["median"][key]
        b = by_lib["pyzmq"]["median"][key]
    except KeyError:
        return None
    return float(a / b) if b else None
