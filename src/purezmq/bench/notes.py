"""The notes under the table. Each says what a column or a mark means, and is printed only
if the table shows that column or mark: the renderer (:mod:`.table`) records in a
:class:`Seen` what it drew, and :func:`footnotes` turns that into text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MEDIANS = "medians"
PARTIAL = "partial"
FAILED = "failed"
RSS = "rss"
CPU = "cpu"
FLOOR = "floor"
FLOOR_TASK = "floor-task"
INPROC_REF = "inproc-ref"
COPY = "copy"

INPROC_MARK = "^"


@dataclass
class Seen:
    """What the rendered table shows."""

    marks: set[str] = field(default_factory=set)
    floor_apis: set[str] = field(default_factory=set)  # APIs of the rows with a floor figure
    floor_inproc: bool = False  # an inproc row has a floor figure
    run_counts: set[int] = field(default_factory=set)  # runs behind each figure shown


def footnotes(seen: Seen, repeat: int) -> list[str]:
    """The notes the table needs, in a fixed order."""
    marks = seen.marks
    out = []
    if repeat > 1 and marks:
        out.append(_medians(seen.run_counts, repeat))
    if PARTIAL in marks:
        out.append("* = some of its runs failed: the median of the others")
    if FAILED in marks:
        every = "every run of it" if repeat > 1 else "the run"
        out.append(f"timeout/error = {every} failed (listed below)")
    out += [TEXTS[key] for key in (RSS, CPU) if key in marks]
    if FLOOR in marks:
        out.append(_floor(seen))
    if FLOOR_TASK in marks:
        out.append(TEXTS[FLOOR_TASK])
    if INPROC_REF in marks:
        out.append(_inproc_ref(COPY in marks))
    if COPY in marks:
        out.append(TEXTS[COPY])
    return out


def _medians(run_counts: set[int], repeat: int) -> str:
    if run_counts <= {repeat}:
        return f"medians of the {repeat} runs of each scenario and library"
    return (
        f"medians of the runs of each scenario and library: {repeat}, or fewer where the"
        " stop cut a scenario short"
    )


def _floor(seen: Seen) -> str:
    kinds = []
    if "sync" in seen.floor_apis:
        kinds.append("sync rows: blocking sockets")
    if "asyncio" in seen.floor_apis:
        kinds.append("asyncio rows: asyncio.Protocol")
    if seen.floor_inproc:
        kinds.append("inproc rows: a unix socket between two threads or tasks")
    return (
        "floor = the same transfer over plain Python sockets, length-prefixed frames,"
        f" no ZeroMQ ({'; '.join(kinds)})"
    )


def _inproc_ref(copy_rows: bool) -> str:
    then = (
        "each -copy row measures the copying case"
        if copy_rows
        else "--copy adds rows that measure the copying case"
    )
    return (
        f"{INPROC_MARK} = inproc hands over references: purezmq gives the receiver the very"
        " bytes object the sender passed, where pyzmq copies each message into libzmq and"
        " out again, so these purezmq MB/s count bytes that never moved and are no"
        f" bandwidth; {then}"
    )


TEXTS = {
    RSS: "RSS MiB = the largest peak resident set of the run's processes",
    CPU: "CPU us/msg = user + system CPU time of both ends' processes (every thread) per"
    " message, from each end's first send or receive to the end of the transfer: the"
    " figure that a busy machine disturbs least",
    FLOOR_TASK: "floor task = the asyncio round trip's floor with each reply written by a"
    " task that awaits the request, as a REP application does, rather than inside"
    " data_received",
    COPY: "-copy rows (--copy): the sender makes each message anew from a bytearray and"
    " the receiver copies each message it gets into a bytearray, with either library,"
    " as an application that produces and keeps its data does; pyzmq also copies into"
    " and out of libzmq",
}
