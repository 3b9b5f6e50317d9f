"""Full-text search over the archive: a derived index, rebuilt from ``index.sqlite``.

A lower layer, like recordkit/index/: it imports neither the archive nor the cases nor
the CLI. Plain records go in (``SearchRecord``), plain results come out (``Hit``); the
caller (``Archive.search``) joins the case data and keeps the index in step (``sync``).
"""

from recordkit.search.analysis import grams, query_words
from recordkit.search.engine import (
    MARKS,
    Hit,
    SearchFilters,
    SearchIndex,
    SearchRecord,
    SyncReport,
    mark,
)

__all__ = [
    "MARKS",
    "Hit",
    "SearchFilters",
    "SearchIndex",
    "SearchRecord",
    "SyncReport",
    "grams",
    "mark",
    "query_words",
]
