"""Is a file finished? Pure logic fed with fake stat results (size, mtime, now)."""

from __future__ import annotations

import pytest

from recordkit.archive.stability import StabilityTracker, is_ignored


def feed(tracker: StabilityTracker, path: str, seq: list[tuple[int, float, float]]) -> list[bool]:
    return [tracker.observe(path, size, mtime, now) for size, mtime, now in seq]


def test_growing_file_is_never_ready():
    t = StabilityTracker(delay_seconds=2)
    seq = [(1000 * i, 100.0 + i, 100.0 + i) for i in range(1, 10)]
    assert feed(t, "scan.pdf", seq) == [False] * 9


def test_stable_for_less_than_the_delay_is_not_ready():
    t = StabilityTracker(delay_seconds=2)
    assert feed(t, "scan.pdf", [(5000, 50.0, 100.0), (5000, 50.0, 101.0), (5000, 50.0, 101.9)]) == [
        False,
        False,
        False,
    ]


def test_stable_for_the_delay_is_ready():
    t = StabilityTracker(delay_seconds=2)
    assert feed(t, "scan.pdf", [(5000, 50.0, 100.0), (5000, 50.0, 102.0)]) == [False, True]
    assert t.observe("scan.pdf", 5000, 50.0, 150.0)


def test_touching_mtime_restarts_the_wait():
    t = StabilityTracker(delay_seconds=2)
    seq = [
        (5000, 50.0, 100.0),
        (5000, 50.0, 101.5),
        (5000, 51.0, 102.0),  # same size, new mtime: still being written
        (5000, 51.0, 103.9),
        (5000, 51.0, 104.0),
    ]
    assert feed(t, "scan.pdf", seq) == [False, False, False, False, True]


def test_size_change_restarts_the_wait_even_with_same_mtime():
    # Coarse mtime (FAT: 2 s) can stay the same while a scanner keeps writing.
    t = StabilityTracker(delay_seconds=2)
    assert feed(t, "s.pdf", [(100, 50.0, 100.0), (200, 50.0, 102.0), (200, 50.0, 104.0)]) == [
        False,
        False,
        True,
    ]


def test_delay_is_configurable():
    t = StabilityTracker(delay_seconds=10)
    assert feed(t, "s.pdf", [(1, 5.0, 0.0), (1, 5.0, 9.0), (1, 5.0, 10.0)]) == [False, False, True]
    assert StabilityTracker(delay_seconds=0).observe("s.pdf", 1, 5.0, 0.0)


def test_empty_file_waits_longer():
    t = StabilityTracker(delay_seconds=2, empty_delay_seconds=30)
    assert feed(t, "s.pdf", [(0, 5.0, 0.0), (0, 5.0, 10.0), (0, 5.0, 30.0)]) == [False, False, True]


def test_clock_going_backwards_restarts_the_wait():
    t = StabilityTracker(delay_seconds=2)
    assert feed(t, "s.pdf", [(1, 5.0, 100.0), (1, 5.0, 50.0), (1, 5.0, 51.0), (1, 5.0, 52.0)]) == [
        False,
        False,
        False,
        True,
    ]


def test_paths_are_tracked_independently_and_can_be_forgotten():
    t = StabilityTracker(delay_seconds=2)
    t.observe("a.pdf", 1, 1.0, 0.0)
    t.observe("b.pdf", 1, 1.0, 1.0)
    assert t.observe("a.pdf", 1, 1.0, 2.0) is True
    assert t.observe("b.pdf", 1, 1.0, 2.0) is False
    t.forget("a.pdf")
    assert t.pending() == ["b.pdf"]
    assert t.observe("a.pdf", 1, 1.0, 3.0) is False  # forgotten: a new file, a new wait
    t.retain_only({"a.pdf"})
    assert t.pending() == ["a.pdf"]


def test_negative_delay_is_refused():
    with pytest.raises(ValueError):
        StabilityTracker(delay_seconds=-1)


@pytest.mark.parametrize(
    "path",
    [
        "~$scan.pdf",
        "~WRL0001.tmp",
        "scan.pdf.part",
        "scan.pdf.tmp",
        "scan.pdf.crdownload",
        "scan.PDF.PART",
        ".scan.pdf",
        ".sync/scan.pdf",
        "a/.hidden/scan.pdf",
        "scan.txt",
        "scan.pdf~",
        "scan",
        "",
    ],
)
def test_temporaries_hidden_and_non_pdf_are_ignored(path):
    assert is_ignored(path)


@pytest.mark.parametrize(
    "path", ["scan.pdf", "SCAN.PDF", "2026/TS-2026-0007_F01.pdf", "扫描件 (1).pdf", "a.b.pdf"]
)
def test_ordinary_pdfs_are_not_ignored(path):
    assert not is_ignored(path)
