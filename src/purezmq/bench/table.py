"""The table on stdout: one section per kind of scenario, a row per scenario, and a
column group per library, then the ratio and the floors. What it draws is recorded in
a :class:`.notes.Seen`, so that its notes can follow."""

from __future__ import annotations

from collections.abc import Sequence

from . import notes
from .medians import Entry, Summary, ratio
from .notes import Seen
from .sections import SECTIONS, Column, Section
from .spec import FLOOR, FLOOR_TASK, Scenario

FLOOR_LABELS = {FLOOR: "floor", FLOOR_TASK: "floor task"}


def render(
    scenarios: Sequence[Scenario], summary: Summary, libs: list[str], seen: Seen
) -> list[str]:
    """The lines of every section that has rows (each section after a blank line)."""
    out: list[str] = []
    for kind, section in SECTIONS.items():
        chosen = [s for s in scenarios if s.kind == kind and s.name in summary]
        if chosen:
            out += _section(section, chosen, summary, libs, seen)
    return out


def _section(
    section: Section, chosen: list[Scenario], summary: Summary, libs: list[str], seen: Seen
) -> list[str]:
    out = ["", section.title]
    if len(libs) > 1:
        better = "higher" if section.higher_is_better else "lower"
        out.append(f"ratio = {libs[0]}/{libs[1]} of {section.key_label}: {better} is better")
    floors = _floors(section, chosen, summary)
    head = _head(section, libs, floors, seen)
    rows = [_row(s, section, summary[s.name], libs, floors, seen) for s in chosen]
    return out + _aligned(head, rows)


def _floors(section: Section, chosen: list[Scenario], summary: Summary) -> list[str]:
    """The floor columns: those of which some row has a run."""
    if section.floor is None:
        return []
    return [f for f in FLOOR_LABELS if any(f in summary[s.name] for s in chosen)]


def _head(section: Section, libs: list[str], floors: list[str], seen: Seen) -> list[str]:
    head = ["scenario"]
    for lib in libs:
        head += [f"{lib} {section.columns[0].label}"] + [c.label for c in section.columns[1:]]
    seen.marks |= {c.note for c in section.columns if c.note}
    if len(libs) > 1:
        head.append("ratio")
    if section.floor is not None:
        for floor in floors:
            seen.marks.add(notes.FLOOR if floor == FLOOR else notes.FLOOR_TASK)
            head.append(f"{FLOOR_LABELS[floor]} {section.floor.label}")
    return head


def _row(
    s: Scenario,
    section: Section,
    by_lib: dict[str, Entry],
    libs: list[str],
    floors: list[str],
    seen: Seen,
) -> list[str]:
    row = [s.name]
    if s.copy:
        seen.marks.add(notes.COPY)
    for lib in libs:
        for column in section.columns:
            row.append(_cell(by_lib.get(lib), column, seen) + _mark(s, lib, column, seen))
    if len(libs) > 1:
        r = ratio(s, by_lib)
        row.append("-" if r is None else f"{r:.2f}")
    if section.floor is not None:
        row += [_cell(by_lib.get(floor), section.floor, seen) for floor in floors]
    if any(floor in by_lib for floor in floors):
        seen.floor_apis.add(s.api)
        seen.floor_inproc |= s.transport == "inproc"
    return row


def _cell(entry: Entry | None, column: Column, seen: Seen) -> str:
    if entry is None:
        return "-"
    seen.run_counts.add(entry["runs"])
    if not entry["ok"]:
        seen.marks.add(notes.FAILED)
        return str(entry["status"])
    value = entry["median"].get(column.metric)
    if value is None:
        return "-"
    if entry["ok"] < entry["runs"]:
        seen.marks.add(notes.PARTIAL)
        return column.fmt(value) + "*"
    return column.fmt(value)


def _mark(s: Scenario, lib: str, column: Column, seen: Seen) -> str:
    """The mark of purezmq's inproc MB/s, which counts references handed over."""
    if column.metric != "mb_s" or lib != "purezmq" or s.copy:
        return ""
    if s.kind == "thr" and s.transport == "inproc":
        seen.marks.add(notes.INPROC_REF)
        return notes.INPROC_MARK
    return ""


def _aligned(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = []
    for row in [head, *rows]:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines
