"""The notes under the table match what it shows, whatever the options.

The report is made from made-up runs for each set of options (--vs, --no-floor,
--repeat, failed runs, which scenarios), and each note is checked against it.
"""

from __future__ import annotations

from typing import Any

import pytest

from purezmq.bench.report import report, summarize
from purezmq.bench.runner import Run
from purezmq.bench.spec import Scenario, select

METRICS: dict[str, dict[str, float]] = {
    "thr": {"msg_s": 1e5, "mb_s": 1.6, "cpu_us": 2.5, "rss_mib": 27.0},
    "lat": {"mean_us": 90.0, "p50_us": 85.0, "p99_us": 150.0, "rss_mib": 27.0},
    "fan": {"msg_s": 8e4, "min_msg_s": 7e4, "delivered": 0.9, "rss_mib": 30.0},
    "idle": {"kib_per_conn": 23.0, "kib_per_socket": 11.5, "growth_kib": 2300.0},
}


def made_up(
    scenarios: list[Scenario], vs: bool = False, floors: bool = True, repeat: int = 1
) -> list[Run]:
    """One run per scenario, library (and floor) and repeat, as the plan would have them."""
    libs = ["purezmq", "pyzmq"] if vs else ["purezmq"]
    return [
        Run(s.name, lib, r, metrics=dict(METRICS[s.kind]))
        for s in scenarios
        for r in range(repeat)
        for lib in libs + (s.floors if floors else [])
    ]


def text_of(
    scenarios: list[Scenario], runs: list[Run], vs: bool = False, repeat: int = 1
) -> tuple[str, list[str]]:
    """The table's lines above the notes (joined) and the notes."""
    libs = ["purezmq", "pyzmq"] if vs else ["purezmq"]
    lines = report(scenarios, summarize(runs), libs, repeat).splitlines()
    last_row = max(
        i for i, line in enumerate(lines) if line.startswith(("thr-", "lat-", "fan-", "idle-"))
    )
    return "\n".join(lines[: last_row + 1]), [n for n in lines[last_row + 1 :] if n]


def subjects(table: str) -> dict[str, bool]:
    """For each kind of note, whether the table shows what it explains."""
    cells = table.split()
    return {
        "medians of": False,  # decided by --repeat, checked apart
        "* =": any(c.endswith("*") for c in cells),
        "timeout/error =": "timeout" in cells or "error" in cells,
        "RSS MiB =": "RSS MiB" in table,
        "CPU us/msg =": "CPU us/msg" in table,
        "floor =": " floor msg/s" in table or " floor p50" in table,
        "floor task =": "floor task" in table,
        "^ =": any(c.endswith("^") for c in cells),
        "-copy rows": "-copy " in table,
    }


ALL = select(["sync", "asyncio"], ["tcp", "ipc", "inproc"], [])
WITH_COPIES = select(["sync", "asyncio"], ["tcp", "ipc", "inproc"], [], copy=True)
OPTION_SETS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "vs": {"vs": True},
    "no-floor": {"floors": False},
    "vs-no-floor-repeat": {"vs": True, "floors": False, "repeat": 3},
    "lat-only": {"only": "lat-"},
    "lat-sync-only": {"only": "lat-tcp-16-sync"},
    "tcp-thr": {"only": "thr-tcp"},
    "fan-idle": {"only": "fan-,idle-"},
    "idle": {"only": "idle-"},
    "copy": {"copy": True, "vs": True},
    "copy-rows-only": {"copy": True, "only": "-copy"},
}


@pytest.mark.parametrize("name", list(OPTION_SETS))
def test_every_note_explains_something_shown(name: str) -> None:
    options = dict(OPTION_SETS[name])
    only = options.pop("only", "")
    every = WITH_COPIES if options.pop("copy", False) else ALL
    scenarios = [s for s in every if not only or any(o in s.name for o in only.split(","))]
    repeat = options.get("repeat", 1)
    table, notes = text_of(
        scenarios, made_up(scenarios, **options), options.get("vs", False), repeat
    )
    shown = subjects(table)
    for note in notes:
        subject = next((k for k in shown if note.startswith(k)), None)
        assert subject is not None, f"a note nobody asked for: {note}"
        if subject == "medians of":
            assert repeat > 1
        else:
            assert shown[subject], f"{note!r} explains what the table does not show"
    for subject, is_shown in shown.items():
        if is_shown:
            assert any(n.startswith(subject) for n in notes), f"{subject} is shown unexplained"
    assert ("medians of" in "\n".join(notes)) == (repeat > 1)


