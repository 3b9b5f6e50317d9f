"""bench/search.py still runs (tiny size); the benchmark itself is not part of the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "search.py"


def test_search_bench_runs_small(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH), "--n", "200", "--fts-n", "100", "--queries", "5",
                             "--fts-queries", "3", "--dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "| recordkit search (tantivy) | 200 |" in result.stdout
    assert "| 2 characters + year + retention |" in result.stdout
    assert list(tmp_path.iterdir()) == []  # the build folder is removed
