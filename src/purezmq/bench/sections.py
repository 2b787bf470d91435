"""The table's sections, one per kind of scenario: their titles, columns and ratio."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import notes
from .spec import CHAIN_WINDOW

Fmt = Callable[[float], str]


def _int(v: float) -> str:
    return f"{v:,.0f}"


def _f1(v: float) -> str:
    return f"{v:,.1f}"


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def _cpu(v: float) -> str:
    """Three significant figures or so: 0.85, 12.5, 1,130."""
    return f"{v:,.2f}" if v < 10 else f"{v:,.1f}" if v < 1000 else f"{v:,.0f}"


@dataclass(frozen=True)
class Column:
    label: str
    metric: str
    fmt: Fmt
    note: str | None = None  # the note that says what it means, wherever it is shown


@dataclass(frozen=True)
class Section:
    title: str
    columns: tuple[Column, ...]  # per library
    key: str  # the metric of the ratio
    higher_is_better: bool
    floor: Column | None = None

    @property
    def key_label(self) -> str:
        """The ratio's metric as its column is labelled."""
        return next(c.label for c in self.columns if c.metric == self.key)


MSG_S = Column("msg/s", "msg_s", _int)
RSS = Column("RSS MiB", "rss_mib", _f1, notes.RSS)
P50 = Column("p50", "p50_us", _f1)
GOT = Column("got", "delivered", _pct)  # the share of messages received (fan-outs)

SECTIONS = {
    "thr": Section(
        "Throughput: PUSH -> PULL, timed at the receiver from the first to the last message;"
        " MB = 10^6 B",
        (MSG_S, Column("MB/s", "mb_s", _f1), Column("CPU us/msg", "cpu_us", _cpu, notes.CPU), RSS),
        "msg_s",
        True,
        MSG_S,
    ),
    "lat": Section(
        "Latency: REQ/REP round trip, microseconds",
        (Column("mean", "mean_us", _f1), P50, Column("p99", "p99_us", _f1), RSS),
        "p50_us",
        False,
        P50,
    ),
    "fan": Section(
        "Fan-out: one PUB to 4 SUBs, 1 KiB; per subscriber (mean, slowest): messages received"
        " per second from the PUB's first send to the last arrival; got = share received"
        " (the rest: PUB HWM drops)",
        (
            Column("msg/s/sub", "msg_s", _int),
            Column("min", "min_msg_s", _int),
            GOT,
            RSS,
        ),
        "msg_s",
        True,
    ),
    "idle": Section(
        "Idle: RSS growth of one process holding 100 connected tcp PAIR pairs (KiB)",
        (Column("KiB/conn", "kib_per_conn", _f1), Column("KiB/socket", "kib_per_socket", _f1)),
        "kib_per_conn",
        False,
    ),
    "router": Section(
        "Scale: a ROUTER serving N DEALERs over tcp, the DEALERs in other processes"
        " (2,500 at most in each):"
        " conn/s = N per second from the first connect() to the ROUTER holding a hello from"
        " each; req/s = requests the ROUTER echoes per second, K from each DEALER; KiB/conn"
        " = the ROUTER process's RSS growth from before the first connection to after the"
        " last hello, per connection",
        (
            Column("conn/s", "conn_s", _int),
            Column("req/s", "msg_s", _int),
            Column("KiB/conn", "kib_per_conn", _f1),
            RSS,
        ),
        "msg_s",
        True,
    ),
    "pubsub": Section(
        "Scale: a PUB to N SUBs over tcp, the SUBs in one other process, 1 KiB: msg/s = messages"
        " received by all the SUBs together per second, from the PUB's first send to the"
        " last arrival; got = share received (the rest: PUB HWM drops)",
        (
            Column("msg/s", "msg_s", _int),
            GOT,
            Column("pub msg/s", "pub_msg_s", _int),
            RSS,
        ),
        "msg_s",
        True,
    ),
    "chain": Section(
        "Scale: a chain of N inproc PAIR sockets (N/2 links) in one thread, which forwards"
        " each message link to link: msg/s = messages through the whole chain per second,"
        f" {CHAIN_WINDOW} in flight; cross = microseconds for one message alone to cross it",
        (MSG_S, Column("cross us", "cross_us", _f1), RSS),
        "msg_s",
        True,
    ),
}
