"""The benchmark's pure parts: names, selection, framing, statistics, medians."""

from __future__ import annotations

import struct

from purezmq.bench.common import latency, throughput
from purezmq.bench.copying import send_all
from purezmq.bench.framing import Deframer
from purezmq.bench.metrics import cpu_per_message
from purezmq.bench.report import report, summarize
from purezmq.bench.runner import Run
from purezmq.bench.spec import Scenario, select, size_label


def test_size_labels() -> None:
    assert [size_label(s) for s in (16, 64, 1024, 65536, 1 << 20)] == [
        "16",
        "64",
        "1k",
        "64k",
        "1m",
    ]


def test_filter_is_a_substring_of_the_name() -> None:
    names = [s.name for s in select(["sync"], ["tcp"], ["tcp-16"])]
    assert names == ["thr-tcp-16-sync", "lat-tcp-16-sync"]
    both = {s.api for s in select(["sync", "asyncio"], ["inproc"], ["inproc-16"])}
    assert both == {"sync", "asyncio"}


def test_every_scenario_has_a_count() -> None:
    for s in select(["sync", "asyncio"], ["tcp", "ipc", "inproc"], []):
        assert s.count(True, None) > 1
        assert s.count(False, None) >= s.count(True, None)
    assert Scenario("thr", "tcp", 16, "sync").count(True, 5) == 5


def test_deframer_cuts_across_chunks() -> None:
    stream = b"".join(struct.pack("!I", len(m)) + m for m in (b"a", b"", b"xyz" * 1000))
    deframer = Deframer()
    got = []
    for i in range(0, len(stream), 7):
        got += deframer.feed(stream[i : i + 7])
    assert got == [b"a", b"", b"xyz" * 1000]


def test_latency_percentiles() -> None:
    stats = latency([1000 * i for i in range(1, 101)])
    assert stats["p50_us"] == 50.0
    assert stats["p99_us"] == 99.0
    assert stats["mean_us"] == 50.5


def test_throughput_counts_after_the_first() -> None:
    assert throughput(11, 100, 1.0)["msg_s"] == 10.0
    assert throughput(1, 100, 0.0)["msg_s"] == 0.0


def test_medians_ratio_and_failed_runs() -> None:
    runs = [
        Run("thr-tcp-16-sync", "purezmq", 0, metrics={"msg_s": 10.0, "rss_mib": 1.0}),
        Run("thr-tcp-16-sync", "pyzmq", 0, metrics={"msg_s": 20.0, "rss_mib": 1.0}),
        Run("thr-tcp-16-sync", "purezmq", 1, metrics={"msg_s": 30.0, "rss_mib": 1.0}),
        Run("thr-tcp-16-sync", "pyzmq", 1, status="timeout"),
    ]
    summary = summarize(runs)
    assert summary["thr-tcp-16-sync"]["purezmq"]["median"]["msg_s"] == 20.0
    assert summary["thr-tcp-16-sync"]["pyzmq"]["status"] == "partial"
    text = report([Scenario("thr", "tcp", 16, "sync")], summary, ["purezmq", "pyzmq"], 2)
    assert "higher is better" in text
    assert "1.00" in text  # ratio 20/20
    assert "20*" in text  # a failed repeat is flagged


def test_floors_of_each_kind() -> None:
    """The asyncio round trip gets a second floor whose reply a task writes."""
    assert Scenario("thr", "tcp", 16, "asyncio").floors == ["floor"]
    assert Scenario("lat", "tcp", 16, "sync").floors == ["floor"]
    assert Scenario("lat", "tcp", 16, "asyncio").floors == ["floor", "floor-task"]
    assert Scenario("fan", "tcp", 1024, "sync").floors == []


def test_the_task_floor_has_its_own_column() -> None:
    lat = Scenario("lat", "tcp", 16, "asyncio")
    runs = [
        Run(lat.name, "purezmq", 0, metrics={"p50_us": 100.0}),
        Run(lat.name, "floor", 0, metrics={"p50_us": 61.0}),
        Run(lat.name, "floor-task", 0, metrics={"p50_us": 87.0}),
    ]
    lines = report([lat], summarize(runs), ["purezmq"], 1).splitlines()
    head = next(line for line in lines if line.startswith("scenario"))
    row = next(line for line in lines if line.startswith(lat.name))
    assert head.endswith("floor p50  floor task p50")
    assert row.split()[-2:] == ["61.0", "87.0"]
    # Without a task floor run there is no such column.
    plain = report([lat], summarize(runs[:2]), ["purezmq"], 1)
    assert "floor task" not in plain


def _cpu(user: float, system: float) -> dict[str, float]:
    return {"user": user, "system": system}


def test_cpu_per_message_counts_each_process_once() -> None:
    # Two processes: each end's own span, added.
    apart = {
        "binder": {"cpu_start": _cpu(1.0, 0.5), "cpu_end": _cpu(1.5, 0.75)},
        "connecters": [{"cpu_start": _cpu(2.0, 0.0), "cpu_end": _cpu(2.25, 0.5)}],
    }
    assert cpu_per_message(apart, 1000) == {
        "cpu_user_s": 0.75,
        "cpu_sys_s": 0.75,
        "cpu_us": 1500.0,
    }
    # One process (inproc): from the earliest start to the shared end.
    shared = {
        "binder": {"cpu_start": _cpu(1.0, 0.5)},
        "connecters": [{"cpu_start": _cpu(1.25, 0.5)}],
        "cpu_end": _cpu(2.0, 1.0),
    }
    assert cpu_per_message(shared, 500)["cpu_us"] == 3000.0
    # A worker killed before it said its CPU time: no figure rather than a wrong one.
    del apart["connecters"][0]["cpu_end"]
    assert cpu_per_message(apart, 1000) == {}


def test_copy_mode_sends_a_new_object_each_time() -> None:
    sent: list[bytes] = []
    send_all(sent.append, 64, 3, copy=False)
    assert sent[0] is sent[1] is sent[2]
    sent.clear()
    send_all(sent.append, 64, 3, copy=True)
    assert sent[0] == sent[1] == b"x" * 64
    assert sent[0] is not sent[1] and sent[1] is not sent[2]
    assert all(type(m) is bytes for m in sent)  # what the libraries get without --copy too


def test_copy_twins_only_with_copy_and_only_inproc_throughput() -> None:
    plain = select(["sync", "asyncio"], ["tcp", "ipc", "inproc"], [])
    both = select(["sync", "asyncio"], ["tcp", "ipc", "inproc"], [], copy=True)
    twins = [s for s in both if s.copy]
    assert not any(s.copy for s in plain)
    assert len(twins) == 10
    assert all(s.kind == "thr" and s.transport == "inproc" for s in twins)
    names = [s.name for s in both]
    # Each twin right after the row it copies, without floor runs of its own.
    for twin in twins:
        assert names[names.index(twin.name) - 1] == twin.name.removesuffix("-copy")
        assert twin.floors == []
    assert [s.name for s in select(["sync"], ["inproc"], ["1m"], copy=True)] == [
        "thr-inproc-1m-sync",
        "thr-inproc-1m-sync-copy",
    ]
