"""The manifest: one row per generated output, so regeneration knows what is stale."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from . import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS outputs (
    output_path TEXT PRIMARY KEY,     -- relative to the working folder, '/' separators
    case_no TEXT NOT NULL,
    form_code TEXT NOT NULL,
    template_file TEXT NOT NULL,
    template_version TEXT NOT NULL,
    template_sha256 TEXT NOT NULL,
    case_path TEXT NOT NULL,
    data_sha256 TEXT NOT NULL,
    output_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outputs_case ON outputs(case_no);
CREATE INDEX IF NOT EXISTS outputs_form ON outputs(form_code);
"""


@dataclass(frozen=True)
class OutputRecord:
    output_path: str
    case_no: str
    form_code: str
    template_file: str
    template_version: str
    template_sha256: str
    case_path: str
    data_sha256: str
    output_sha256: str
    created_at: str


class Manifest:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path, SCHEMA)

    def record(self, rows: Iterable[OutputRecord]) -> None:
        """Record outputs in one transaction (many rows at once is what makes batches fast)."""
        fields = list(OutputRecord.__dataclass_fields__)
        sql = f"INSERT OR REPLACE INTO outputs ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(sql, [tuple(asdict(r).values()) for r in rows])

    def all(self, case_nos: Iterable[str] | None = None, form_codes: Iterable[str] | None = None,
            since: str | None = None) -> list[OutputRecord]:
        where, args = [], []
        if case_nos:
            values = list(case_nos)
            where.append(f"case_no IN ({', '.join('?' * len(values))})")
            args += values
        if form_codes:
            values = list(form_codes)
            where.append(f"form_code IN ({', '.join('?' * len(values))})")
            args += values
        if since:
            where.append("created_at >= ?")
            args.append(since)
        sql = "SELECT * FROM outputs" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY output_path"
        return [OutputRecord(**dict(row)) for row in self.conn.execute(sql, args)]

    def get(self, output_path: str) -> OutputRecord | None:
        row = self.conn.execute("SELECT * FROM outputs WHERE output_path = ?", (output_path,)).fetchone()
        return OutputRecord(**dict(row)) if row else None

    def close(self) -> None:
        self.conn.close()
