"""OCR lines in reading order on a skewed scan: a label at the left and its value far to
the right share their row although the page is turned by 2° (issue 13: the text that
search, snippets and the text layer read follows the page)."""

from __future__ import annotations

import math

from recordkit.ocr.engine import Line, reading_order


def box(x: float, y: float, width: float, height: float, degrees: float) -> Line:
    """A text box at (x, y), turned about the page origin by ``degrees`` as a skewed scan."""
    turn = math.radians(degrees)

    def rotated(px: float, py: float) -> tuple[float, float]:
        return (
            px * math.cos(turn) - py * math.sin(turn),
            px * math.sin(turn) + py * math.cos(turn),
        )

    corners = [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]
    return Line(f"{x:.0f},{y:.0f}", tuple(rotated(px, py) for px, py in corners), 0.99)


def texts(lines: list[Line]) -> list[str]:
    return [line.text for line in reading_order(lines)]


def test_a_row_stays_a_row_on_a_page_scanned_two_degrees_askew() -> None:
    label, value = box(100, 1000, 200, 30, 2.0), box(900, 1000, 300, 30, 2.0)
    next_label = box(100, 1045, 200, 30, 2.0)
    assert texts([next_label, value, label]) == ["100,1000", "900,1000", "100,1045"]


def test_a_straight_page_reads_rows_top_to_bottom_left_to_right() -> None:
    lines = [box(600, 200, 300, 30, 0), box(100, 200, 300, 30, 0), box(100, 260, 300, 30, 0)]
    assert texts(lines) == ["100,200", "600,200", "100,260"]


def test_a_page_turned_the_other_way_too() -> None:
    label, value = box(100, 1000, 200, 30, -2.0), box(900, 1000, 300, 30, -2.0)
    below = box(100, 1045, 200, 30, -2.0)
    assert texts([value, below, label]) == ["100,1000", "900,1000", "100,1045"]
