"""The manifest: one row per generated output, so regeneration knows what is stale.

Filled forms are rows of ``outputs``. Outputs derived from them or from many inputs
(a form's PDF, a case's print bundle, a register) are rows of ``derived``, each with
the hashes of exactly what it was made from, so its staleness is computed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from .backend import open_database

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
CREATE TABLE IF NOT EXISTS derived (
    output_path TEXT PRIMARY KEY,     -- relative to the working folder, '/' separators
    kind TEXT NOT NULL,               -- pdf | bundle | register
    case_no TEXT NOT NULL,            -- case or record number; a register's id
    form_code TEXT NOT NULL,          -- the form shown (a bundle: its case's number)
    inputs TEXT NOT NULL,             -- JSON {input: SHA-256}: what it was made from
    params TEXT NOT NULL,             -- JSON: how to make it again
    output_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""
PDF, BUNDLE, REGISTER = "pdf", "bundle", "register"


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


@dataclass(frozen=True)
class DerivedRecord:
    output_path: str
    kind: str
    case_no: str
    form_code: str
    inputs: dict[str, str]
    params: dict[str, object]
    output_sha256: str
    created_at: str

    def row(self) -> tuple[object, ...]:
        values = asdict(self)
        values["inputs"] = json.dumps(self.inputs, ensure_ascii=False, sort_keys=True)
        values["params"] = json.dumps(self.params, ensure_ascii=False, sort_keys=True)
        return tuple(values.values())


class Manifest:
    def __init__(self, path: Path, url: str | None = None) -> None:
        """The SQLite file at ``path``, or the ``manifest`` schema of the PostgreSQL
        database at ``url``."""
        self.path = path
        self.conn = open_database(url or path, SCHEMA, "manifest")

    def record(self, rows: Iterable[OutputRecord]) -> None:
        """Record outputs in one transaction (many rows at once is what makes batches fast)."""
        fields = list(OutputRecord.__dataclass_fields__)
        sql = f"INSERT OR REPLACE INTO outputs ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(sql, [tuple(asdict(r).values()) for r in rows])

    def all(
        self,
        case_nos: Iterable[str] | None = None,
        form_codes: Iterable[str] | None = None,
        since: str | None = None,
    ) -> list[OutputRecord]:
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
        sql = (
            "SELECT * FROM outputs"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY output_path"
        )
        return [OutputRecord(**dict(row)) for row in self.conn.execute(sql, args)]

    def get(self, output_path: str) -> OutputRecord | None:
        row = self.conn.execute(
            "SELECT * FROM outputs WHERE output_path = ?", (output_path,)
        ).fetchone()
        return OutputRecord(**dict(row)) if row else None

    def recorded(self, output_path: str) -> tuple[str | None, str]:
        """(SHA-256, template version) of what was last written at ``output_path``."""
        row = self.conn.execute(
            "SELECT output_sha256, template_version FROM outputs WHERE output_path = ? "
            "UNION ALL SELECT output_sha256, '' FROM derived WHERE output_path = ?",
            (output_path, output_path),
        ).fetchone()
        return (row[0], row[1]) if row else (None, "")

    def record_derived(self, rows: Iterable[DerivedRecord]) -> None:
        fields = list(DerivedRecord.__dataclass_fields__)
        sql = f"INSERT OR REPLACE INTO derived ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(sql, [r.row() for r in rows])

    def derived(self, case_nos: Iterable[str] | None = None) -> list[DerivedRecord]:
        """Derived outputs (of these cases; registers always, as any case may be in them)."""
        rows = self.conn.execute("SELECT * FROM derived ORDER BY output_path").fetchall()
        wanted = set(case_nos or [])
        records = [
            DerivedRecord(
                **{**dict(r), "inputs": json.loads(r["inputs"]), "params": json.loads(r["params"])}
            )
            for r in rows
        ]
        return [r for r in records if not wanted or r.kind == REGISTER or r.case_no in wanted]

    def close(self) -> None:
        self.conn.close()
