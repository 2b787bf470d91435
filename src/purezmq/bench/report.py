"""The report: the table and its notes (stdout), and the JSON file."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from .medians import Summary, ratio, summarize
from .notes import Seen, footnotes
from .runner import Run
from .spec import SELF, Scenario
from .table import render

__all__ = ["libs_of", "report", "summarize", "write_json"]


def report(scenarios: Sequence[Scenario], summary: Summary, libs: list[str], repeat: int) -> str:
    """The table of ``summary``'s medians and the notes for what it shows."""
    seen = Seen()
    lines = render(scenarios, summary, libs, seen)
    notes = footnotes(seen, repeat)
    return "\n".join([*lines, "", *notes] if notes else lines)


def write_json(
    path: str, meta: dict[str, Any], scenarios: Sequence[Scenario], runs: Sequence[Run]
) -> None:
    """Every run, the medians and the ratios, in ``path`` (replaced whole, never half-written)."""
    summary = summarize(runs)
    ratios = {s.name: ratio(s, summary[s.name]) for s in scenarios if s.name in summary}
    doc = {
        "meta": meta,
        "runs": [asdict(r) for r in runs],
        "medians": summary,
        "ratios": {k: v for k, v in ratios.items() if v is not None},
    }
    partial = f"{path}.partial"
    with open(partial, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(partial, path)


def libs_of(vs: str | None) -> list[str]:
    """purezmq, and the library it is measured against if any."""
    return [SELF] if vs is None else [SELF, vs]