def test_no_ratio_without_vs() -> None:
    plain, _ = text_of(ALL, made_up(ALL))
    assert "ratio" not in plain
    assert "pyzmq" not in plain
    versus, _ = text_of(ALL, made_up(ALL, vs=True), vs=True)
    assert versus.count("ratio = purezmq/pyzmq of") == 4  # one per section
    assert "ratio = purezmq/pyzmq of p50: lower is better" in versus


def test_no_floor_notes_with_no_floor() -> None:
    table, notes = text_of(ALL, made_up(ALL, floors=False))
    assert "floor" not in table
    assert not [n for n in notes if "floor" in n]


def test_floor_note_names_only_the_rows_it_has() -> None:
    asyncio_tcp = [s for s in ALL if s.name == "thr-tcp-16-asyncio"]
    _, notes = text_of(asyncio_tcp, made_up(asyncio_tcp))
    (floor,) = [n for n in notes if n.startswith("floor =")]
    assert "asyncio.Protocol" in floor
    assert "blocking" not in floor and "inproc" not in floor
    assert not [n for n in notes if n.startswith("floor task")]  # a throughput row has none


def test_failures_are_explained_only_when_there_are_some() -> None:
    s = [s for s in ALL if s.name == "thr-tcp-16-sync"]
    runs = made_up(s, repeat=2)
    _, clean = text_of(s, runs, repeat=2)
    assert not [n for n in clean if n.startswith(("*", "timeout"))]
    runs[0].status = "timeout"  # one of purezmq's two runs
    table, notes = text_of(s, runs, repeat=2)
    assert "*" in table
    assert [n for n in notes if n.startswith("* =")]
    assert not [n for n in notes if n.startswith("timeout")]


def test_inproc_throughput_marks_purezmq_mb_s_only() -> None:
    inproc = [s for s in ALL if s.name in ("thr-inproc-1m-sync", "thr-tcp-1m-sync")]
    table, notes = text_of(inproc, made_up(inproc, vs=True), vs=True)
    row = next(line for line in table.splitlines() if line.startswith("thr-inproc-1m-sync"))
    tcp = next(line for line in table.splitlines() if line.startswith("thr-tcp-1m-sync"))
    assert [c for c in row.split() if c.endswith("^")] == ["1.6^"]  # purezmq's, not pyzmq's
    assert "^" not in tcp
    (note,) = [n for n in notes if n.startswith("^ =")]
    assert "--copy" in note  # there are no -copy rows to point to


def test_copy_rows_are_explained_and_pointed_to() -> None:
    inproc = [s for s in WITH_COPIES if s.name.startswith("thr-inproc-1m-sync")]
    table, notes = text_of(inproc, made_up(inproc, vs=True), vs=True)
    copy_row = next(
        line for line in table.splitlines() if line.startswith("thr-inproc-1m-sync-copy")
    )
    assert "^" not in copy_row  # its bytes really moved
    (ref,) = [n for n in notes if n.startswith("^ =")]
    assert "-copy row" in ref and "--copy" not in ref
    assert [n for n in notes if n.startswith("-copy rows")]


def test_medians_of_fewer_runs_where_a_stop_cut_short() -> None:
    two = [s for s in ALL if s.name in ("thr-tcp-16-sync", "thr-tcp-16-asyncio")]
    runs = made_up(two, repeat=3)
    _, notes = text_of(two, runs, repeat=3)
    assert "medians of the 3 runs of each scenario and library" in notes
    _, cut = text_of(two, runs[:-2], repeat=3)  # stopped during the last scenario
    assert not [n for n in cut if n.startswith("medians of the 3 runs")]
    assert [n for n in cut if n.startswith("medians of") and "fewer" in n]
