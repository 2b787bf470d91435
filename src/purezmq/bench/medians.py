"""Medians over the repeats of each scenario and library, and purezmq's ratio to the other."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from .runner import Run
from .sections import SECTIONS
from .spec import FLOORS, SELF, Scenario

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
    """purezmq/the other library's of the section's key metric (None without both)."""
    key = SECTIONS[scenario.kind].key
    others = [lib for lib in by_lib if lib != SELF and lib not in FLOORS]
    try:
        a = by_lib[SELF]["median"][key]
        b = by_lib[others[0]]["median"][key]
    except (KeyError, IndexError):
        return None
    return float(a / b) if b else None
