"""The spread of the ratios over several full runs of ``purezmq bench --json``.

    python tools/bench_ranges.py RUN1.json RUN2.json [...]

prints a Markdown table, one row per scenario: its ratio in each run (as the bench's
table gives it: throughput higher is better, round-trip time and memory lower is
better) and the range. docs/performance.md quotes it, and the README's summary gives
ranges from it rather than the figures of one run, since rows swing between runs on a
shared machine.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from purezmq.bench.sections import SECTIONS


def load(path: str) -> dict[str, Any]:
    with open(path) as f:
        doc: dict[str, Any] = json.load(f)
    if doc["meta"].get("quick"):
        raise SystemExit(f"{path}: a --quick run; the ranges are of full runs")
    if "vs" not in doc["meta"]:
        raise SystemExit(f"{path}: a run without --vs has no ratios")
    return doc


def better(scenario: str) -> str:
    """Which way is better for the scenario's ratio, as the bench's table says."""
    return "higher" if SECTIONS[scenario.split("-", 1)[0]].higher_is_better else "lower"


def table(docs: list[dict[str, Any]]) -> list[str]:
    names = list(docs[0]["ratios"])
    names += [n for doc in docs[1:] for n in doc["ratios"] if n not in names]
    runs = " | ".join(f"run {i + 1}" for i in range(len(docs)))
    lines = [f"| scenario | better | {runs} | range |", "|---" * (len(docs) + 3) + "|"]
    for name in names:
        seen = [doc["ratios"].get(name) for doc in docs]
        cells = " | ".join("-" if r is None else f"{r:.2f}" for r in seen)
        known = [r for r in seen if r is not None]
        spread = f"{min(known):.2f}-{max(known):.2f}" if known else "-"
        lines.append(f"| {name} | {better(name)} | {cells} | {spread} |")
    return lines


def main(paths: list[str]) -> int:
    if len(paths) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    docs = [load(path) for path in paths]
    started = ", ".join(doc["meta"]["started"] for doc in docs)
    vs = {f"{doc['meta']['vs']} {doc['meta']['vs_version']}" for doc in docs}
    print(f"{len(docs)} full runs (started {started}), purezmq against {', '.join(sorted(vs))}")
    print()
    print("\n".join(table(docs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
