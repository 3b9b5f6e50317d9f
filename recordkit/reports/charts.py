"""The report's charts (matplotlib, Chinese labels), one PNG each."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recordkit.fonts import matplotlib_font
from recordkit.reports.stats import (
    DPI,
    TIMELINESS,
    Stats,
    format_number,
    pct,
    write_bytes,
)

# --------------------------------------------------------------------------- charts

BLUE = "#4472C4"
ORANGE = "#ED7D31"
GREY = "#7F7F7F"
RED = "#C00000"


@dataclass(frozen=True)
class Chart:
    path: Path
    title: str
    description: str  # what the chart shows, with its numbers (alt text and notes)


def _chart_context() -> Any:
    import matplotlib

    family = matplotlib_font()
    return matplotlib.rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "font.size": 9,
            "axes.titlesize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def _save(figure: Any, path: Path) -> list[str]:
    """Write a PNG; returns matplotlib's complaints about characters without a glyph."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    write_bytes(path, buffer.getvalue())
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def _bar_labels(ax: Any, bars: Any, texts: Sequence[str], horizontal: bool) -> None:
    for bar, text in zip(bars, texts, strict=True):
        if horizontal:
            # White backing: the target line may run through the label.
            ax.annotate(
                text,
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
                zorder=5,
            )
        else:
            ax.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
            )


def _count_chart(counts: Mapping[str, int], title: str, horizontal: bool) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels, values = list(counts), list(counts.values())
    top = max(values, default=0) or 1
    if horizontal:
        figure = Figure(figsize=(6.3, 0.32 * len(labels) + 1.0))
        ax = figure.add_subplot()
        bars = ax.barh(range(len(labels)), values, color=BLUE, height=0.6)
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.15)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("件数")
    else:
        figure = Figure(figsize=(6.3, 2.9))
        ax = figure.add_subplot()
        bars = ax.bar(range(len(labels)), values, color=BLUE, width=0.6)
        ax.set_xticks(range(len(labels)), labels)
        ax.set_ylim(0, top * 1.18)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("件数")
    _bar_labels(ax, bars, [str(v) for v in values], horizontal)
    ax.set_title(title)
    return figure


def _wrap(text: str, width: int = 12) -> str:
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def _steps_chart(stats: Stats, title: str) -> Any:
    from matplotlib.figure import Figure

    steps = list(stats.steps)
    threshold = stats.target(TIMELINESS).threshold
    figure = Figure(figsize=(6.3, 0.55 * max(len(steps), 1) + 1.3))
    ax = figure.add_subplot()
    values = [(s.rate or 0) * 100 for s in steps]
    colors = [BLUE if s.done and s.on_time * 100 >= threshold * s.done else ORANGE for s in steps]
    bars = ax.barh(range(len(steps)), values, color=colors, height=0.55)
    ax.set_yticks(range(len(steps)), [f"{_wrap(s.name, 14)}\n({s.limit_text})" for s in steps])
    # Inverted y with a free band above the first bar, where the target line is labelled.
    ax.set_ylim(max(len(steps), 1) - 0.5, -1.0)
    ax.set_xlim(0, 118)
    ax.set_xticks([0, 20, 40, 60, 80, 100], ["0", "20%", "40%", "60%", "80%", "100%"])
    ax.axvline(threshold, color=RED, linestyle="--", linewidth=1)
    ax.annotate(
        f"目标 {format_number(threshold)}%",
        (threshold, -0.75),
        xytext=(-3, 0),
        textcoords="offset points",
        color=RED,
        fontsize=8,
        va="center",
        ha="right",
    )
    texts = [
        f"{pct(s.on_time, s.done)} ({s.on_time}/{s.done})" if s.done else "无已完成" for s in steps
    ]
    _bar_labels(ax, bars, texts, horizontal=True)
    ax.set_xlabel("按期完成率 (按期完成 ÷ 已完成)")
    ax.set_title(title)
    return figure


def _trend_label(month: str, first: bool) -> str:
    year, number = month.split("-")
    return f"{year}年\n{int(number)}月" if first or number == "01" else f"{int(number)}月"


def _trend_chart(stats: Stats, title: str) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    months = [m for m, _ in stats.trend]
    values = [n for _, n in stats.trend]
    figure = Figure(figsize=(6.3, 2.9))
    ax = figure.add_subplot()
    ax.plot(range(len(values)), values, color=BLUE, marker="o", linewidth=1.8, markersize=4)
    for x, value in enumerate(values):
        ax.annotate(str(value), (x, value), xytext=(0, 5), textcoords="offset points", ha="center")
    ax.set_xticks(range(len(months)), [_trend_label(m, i == 0) for i, m in enumerate(months)])
    ax.set_ylim(0, (max(values, default=0) or 1) * 1.25)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("接收件数")
    ax.grid(axis="y", color="#D9D9D9", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(title)
    return figure


def _listing(counts: Mapping[str, int]) -> str:
    return "、".join(f"{k} {v}" for k, v in counts.items())


def draw_charts(stats: Stats, folder: Path) -> tuple[list[Chart], list[str]]:
    """The report's four charts as PNG files (dpi 200); second item: glyph problems."""
    label = stats.period.label
    trend_title = (
        "近12个月接收件数" if stats.period.is_month else f"{stats.period.year}年各月接收件数"
    )
    plans: list[tuple[str, str, Callable[[], Any], str]] = [
        (
            "1-channel.png",
            f"按投诉方式统计 ({label})",
            lambda: _count_chart(stats.by_channel, f"按投诉方式统计 ({label})", horizontal=True),
            f"横向柱状图, 各投诉方式的件数: {_listing(stats.by_channel)} (合计 {stats.total} 件)",
        ),
        (
            "2-category.png",
            f"按分类统计 ({label})",
            lambda: _count_chart(stats.by_category, f"按分类统计 ({label})", horizontal=False),
            f"柱状图, 各分类的件数: {_listing(stats.by_category)} (合计 {stats.total} 件)",
        ),
        (
            "3-steps.png",
            f"各步骤按期完成率 ({label})",
            lambda: _steps_chart(stats, f"各步骤按期完成率 ({label})"),
            "横向柱状图, 各步骤按期完成率 (按期完成/已完成), 红色虚线为服务及时率目标 "
            f"{format_number(stats.target(TIMELINESS).threshold)}%: "
            + "; ".join(
                f"{s.name} {pct(s.on_time, s.done)} ({s.on_time}/{s.done})" for s in stats.steps
            ),
        ),
        (
            "4-trend.png",
            trend_title,
            lambda: _trend_chart(stats, trend_title),
            f"折线图, {trend_title}: " + "、".join(f"{m} {n}" for m, n in stats.trend),
        ),
    ]
    charts: list[Chart] = []
    problems: list[str] = []
    with _chart_context():
        for name, title, draw, description in plans:
            path = folder / name
            problems += _save(draw(), path)
            charts.append(Chart(path, title, description))
    return charts, list(dict.fromkeys(problems))
