"""Four ingest nodes on one PostgreSQL database and one storage root (issue 15).

Each node is a working folder with its own inbox and work folder (``[archive] inbox`` /
``work``) whose ``[folders] archive`` is the shared storage root and whose
``[database] url`` is the one database. They file 400 scans at once while two of them
are killed with SIGKILL (the whole process group, like a power cut) and restarted.
Afterwards the 件号 are exactly 1..400, every scan is filed once, the hash chain is one
unbroken chain and ``archive verify`` is clean.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from archive_setup import form_pdf, make_workdir, sha256

from recordkit.config import Config
from recordkit.index.archive import ArchiveIndex

NODES = 4
SCANS = 400


def _node(root: Path, storage: Path, url: str) -> Config:
    config = make_workdir(root, extra='inbox = "inbox"\nwork = "work"')
    text = config.path.read_text(encoding="utf-8")
    text = text.replace('archive = "archive"', f'archive = "{storage.as_posix()}"')
    config.path.write_text(text + f'\n[database]\nurl = "{url}"\n', encoding="utf-8")
    return config


def _ingest(config: Config) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "recordkit.cli", "archive", "ingest", "--inbox"],
        cwd=config.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "RECORDKIT_DATABASE_URL": ""},
    )  # fmt: skip


def _filed_count(url: str) -> int:
    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT COUNT(*) FROM archive.documents").fetchone()[0]
    except psycopg.Error:  # the schema is not there yet
        return 0


def _drop_scans(nodes: list[Config], staging: Path) -> list[str]:
    """100 unique forms into each node's inbox, renamed in as a copy tool finishes."""
    staging.mkdir()
    shas = []
    for i in range(SCANS):
        path = form_pdf(staging / f"扫描 {i:03d}.pdf", case_no="TS-2026-0007", serial=i)
        shas.append(sha256(path))
        inbox = nodes[i % NODES].root / "inbox"
        inbox.mkdir(exist_ok=True)
        os.replace(path, inbox / path.name)
    return shas


def _run_killing_two(nodes: list[Config], url: str) -> None:
    procs = [_ingest(node) for node in nodes]
    for victim, stop_at in ((0, 60), (1, 150)):
        deadline = time.monotonic() + 240
        while _filed_count(url) < stop_at and time.monotonic() < deadline:
            time.sleep(0.05)
        assert procs[victim].poll() is None, "the node finished before it could be killed"
        os.killpg(procs[victim].pid, signal.SIGKILL)
        procs[victim].wait()
        procs[victim] = _ingest(nodes[victim])  # restarted: recovers its work/, goes on
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, out.decode()[-3000:] + err.decode()


def test_four_nodes_two_killed_file_400_scans_once_each(pg_url, tmp_path, runner):
    storage = tmp_path / "storage"
    nodes = [_node(tmp_path / f"node{n}", storage, pg_url) for n in range(NODES)]
    shas = _drop_scans(nodes, tmp_path / "staging")
    _run_killing_two(nodes, pg_url)

    index = ArchiveIndex(tmp_path / "unused.sqlite", pg_url)
    try:
        docs = index.documents()
        assert sorted(d["item_no"] for d in docs) == list(range(1, SCANS + 1))  # no gap, no repeat
        assert {d["status"] for d in docs} == {"filed"}
        assert sorted(d["sha256"] for d in docs) == sorted(shas)  # none lost, none twice
        report = index.chain_report()
        assert report.ok and report.breaks == 0
        filed_events = [e for e in index.events() if e["kind"] == "filed"]
        assert sorted(e["archive_no"] for e in filed_events) == sorted(
            d["archive_no"] for d in docs
        )
        assert all(row["state"] == "done" for row in index.intakes())
    finally:
        index.close()
    for node in nodes:
        assert list((node.root / "inbox").iterdir()) == []
        assert [p.name for p in (node.root / "work").iterdir()] == []
    stored = [p for p in (storage / "store").rglob("*.pdf")]
    assert len(stored) == SCANS
    verify = subprocess.run(
        [sys.executable, "-m", "recordkit.cli", "archive", "verify"],
        cwd=nodes[2].root, capture_output=True, env={**os.environ, "RECORDKIT_DATABASE_URL": ""},
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout.decode() + verify.stderr.decode()
