"""tools/bench_ranges.py: the spread of each ratio over several full runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

TOOL = Path(__file__).resolve().parents[2] / "tools" / "bench_ranges.py"


def _run(tmp_path: Path, *docs: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    paths = []
    for i, doc in enumerate(docs):
        path = tmp_path / f"run{i}.json"
        path.write_text(json.dumps(doc))
        paths.append(str(path))
    return subprocess.run([sys.executable, str(TOOL), *paths], capture_output=True, text=True)


def _doc(ratios: dict[str, float], quick: bool = False) -> dict[str, Any]:
    meta = {"quick": quick, "vs": "pyzmq", "vs_version": "27.3.0", "started": "2026-12-04"}
    return {"meta": meta, "ratios": ratios}


def test_each_row_gets_its_runs_and_its_range(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        _doc({"thr-tcp-16-sync": 0.74, "lat-tcp-16-sync": 0.9}),
        _doc({"thr-tcp-16-sync": 1.26, "idle-tcp-sync": 0.4}),
    )
    assert done.returncode == 0, done.stderr
    rows = {line.split(" | ")[0].strip("| "): line for line in done.stdout.splitlines()}
    assert rows["thr-tcp-16-sync"] == "| thr-tcp-16-sync | higher | 0.74 | 1.26 | 0.74-1.26 |"
    assert rows["lat-tcp-16-sync"] == "| lat-tcp-16-sync | lower | 0.90 | - | 0.90-0.90 |"
    assert rows["idle-tcp-sync"] == "| idle-tcp-sync | lower | - | 0.40 | 0.40-0.40 |"


def test_quick_runs_and_single_runs_are_refused(tmp_path: Path) -> None:
    quick = _run(tmp_path, _doc({"thr-tcp-16-sync": 1.0}), _doc({}, quick=True))
    assert quick.returncode == 1 and "--quick" in quick.stderr
    alone = _run(tmp_path, _doc({"thr-tcp-16-sync": 1.0}))
    assert alone.returncode == 2 and "RUN1.json RUN2.json" in alone.stderr
