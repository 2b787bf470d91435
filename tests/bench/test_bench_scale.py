"""``purezmq bench --scale``: the scale scenarios, listed only when asked, run small.

The runs here are real but small (N forced down with the hidden ``--peers``), checked
through --json for sensible figures; no timing thresholds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from purezmq.bench.estimate import guesses
from purezmq.bench.metrics import metrics
from purezmq.bench.report import report, summarize
from purezmq.bench.runner import Options, Run, run_once
from purezmq.bench.spec import (
    DEALERS_PER_PROCESS,
    FAN_SUBS,
    ROUTER_MAX_K,
    SCALE_KINDS,
    Scenario,
    connecter_shares,
    dealer_shares,
    plan,
    select,
    with_peers,
)

SRC = Path(__file__).resolve().parents[2] / "src"
SCALE_NAMES = {
    "router-tcp-1000-sync",
    "router-tcp-1000-asyncio",
    "router-tcp-10000-sync",
    "router-tcp-10000-asyncio",
    "pubsub-tcp-100-sync",
    "pubsub-tcp-100-asyncio",
    "pubsub-tcp-1000-sync",
    "pubsub-tcp-1000-asyncio",
    "chain-inproc-1000-sync",
    "chain-inproc-1000-asyncio",
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return env


# ``python -m purezmq bench ARGS`` with RLIMIT_NOFILE set to (SOFT, HARD) first, which
# the bench's workers inherit.
LIMITED = """\
import resource, runpy, sys
soft, hard = int(sys.argv.pop(1)), int(sys.argv.pop(1))
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
runpy.run_module("purezmq", run_name="__main__")
"""


def _bench(*args: str, nofile: tuple[int, int] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "purezmq", "bench", *args]
    if nofile is not None:
        command[1:3] = ["-c", LIMITED, *map(str, nofile)]
    return subprocess.run(command, env=_env(), capture_output=True, text=True, timeout=180)


def _listed(*args: str) -> list[str]:
    proc = _bench("--list", *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_scale_lists_them_and_nothing_else_does() -> None:
    scaled = _listed("--scale")
    assert set(scaled[-len(SCALE_NAMES) :]) == SCALE_NAMES  # after every other scenario
    assert not SCALE_NAMES & set(_listed())
    assert not any(name.split("-")[0] in SCALE_KINDS for name in _listed("--copy"))
    assert _listed("--scale", "--filter", "chain") == [
        "chain-inproc-1000-sync",
        "chain-inproc-1000-asyncio",
    ]
    assert _listed("--scale", "--api", "sync", "--filter", "router-tcp-1000-") == [
        "router-tcp-1000-sync"
    ]


def _run_small(
    tmp_path: Path, only: str, peers: int, messages: int, nofile: tuple[int, int] | None = None
) -> dict[str, Any]:
    """The --json document of a run of ``only``'s scenarios (both APIs) with N = ``peers``."""
    out = tmp_path / "out.json"
    proc = _bench(
        "--scale", "--filter", only, "--peers", str(peers), "--messages", str(messages),
        "--repeat", "1", "--json", str(out),
        nofile=nofile,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc: dict[str, Any] = json.loads(out.read_text())
    assert [r["status"] for r in doc["runs"]] == ["ok", "ok"], doc["runs"]
    assert all(r["lib"] == "purezmq" for r in doc["runs"])
    assert "Scale: " in proc.stdout
    return doc


def _figures(doc: dict[str, Any], name: str) -> list[dict[str, float]]:
    """The medians of the runs of ``name`` (without its API) on either API."""
    medians = doc["medians"]
    assert set(medians) == {f"{name}-sync", f"{name}-asyncio"}
    return [libs["purezmq"]["median"] for libs in medians.values()]


def test_router_with_50_dealers(tmp_path: Path) -> None:
    """With a soft limit of open files below what 50 connections take (and a hard one
    above): the workers raise it themselves."""
    doc = _run_small(tmp_path, "router-tcp-1000-", peers=50, messages=5, nofile=(48, 4096))
    for figures in _figures(doc, "router-tcp-50"):
        assert figures["conn_s"] > 0
        assert figures["msg_s"] > 0
        assert figures["kib_per_conn"] > 0
        assert figures["rss_mib"] > 0
    for run in doc["runs"]:
        assert run["raw"]["binder"]["dealers"] == 50
        assert run["raw"]["connecters"][0]["replies"] == 50 * 5


@pytest.mark.parametrize("api", ["sync", "asyncio"])
def test_router_with_50_dealers_in_3_processes(tmp_path: Path, api: str) -> None:
    """At most 20 DEALERs a process: 3 processes, each with its own routing ids, told to go
    once the ROUTER has all 50 hellos, each getting the echoes of its own requests."""
    s = Scenario("router", "tcp", 16, api, peers=50, dealers_per_process=20)
    run = run_once(s, "purezmq", 0, Options(True, 60.0, 5, str(tmp_path)))
    assert run.status == "ok", run.note
    binder, connecters = run.raw["binder"], run.raw["connecters"]
    assert (binder["dealers"], binder["dealer_processes"]) == (50, 3)
    assert [c["dealers"] for c in connecters] == [16, 17, 17]
    assert [c["replies"] for c in connecters] == [16 * 5, 17 * 5, 17 * 5]
    assert binder["count"] == 50 * 5  # every request echoed once
    assert run.metrics["conn_s"] > 0
    assert run.metrics["msg_s"] > 0


def test_pubsub_to_20_subs_gets_everything_at_a_low_rate(tmp_path: Path) -> None:
    doc = _run_small(tmp_path, "pubsub-tcp-100-", peers=20, messages=20)
    for figures in _figures(doc, "pubsub-tcp-20"):
        assert figures["msg_s"] > 0
        assert figures["delivered"] == 1.0  # 20 messages: far below any HWM
    for run in doc["runs"]:
        assert run["raw"]["connecters"][0]["received"] == 20 * 20


def test_chain_of_50_sockets(tmp_path: Path) -> None:
    doc = _run_small(tmp_path, "chain", peers=50, messages=250)
    for figures in _figures(doc, "chain-inproc-50"):
        assert figures["msg_s"] > 0
        assert figures["cross_us"] > 0
    for run in doc["runs"]:
        assert run["raw"]["binder"]["links"] == 25


def test_a_hard_limit_too_low_fails_the_run_saying_so(tmp_path: Path) -> None:
    """The ROUTER needs 500 descriptors and more: over a hard limit of 256 it says so."""
    out = tmp_path / "out.json"
    proc = _bench(
        "--scale", "--filter", "router-tcp-1000-sync", "--peers", "500", "--messages", "1",
        "--repeat", "1", "--json", str(out),
        nofile=(256, 256),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr  # the table of what ran, the failure listed
    (run,) = json.loads(out.read_text())["runs"]
    assert run["status"] == "error"
    assert "over its hard limit RLIMIT_NOFILE of 256" in run["note"]
    assert "Traceback" not in run["note"]
    assert "hard limit RLIMIT_NOFILE of 256" in proc.stdout


# -- the pure parts ---------------------------------------------------------------------


def test_names_counts_and_peers() -> None:
    scaled = select(["sync", "asyncio"], ["tcp", "inproc"], [], scale=True)
    assert {s.name for s in scaled} >= SCALE_NAMES
    assert all(s.floors == [] for s in scaled if s.kind in SCALE_KINDS)
    router = Scenario("router", "tcp", 16, "sync", peers=1000)
    assert 1 <= router.count(True, None) < router.count(False, None)
    assert router.count(False, 10_000) == ROUTER_MAX_K  # never more in flight than that
    assert Scenario("router", "tcp", 16, "sync", peers=10).count(False, None) == ROUTER_MAX_K
    small = with_peers(select(["sync"], ["tcp", "inproc"], ["router", "chain"], scale=True), 50)
    assert [s.name for s in small] == ["router-tcp-50-sync", "chain-inproc-50-sync"]


def test_dealers_are_shared_out_evenly_over_the_fewest_processes() -> None:
    quarters = [range(start, start + 2500) for start in range(0, 10_000, 2500)]
    assert dealer_shares(10_000, DEALERS_PER_PROCESS) == quarters
    assert dealer_shares(1000, DEALERS_PER_PROCESS) == [range(1000)]
    assert dealer_shares(50, 20) == [range(0, 16), range(16, 33), range(33, 50)]
    for n, most in [(1, 1), (7, 3), (20, 20), (21, 20), (2501, 2500), (999, 10)]:
        shares = dealer_shares(n, most)
        assert [index for share in shares for index in share] == list(range(n))
        sizes = [len(share) for share in shares]
        assert len(sizes) == -(-n // most)  # as few processes as the cap allows
        assert max(sizes) <= most
        assert max(sizes) - min(sizes) <= 1


def test_connecter_processes_of_each_kind() -> None:
    router = Scenario("router", "tcp", 16, "sync", peers=10_000)
    assert len(connecter_shares(router)) == 10_000 // DEALERS_PER_PROCESS
    assert connecter_shares(Scenario("pubsub", "tcp", 1024, "sync", peers=100)) == [range(100)]
    assert connecter_shares(Scenario("fan", "tcp", 1024, "sync")) == [range(0)] * FAN_SUBS
    assert connecter_shares(Scenario("thr", "tcp", 16, "sync")) == [range(0)]


def test_guesses_grow_with_n() -> None:
    few, many = (Scenario("router", "tcp", 16, "sync", peers=n) for n in (1000, 10_000))
    thousand, ten_thousand = guesses(plan([few, many], ["purezmq"], 1, True), False, None)
    assert 0 < thousand < ten_thousand


def test_metrics_and_table_of_each_kind() -> None:
    router = Scenario("router", "tcp", 16, "sync", peers=1000)
    pubsub = Scenario("pubsub", "tcp", 1024, "sync", peers=100)
    chain = Scenario("chain", "inproc", 16, "sync", peers=1000)
    raws: dict[Scenario, dict[str, Any]] = {
        router: {
            "binder": {"rss_kib": 4096, "conn_s": 5000.0, "msg_s": 20_000.0,
                       "kib_per_conn": 12.5, "growth_kib": 12_500},
            "connecters": [{"rss_kib": 8192}],
        },
        pubsub: {
            "binder": {"rss_kib": 1024, "sent": 100, "pub_msg_s": 9000.0},
            "connecters": [{"rss_kib": 2048, "subs": 100, "received": 5000, "msg_s": 1e5}],
        },
        chain: {
            "binder": {"rss_kib": 1024, "msg_s": 500.0, "cross_us": 900.0},
            "connecters": [],
        },
    }  # fmt: skip
    figures = {s: metrics(s, raw) for s, raw in raws.items()}
    assert figures[router]["rss_mib"] == 8.0
    assert figures[pubsub]["delivered"] == 0.5
    assert figures[chain]["cross_us"] == 900.0
    runs = [
        Run(s.name, lib, 0, metrics=m) for s, m in figures.items() for lib in ("purezmq", "pyzmq")
    ]
    text = report(list(raws), summarize(runs), ["purezmq", "pyzmq"], 1)
    for title in ("Scale: a ROUTER", "Scale: a PUB", "Scale: a chain"):
        assert title in text
    assert "ratio = purezmq/pyzmq of req/s: higher is better" in text
    row = next(line for line in text.splitlines() if line.startswith(router.name))
    assert row.split()[1:] == ["5,000", "20,000", "12.5", "8.0"] * 2 + ["1.00"]


@pytest.mark.parametrize("kind", SCALE_KINDS)
def test_each_kind_has_a_section(kind: str) -> None:
    from purezmq.bench.sections import SECTIONS

    assert SECTIONS[kind].title.startswith("Scale: ")
