"""``purezmq bench`` end to end: tiny runs in a subprocess, checked through --json.

No timing thresholds: only that the scenarios ran and gave positive numbers.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
EXPECTED = {f"{kind}-inproc-16-{api}" for kind in ("thr", "lat") for api in ("sync", "asyncio")}


def bench(tmp_path: Path, *extra: str, only: str = "inproc-16") -> dict[str, Any]:
    """The --json document of a tiny run of the scenarios whose names contain ``only``."""
    out = tmp_path / "out.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    args = ["--quick", "--filter", only, "--json", str(out), "--messages", "300"]
    proc = subprocess.run(
        [sys.executable, "-m", "purezmq", "bench", *args, "--repeat", "1", *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert only in proc.stdout  # the table
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def test_quick_inproc_both_apis(tmp_path: Path) -> None:
    doc = bench(tmp_path)
    medians = doc["medians"]
    assert set(medians) == EXPECTED
    for name, libs in medians.items():
        floors = {"floor", "floor-task"} if name == "lat-inproc-16-asyncio" else {"floor"}
        assert set(libs) == {"purezmq"} | floors
        for lib, entry in libs.items():
            assert entry["ok"] == entry["runs"] == 1, (name, lib, entry)
            key = "msg_s" if name.startswith("thr") else "p50_us"
            assert entry["median"][key] > 0
            assert entry["median"]["rss_mib"] > 0
    assert all(r["status"] == "ok" for r in doc["runs"])
    assert doc["ratios"] == {}


@pytest.mark.skipif(importlib.util.find_spec("zmq") is None, reason="pyzmq not installed")
def test_vs_pyzmq_gives_ratios(tmp_path: Path) -> None:
    doc = bench(tmp_path, "--vs", "pyzmq", "--no-floor")
    assert set(doc["ratios"]) == EXPECTED
    assert all(ratio > 0 for ratio in doc["ratios"].values())
    for name in EXPECTED:
        # interleaved: each purezmq run is followed by the same scenario with pyzmq
        libs = [r["lib"] for r in doc["runs"] if r["scenario"] == name]
        assert libs == ["purezmq", "pyzmq"]
    assert doc["meta"]["vs"] == "pyzmq"
    assert doc["meta"]["vs_version"] and doc["meta"]["vs_libzmq"]


OTHER_LIBRARY = {
    "otherzmq/__init__.py": "from zmq import *\nfrom zmq import __version__, zmq_version\n",
    "otherzmq/asyncio.py": "from zmq.asyncio import *\n",
    "otherzmq/utils/__init__.py": "",
    "otherzmq/utils/z85.py": "from zmq.utils.z85 import *\n",
}


@pytest.mark.skipif(importlib.util.find_spec("zmq") is None, reason="pyzmq not installed")
def test_vs_any_module_with_pyzmqs_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--vs takes any importable library with pyzmq's API by its module's name (here one
    that lends pyzmq's classes under another name): its runs are its own rows."""
    for name, text in OTHER_LIBRARY.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    doc = bench(tmp_path, "--vs", "otherzmq", "--no-floor", only="thr-inproc-16-sync")
    assert [r["lib"] for r in doc["runs"]] == ["purezmq", "otherzmq"]
    assert set(doc["ratios"]) == {"thr-inproc-16-sync"} and doc["ratios"]["thr-inproc-16-sync"] > 0
    assert doc["meta"]["vs"] == "otherzmq"


def test_vs_a_library_that_is_not_there_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "purezmq", "bench", "--quick", "--vs", "nosuchzmq"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0
    assert "--vs nosuchzmq needs nosuchzmq importable" in proc.stderr


def test_cpu_per_message_of_throughput_runs(tmp_path: Path) -> None:
    """Both ends' CPU time, in processes of their own (tcp) or sharing one (inproc)."""
    doc = bench(tmp_path, only="16-sync")
    thr = [r for r in doc["runs"] if r["scenario"].startswith("thr-")]
    assert {r["scenario"] for r in thr} == {
        "thr-tcp-16-sync",
        "thr-ipc-16-sync",
        "thr-inproc-16-sync",
    }
    for run in thr:
        metrics = run["metrics"]
        assert metrics["cpu_us"] > 0, run
        assert metrics["cpu_user_s"] + metrics["cpu_sys_s"] > 0
    assert doc["medians"]["thr-tcp-16-sync"]["purezmq"]["median"]["cpu_us"] > 0
    lat = [r for r in doc["runs"] if r["scenario"].startswith("lat-")]
    assert lat and not any("cpu_us" in r["metrics"] for r in lat)


def test_copy_adds_inproc_throughput_rows_that_copy(tmp_path: Path) -> None:
    extra = ["--copy"]
    if importlib.util.find_spec("zmq") is not None:
        extra += ["--vs", "pyzmq"]
    doc = bench(tmp_path, *extra, only="thr-inproc-16")
    copies = {"thr-inproc-16-sync-copy", "thr-inproc-16-asyncio-copy"}
    assert set(doc["medians"]) == copies | {"thr-inproc-16-sync", "thr-inproc-16-asyncio"}
    assert doc["meta"]["copy"] is True
    for name in copies:
        libs = doc["medians"][name]
        assert "floor" not in libs  # the twin's floor is the same transfer
        for entry in libs.values():
            assert entry["ok"] == 1
            assert entry["median"]["msg_s"] > 0
            assert entry["median"]["cpu_us"] > 0
