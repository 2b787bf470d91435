"""``purezmq bench --plot FILE``: the results as a chart, drawn with matplotlib, an
optional dependency (``pip install purezmq[plot]``).

The figure has up to two parts, each drawn only when the results have what it needs:

* purezmq against the ``--vs`` library, a bar per scenario: the table's ratio of the
  section's key metric (:func:`.medians.ratio`), turned round in the sections where
  lower is better (latency, memory), so that every bar reads the same way: past 1.0,
  purezmq is ahead;
* throughput (msg/s) against message size, log-log: a panel per transport and API
  (and variant, such as -copy), a line per library and one for the plain-socket floor.

The same drawing serves a run that has just ended and the ``--json`` file of an earlier
one (``--from FILE``), so a chart of a full run needs no second run. matplotlib is
driven through its Agg canvas without pyplot: no window and no global state.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .medians import Summary, ratio
from .report import libs_of
from .sections import SECTIONS
from .spec import FLOOR, SELF, Scenario, all_scenarios, size_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.gridspec import SubplotSpec

__all__ = ["advantages", "draw", "from_json", "problem", "throughput_panels"]

EXTRA = "pip install purezmq[plot]"
THR = SECTIONS["thr"]  # the throughput panels plot its key metric (msg/s)
AHEAD, BEHIND = "#2a9d8f", "#e76f51"  # bars where purezmq is ahead, behind
LINES: dict[str, dict[str, Any]] = {  # the throughput panels' lines; the --vs library: OTHER
    SELF: {"color": "C0", "marker": "o"},
    FLOOR: {"color": "0.55", "marker": "^", "linestyle": "--", "label": "plain sockets (floor)"},
}
OTHER: dict[str, Any] = {"color": "C1", "marker": "s"}
# Inches: the figure's width, a bar's height, a row of throughput panels' height.
WIDTH, BAR, PANEL_ROW = 10.0, 0.24, 2.8
COLUMNS = 2  # throughput panels per row: with the default order, a row per transport
CAPTION_WIDTH = 150  # characters of the caption's lines: the figure's width at its size


def problem(plot: str | None, source: str | None) -> str | None:
    """What makes ``--plot PLOT`` / ``--from SOURCE`` unusable, found before anything
    runs; None if nothing does."""
    if not plot:
        return "--from FILE needs --plot OUT: it draws FILE's results and runs nothing"
    if not _have_matplotlib():
        return f"--plot needs matplotlib: {EXTRA}"
    formats = _formats()
    if _format(plot) not in formats:
        return f"--plot {plot}: the suffix names no format; one of .{', .'.join(formats)}"
    if not Path(plot).resolve().parent.is_dir():
        return f"--plot {plot}: no such directory"
    if source and not Path(source).is_file():
        return f"--from {source}: no such file"
    return None


# These checks run before a run, and must not import matplotlib into this process:
# the workers it forks would start with its pages, and their peak RSS with them.
def _have_matplotlib() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def _formats() -> list[str]:
    """The file formats matplotlib's Agg canvas writes, asked of a child interpreter."""
    code = (
        "from matplotlib.backends.backend_agg import FigureCanvasAgg as C;"
        "print(' '.join(sorted(C.get_supported_filetypes())))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return done.stdout.split() if done.returncode == 0 else []


def _format(path: str) -> str:
    return Path(path).suffix.lstrip(".").lower()


def from_json(plot: str, source: str) -> int:
    """Draw the results in ``source``, a ``--json`` file, into ``plot``; the exit status."""
    try:
        doc = json.loads(Path(source).read_text())
        meta: dict[str, Any] = doc["meta"]
        summary: Summary = doc["medians"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _say(f"--from {source}: not the --json file of a purezmq bench run ({exc!r})")
        return 2
    known = {s.name: s for s in all_scenarios(copy=True, scale=True)}
    unknown = sorted(set(summary) - set(known))
    if unknown:
        _say(f"--from {source}: left out, unknown to this version: {', '.join(unknown)}")
    scenarios = [s for name, s in known.items() if name in summary]  # the table's order
    return 0 if draw(plot, meta, scenarios, summary) else 1


def draw(path: str, meta: dict[str, Any], scenarios: Sequence[Scenario], summary: Summary) -> bool:
    """The chart of ``summary`` in ``path``, in the format its suffix names; False, with a
    word on stderr, if the results have nothing to draw."""
    bars = advantages(scenarios, summary) if meta.get("vs") else []
    panels = throughput_panels(scenarios, summary)
    if not bars and not panels:
        _say("--plot: nothing to draw: no ratios (no --vs) and no throughput at two sizes")
        return False
    _save(_figure(meta, bars, panels, summary), path)
    return True


def advantages(scenarios: Sequence[Scenario], summary: Summary) -> list[tuple[Scenario, float]]:
    """(scenario, purezmq's advantage) for each scenario with a ratio in the table: the
    ratio itself where higher is better, its inverse where lower is, so that above 1.0
    purezmq is ahead."""
    out = []
    for s in scenarios:
        r = ratio(s, summary.get(s.name, {}))
        if r:
            out.append((s, r if SECTIONS[s.kind].higher_is_better else 1 / r))
    return out


def throughput_panels(scenarios: Sequence[Scenario], summary: Summary) -> dict[str, list[Scenario]]:
    """The throughput scenarios by panel, titled by the name without kind and size
    ("tcp sync", "inproc asyncio copy"): the panels with two sizes or more."""
    panels: dict[str, list[Scenario]] = {}
    for s in scenarios:
        if s.kind == "thr" and s.name in summary:
            parts = s.name.split("-")[1:]
            parts.remove(size_label(s.size))
            panels.setdefault(" ".join(parts), []).append(s)
    return {k: sorted(v, key=lambda s: s.size) for k, v in panels.items() if len(v) > 1}


def _say(text: str) -> None:
    print(f"purezmq bench: {text}", file=sys.stderr)


def _figure(
    meta: dict[str, Any],
    bars: list[tuple[Scenario, float]],
    panels: dict[str, list[Scenario]],
    summary: Summary,
) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    columns = min(COLUMNS, len(panels)) or 1
    rows = -(-len(panels) // columns)
    heights = ([BAR * len(bars) + 1.2] if bars else []) + [PANEL_ROW] * rows
    # Room at the edges for an SVG viewer's font, wider than the one measured here.
    layout = ConstrainedLayoutEngine(w_pad=0.15, h_pad=0.1)
    fig = Figure(figsize=(WIDTH, sum(heights) + 1.4), layout=layout)
    grid = fig.add_gridspec(len(heights), columns, height_ratios=heights)
    if bars:
        _ratios(fig.add_subplot(grid[0, :]), bars, meta)
    below = 1 if bars else 0
    cells = [grid[below + i // columns, i % columns] for i in range(len(panels))]
    _throughput(fig, cells, panels, summary, meta)
    fig.suptitle(_title(meta), fontweight="bold")
    fig.supxlabel(_caption(meta, summary), fontsize=8.5, x=0.01, ha="left", linespacing=1.5)
    return fig


def _ratios(ax: Axes, bars: list[tuple[Scenario, float]], meta: dict[str, Any]) -> None:
    ax.set_gid("ratios")  # the id of its group in an SVG
    _bars(ax, bars)
    _ratio_axis(ax, [v for _, v in bars])
    ax.axvline(1, color="black", linewidth=1)
    label = f"1.0 = level with {meta['vs']}"
    ax.annotate(label, (1, -0.7), xytext=(4, 0), textcoords="offset points", va="center", size=8)
    ax.set_xlabel(_ratio_label(meta["vs"], [s for s, _ in bars]), fontsize=9)
    ax.set_title(f"purezmq against {meta['vs']}, scenario by scenario", fontsize=10)
    _ahead_behind_legend(ax)


def _bars(ax: Axes, bars: list[tuple[Scenario, float]]) -> None:
    """A bar from 1.0 to each value, the first scenario on top, labelled with the value
    as the table shows it; a faint line between sections."""
    for row, (s, v) in enumerate(bars):
        ahead = v > 1
        ax.barh(row, v - 1, left=1, color=AHEAD if ahead else BEHIND, height=0.7)
        x = v * 1.03 if ahead else v / 1.03
        ax.text(x, row, f"{v:.2f}", va="center", ha="left" if ahead else "right", fontsize=7)
        if row and s.kind != bars[row - 1][0].kind:
            ax.axhline(row - 0.5, color="0.75", linewidth=0.8)
    ax.set_yticks(range(len(bars)), [s.name for s, _ in bars], fontsize=8)
    ax.set_ylim(len(bars) - 0.4, -1.4)  # inverted, with room for a line above the first


def _ratio_axis(ax: Axes, values: list[float]) -> None:
    """Log scale around 1.0, each side as far as its bars reach (at least 2x), ticks at
    powers of 2, those below 1 written as fractions (1/4)."""
    high = max(2.0, 1.3 * max(values))
    low = max(2.0, 1.3 / min(values))
    ax.set_xscale("log")
    ax.set_xlim(1 / low, high)
    top, bottom = int(math.log2(high)), int(math.log2(low))
    step = max(1, math.ceil((top + bottom + 1) / 9))  # no more than 9 ticks or so
    ticks = [2.0**k for k in range(-bottom, top + 1) if k % step == 0]
    ax.set_xticks(ticks, [f"{t:g}" if t >= 1 else f"1/{1 / t:g}" for t in ticks])
    ax.xaxis.set_minor_locator(_no_ticks())
    ax.grid(True, axis="x", alpha=0.3)


def _ratio_label(vs: str, shown: list[Scenario]) -> str:
    """What the bars are: of which metrics, and which way round, in the sections shown."""
    sections = [SECTIONS[kind] for kind in dict.fromkeys(s.kind for s in shown)]
    ways = []
    for higher, (a, b) in ((True, (SELF, vs)), (False, (vs, SELF))):
        labels = dict.fromkeys(s.key_label for s in sections if s.higher_is_better == higher)
        if labels:
            ways.append(f"{a}/{b} of {', '.join(labels)}")
    head = "ratio of medians (log scale), the way round that makes higher better:"
    return head + "\n" + textwrap.fill("; ".join(ways), width=CAPTION_WIDTH - 20)


def _ahead_behind_legend(ax: Axes) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=AHEAD, label="purezmq ahead"), Patch(color=BEHIND, label="behind")]
    ax.legend(handles=handles, loc="best", fontsize=8)


def _throughput(
    fig: Figure,
    cells: list[SubplotSpec],
    panels: dict[str, list[Scenario]],
    summary: Summary,
    meta: dict[str, Any],
) -> None:
    """A panel per entry of ``panels`` in its cell, all sharing one y axis."""
    first: Axes | None = None
    for cell, (title, group) in zip(cells, panels.items(), strict=True):
        ax = fig.add_subplot(cell, sharey=first)
        ax.set_gid("throughput-" + title.replace(" ", "-"))  # its id in an SVG
        for lib in [*libs_of(meta.get("vs")), FLOOR]:
            _line(ax, group, summary, lib)
        _size_axis(ax, group)
        ax.set_title(f"throughput, {title}", fontsize=10)
        ax.set_ylabel(f"{THR.key_label} (log)" if cell.is_first_col() else "")
        first = first or ax
    if first is not None:
        first.legend(fontsize=8)


def _line(ax: Axes, group: list[Scenario], summary: Summary, lib: str) -> None:
    """``lib``'s msg/s at each size of ``group``; a gap where it has no figure (its runs
    failed), rather than a line across."""
    medians = [summary[s.name].get(lib, {}).get("median", {}) for s in group]
    values = [m.get(THR.key) or math.nan for m in medians]
    if any(not math.isnan(v) for v in values):
        style = LINES.get(lib, OTHER)
        ax.plot([s.size for s in group], values, **{"label": lib, "markersize": 4, **style})


def _size_axis(ax: Axes, group: list[Scenario]) -> None:
    from matplotlib.ticker import EngFormatter

    sizes = sorted({s.size for s in group})
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sizes, [size_label(size) for size in sizes])
    ax.xaxis.set_minor_locator(_no_ticks())
    ax.yaxis.set_major_formatter(EngFormatter(sep=""))
    ax.set_xlabel("message size (bytes)", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)


def _no_ticks() -> Any:
    from matplotlib.ticker import NullLocator

    return NullLocator()


def _title(meta: dict[str, Any]) -> str:
    text = f"purezmq bench: purezmq {meta.get('purezmq', '?')}"
    if meta.get("vs"):
        text += f" vs {meta['vs']} {meta.get('vs_version', '?')}"
        if meta.get("vs_libzmq"):
            text += f" (libzmq {meta['vs_libzmq']})"
    started = str(meta.get("started", ""))[:10]  # the date
    return f"{text}, {started}" if started else text


def _caption(meta: dict[str, Any], summary: Summary) -> str:
    """What the numbers are and how far to trust them, wrapped to the figure's width."""
    repeat = meta.get("repeat", "?")
    runs = "One run" if repeat == 1 else f"Medians of {repeat} runs"
    sentences = [
        "Higher is better in every panel.",
        f"{runs} per scenario and library{' (no median: expect noise)' if repeat == 1 else ''},"
        f" {'--quick' if meta.get('quick') else 'full-length'} runs; {meta.get('cpus', '?')}"
        f" CPUs, Python {meta.get('python', '?')}, uvloop {'on' if meta.get('uvloop') else 'off'}.",
        "Throughput: PUSH -> PULL, messages per second at the receiver.",
    ]
    if any(e["ok"] < e["runs"] for libs in summary.values() for e in libs.values()):
        failed = "their points and bars rest on fewer runs, or are missing"
        sentences.append(f"Some runs failed (see the table): {failed}.")
    if meta.get("interrupted"):
        done, planned = meta.get("runs_done", "?"), meta.get("runs_planned", "?")
        sentences.append(f"Interrupted by {meta['interrupted']}: {done} of {planned} runs done.")
    return textwrap.fill(" ".join(sentences), width=CAPTION_WIDTH)


def _save(fig: Figure, path: str) -> None:
    """``fig`` in ``path``, replaced whole (never half-written); SVG text kept as text."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fmt = _format(path)
    partial = f"{path}.partial"
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "purezmq"}):
        fig.savefig(partial, format=fmt, dpi=150, metadata={"Date": None} if fmt == "svg" else None)
    os.replace(partial, path)
