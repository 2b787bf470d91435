"""``purezmq bench --plot``: charts of tiny real runs, drawn live or from a --json file,
and the usage errors that come before any run.

No timing thresholds: only what the files are and what the SVG's text shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from purezmq.bench import cli, plot
from purezmq.bench.medians import Entry, Summary
from purezmq.bench.spec import Scenario, select

pytest.importorskip("matplotlib")

SRC = Path(__file__).resolve().parents[2] / "src"
NAMES = [
    f"{kind}-inproc-{size}-{api}"
    for kind, size in (("thr", "16"), ("thr", "1k"), ("lat", "16"))
    for api in ("sync", "asyncio")
]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    """``purezmq bench ARGS`` in a subprocess, this purezmq importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, "-m", "purezmq", "bench", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The --json file of a tiny real run of purezmq against pyzmq, made once."""
    pytest.importorskip("zmq")
    path = tmp_path_factory.mktemp("plot") / "results.json"
    proc = bench(
        "--quick",
        "--filter",
        "thr-inproc-16,thr-inproc-1k,lat-inproc-16",
        "--repeat",
        "1",
        "--no-floor",
        "--vs",
        "pyzmq",
        "--messages",
        "2000",
        "--json",
        str(path),
    )
    assert proc.returncode == 0, proc.stderr
    return path


def test_svg_from_a_json_file(results: Path, tmp_path: Path) -> None:
    """--from draws the file's results and runs nothing: a bar per scenario, the 1.0
    line, and a throughput panel per API."""
    out = tmp_path / "chart.svg"
    proc = bench("--plot", str(out), "--from", str(results))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # no table: nothing ran
    svg = out.read_text()
    assert set(json.loads(results.read_text())["medians"]) == set(NAMES)
    for name in NAMES:
        assert f">{name}<" in svg
    assert "1.0 = level with pyzmq" in svg
    for gid in ("ratios", "throughput-inproc-sync", "throughput-inproc-asyncio"):
        assert f'id="{gid}"' in svg
    assert "Higher is better in every panel" in svg
    assert not list(tmp_path.glob("*.partial"))


def test_png_by_its_suffix(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "chart.png"
    assert bench("--plot", str(out), "--from", str(results)).returncode == 0
    assert out.read_bytes()[:8] == PNG_MAGIC


def test_a_run_without_vs_draws_no_ratios(tmp_path: Path) -> None:
    """The chart of the run itself, drawn after its table: throughput only, with the
    floor's line."""
    out = tmp_path / "run.svg"
    proc = bench(
        "--quick",
        "--filter",
        "thr-inproc-16,thr-inproc-1k",
        "--api",
        "sync",
        "--repeat",
        "1",
        "--messages",
        "2000",
        "--plot",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert "thr-inproc-1k-sync" in proc.stdout  # the table came first
    svg = out.read_text()
    assert 'id="throughput-inproc-sync"' in svg
    assert "plain sockets (floor)" in svg
    assert 'id="ratios"' not in svg and "level with" not in svg


def test_without_matplotlib_plot_is_a_usage_error(tmp_path: Path) -> None:
    """Said at the start, before any run, naming the extra to install."""
    out = tmp_path / "chart.svg"
    code = (
        "import sys; sys.modules['matplotlib'] = None  # import matplotlib fails\n"
        "from purezmq.__main__ import main\n"
        f"sys.exit(main(['bench', '--filter', 'thr-inproc-16', '--plot', {str(out)!r}]))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "pip install purezmq[plot]" in proc.stderr
    assert proc.stdout == "" and not out.exists()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--plot", "chart.nope"], "the suffix names no format"),
        (["--plot", "no/such/dir/chart.svg"], "no such directory"),
        (["--from", "results.json"], "--from FILE needs --plot OUT"),
        (["--plot", "chart.svg", "--from", "missing.json"], "--from missing.json: no such file"),
    ],
)
def test_usage_errors_come_first(
    argv: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main([*argv, "--list"]) == 2  # --list: no bench run, should the check miss
    assert said in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_file_not_from_json_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "other.json"
    source.write_text('{"something": "else"}')
    assert cli.main(["--plot", str(tmp_path / "chart.svg"), "--from", str(source)]) == 2
    assert "not the --json file of a purezmq bench run" in capsys.readouterr().err


def entry(**median: float) -> Entry:
    return {"runs": 1, "ok": 1, "status": "ok", "median": median}


def test_bars_read_higher_is_better_for_purezmq() -> None:
    """The table's ratio where higher is better (msg/s), turned round where lower is
    (latency's p50, where the table's 0.5 means purezmq takes half the time)."""
    thr, lat = Scenario("thr", "tcp", 16, "sync"), Scenario("lat", "tcp", 16, "sync")
    summary: Summary = {
        thr.name: {"purezmq": entry(msg_s=50.0), "pyzmq": entry(msg_s=100.0)},
        lat.name: {"purezmq": entry(p50_us=10.0), "pyzmq": entry(p50_us=20.0)},
    }
    assert plot.advantages([thr, lat], summary) == [(thr, 0.5), (lat, 2.0)]


def test_a_scenario_without_both_libraries_has_no_bar() -> None:
    thr = Scenario("thr", "tcp", 16, "sync")
    failed: Entry = {"runs": 1, "ok": 0, "status": "timeout", "median": {}}
    summary: Summary = {thr.name: {"purezmq": entry(msg_s=50.0), "pyzmq": failed}}
    assert plot.advantages([thr], summary) == []


def test_throughput_panels_by_transport_api_and_variant() -> None:
    """A panel per name without its size, and only with two sizes or more."""
    scenarios = select(["sync"], ["inproc", "tcp"], ["thr-inproc", "thr-tcp-16"], copy=True)
    summary: Summary = {s.name: {"purezmq": entry(msg_s=1.0)} for s in scenarios}
    panels = plot.throughput_panels(scenarios, summary)
    assert list(panels) == ["inproc sync", "inproc sync copy"]  # tcp: one size
    assert [s.size for s in panels["inproc sync"]] == [16, 64, 1024, 65536, 1048576]


def test_nothing_to_draw_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Latency alone and no --vs: no ratios, no throughput curve."""
    lat = Scenario("lat", "inproc", 16, "sync")
    doc: dict[str, Any] = {"meta": {"repeat": 1}, "medians": {lat.name: {"purezmq": entry()}}}
    source, out = tmp_path / "lat.json", tmp_path / "chart.svg"
    source.write_text(json.dumps(doc))
    assert cli.main(["--plot", str(out), "--from", str(source)]) == 1
    assert "nothing to draw" in capsys.readouterr().err
    assert not out.exists()


def test_the_checks_before_a_run_leave_matplotlib_out_of_the_process(tmp_path: Path) -> None:
    """--plot is checked before the run without importing matplotlib here: the workers
    forked for the run would start with its pages, and the RSS column with them."""
    code = (
        "import sys; from purezmq.bench import plot\n"
        f"print(plot.problem({str(tmp_path / 'chart.svg')!r}, None),"
        f" plot.problem({str(tmp_path / 'chart.nosuch')!r}, None) is not None,"
        " 'matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(SRC)}, timeout=60)
    assert done.stdout.split() == ["None", "True", "False"], done.stderr
