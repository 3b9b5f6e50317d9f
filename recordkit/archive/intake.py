"""Ingest: one scan from the inbox to a filed, numbered, stamped and indexed document.

This module claims a file, runs the filing procedure on it and routes it; it also
recovers what a crash left in ``work/``. The procedure itself is the declared list
``steps.STEPS``::

    check_file → check_fixity → refuse_duplicate → inspect_scan → identify → classify
              → assign_number → store_original → stamp_copy → mark_filed → log_filing

An ``Outcome`` from a step routes the file to ``quarantine/``, ``duplicates/`` or
``unidentified/`` with a Chinese ``<name>.reason.txt``. Settings and the context the
steps share are in ``settings.py``.

What makes it safe to crash at any point and to run two ingesters at once:

- **Claim first.** A file is taken by renaming it into ``work/<claim id>/`` under a lock
  on that claim id. The rename is atomic, so of two ingesters exactly one gets the
  file; a crash leaves it in ``work/``, where the next start (or rescan) resumes it.
- **Nothing before ``assign_number`` changes anything**, so an unfinished claim without a
  document row is simply run again from the start.
- **``assign_number`` allocates the 件号 and inserts the document row in one transaction**
  (status ``filing``). Rows are never deleted, so no gap can appear; every step after it
  is idempotent, and recovery finishes a ``filing`` row from ``store_original`` on.
- **Routing is journalled** (intake state ``routing`` with the destination) before the
  file moves, and the move never overwrites (hard link + unlink), so a crash mid-route is
  finished on restart without losing or duplicating the file.
- The work copy is deleted only after the commit that accounts for it reached the disk.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from recordkit.archive.fixity import Digests
from recordkit.archive.identify import Identification
from recordkit.archive.images import kind_of_stored
from recordkit.archive.pdfinspect import PdfFacts
from recordkit.archive.settings import (
    DUPLICATE,
    FILED,
    META_FILE,
    QUARANTINE,
    SPLIT,
    UNIDENTIFIED,
    VERSION,
    IngestContext,
    Layout,
)
from recordkit.archive.steps import (
    REASON_NAMES,
    RESUME_FROM,
    STEPS,
    IngestResult,
    Intake,
    Outcome,
    Part,
    Step,
    log_filing,
    remove_work_dir,
    store_bundle,
    store_version,
)
from recordkit.errors import (
    ArchiveError,
    ArchiveIndexError,
    RecordkitError,
)
from recordkit.files import fsync_file, move_no_clobber, write_atomic
from recordkit.index.archive import Bundle

# --------------------------------------------------------------------------- running


def run_steps(item: Intake, ctx: IngestContext, steps: list[Step]) -> IngestResult | None:
    """Run ``steps`` in order; an Outcome routes the file. None if the steps ran out
    before the file ended anywhere (only when called with a partial list)."""
    for step in steps:
        try:
            outcome = step(item, ctx)
        except Exception as exc:
            if item.archive_no is not None or _is_environmental(exc):
                raise  # a numbered document is finished by recovery; the disk may come back
            outcome = Outcome(QUARANTINE, f"处理步骤 {REASON_NAMES.get(step, step.__name__)}", _describe(exc),
                              "文件无法处理。请检查文件; 如确认文件完好, 请把原因文件发给维护人员。")  # fmt: skip
        if outcome is not None and outcome.route == SPLIT:
            return split(item, ctx)
        if outcome is not None and outcome.route == VERSION:
            return file_version(item, outcome.archive_no or "", ctx)
        if outcome is not None:
            return route(item, outcome, ctx)
    if steps and steps[-1] is log_filing and item.archive_no:
        return _filed_result(item, ctx)
    return None


def _is_environmental(exc: BaseException) -> bool:
    """Errors of the machine (disk, permissions, database busy), not of the file."""
    return isinstance(exc, (OSError, ArchiveIndexError)) or isinstance(exc.__cause__, OSError)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, RecordkitError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"[:500]


def _filed_result(item: Intake, ctx: IngestContext) -> IngestResult:
    ident = item.identification
    doc = ctx.index.document(item.archive_no or "") or {}
    return IngestResult(
        intake_id=item.id,
        original_name=item.original_name,
        source=item.source,
        outcome=FILED,
        destination=item.original_path or doc.get("original_path", ""),
        archive_no=item.archive_no,
        case_no=ident.case_no if ident else doc.get("case_no"),
        form_code=item.form.code if item.form else doc.get("form_code"),
        resumed=item.resumed,
    )


def process(item: Intake, ctx: IngestContext) -> IngestResult:
    result = run_steps(item, ctx, STEPS)
    assert result is not None
    return result


# ----- claiming


def new_claim_id() -> str:
    """Sortable by claim time, unique across processes and machines sharing a folder."""
    return f"{datetime.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}"


@contextmanager
def claim_lock(layout: Layout, claim_id: str) -> Iterator[bool]:
    """Hold the lock of one claim; yields False if another process holds it."""
    path = layout.work / f"{claim_id}.lock"
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
        # The work dir is gone before this, so a process that still gets this lock
        # finds nothing to do; unlinking keeps work/ tidy.
        if not (layout.work / claim_id).exists():
            try:
                path.unlink()
            except OSError:
                pass


def claim(source: Path, layout: Layout, claim_id: str, source_label: str, now: str,
          assign: tuple[str, str] | None = None, original_name: str | None = None) -> Intake | None:  # fmt: skip
    """Move ``source`` into ``work/<claim_id>/``; None if another process took it first
    or the writer still holds it open (Windows). The caller holds the claim lock."""
    name = original_name or source.name
    work_dir = layout.work / claim_id
    work_dir.mkdir(parents=True)
    meta = {"id": claim_id, "original_name": name, "source": source_label, "claimed_at": now,
            "assign": list(assign) if assign else None}  # fmt: skip
    write_atomic(work_dir / META_FILE, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    target = work_dir / name
    try:
        os.rename(source, target)
    except (FileNotFoundError, PermissionError):
        remove_work_dir(work_dir)
        return None
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            remove_work_dir(work_dir)
            raise ArchiveError(f"{source}: 无法移入 work/ ({exc.strerror or exc})") from exc
        # Another filesystem (a file given on the command line): copy, then remove.
        if not _copy_in(source, target):
            remove_work_dir(work_dir)
            return None
    return Intake(claim_id, work_dir, name, source_label, now, assign=assign)


def _copy_in(source: Path, target: Path) -> bool:
    tmp = target.with_name(f".{target.name}.copying")
    try:
        shutil.copyfile(source, tmp)
        fsync_file(tmp)
        os.replace(tmp, target)
        source.unlink()
    except FileNotFoundError:
        tmp.unlink(missing_ok=True)
        return False
    return True


def ingest_file(source: Path, ctx: IngestContext, source_label: str, assign: tuple[str, str] | None = None,
                original_name: str | None = None, previous: str | None = None) -> IngestResult | None:  # fmt: skip
    """Claim one file and run the whole pipeline on it; None if it was not ours to take.

    ``previous``: the archive-relative place an earlier intake left this file
    (unidentified/…, quarantine/…); that intake is marked superseded and its reason
    file removed once the file is claimed again.
    """
    claim_id = new_claim_id()
    with claim_lock(ctx.layout, claim_id) as locked:
        if not locked:  # pragma: no cover - a fresh random id
            return None
        item = claim(
            source, ctx.layout, claim_id, source_label, ctx.timestamp(), assign, original_name
        )
        if item is None:
            return None
        if previous is not None:
            ctx.index.start_intake(item.ref())
            ctx.index.supersede(previous, item.id)
            reason_path(ctx.layout.abs(previous)).unlink(missing_ok=True)
        return process(item, ctx)


# ----- print bundles


def split(item: Intake, ctx: IngestContext) -> IngestResult:
    """Split a print bundle: store it once, claim each form as a part, end the bundle's
    intake, then file the parts.

    Crash-safe like a single file: a part claim appears in work/ in one rename and is
    never made twice (not if its claim folder or its intake row exists), and the bundle
    leaves work/ only after the commit that records every part; a part left in work/ is
    an ordinary claim that recovery finishes."""
    assert item.digests is not None and item.facts is not None
    bundle_path = store_bundle(item, ctx)
    derived = {
        "sha256": item.digests.sha256,
        "path": bundle_path,
        "original_name": item.original_name,
    }
    part_dirs = [_claim_part(item, n, part, derived, ctx) for n, part in enumerate(item.parts, 1)]
    parts = [{"form_code": p.payload.form_code, "pages": p.pages, "intake_id": d.name}
             for p, d in zip(item.parts, part_dirs, strict=True)]  # fmt: skip
    bundle = Bundle(
        item.digests.sha256,
        item.digests.sm3,
        item.digests.size,
        item.facts.pages or 0,
        bundle_path,
        parts,
    )
    detail = {"original_name": item.original_name, "source": item.source, "destination": bundle_path,
              "sha256": item.digests.sha256, "sm3": item.digests.sm3, "parts": parts}  # fmt: skip
    ctx.index.record_bundle(item.ref(), bundle, ctx.timestamp(), detail)
    remove_work_dir(item.work_dir)
    results = [r for d in part_dirs if (r := _file_part(d, ctx)) is not None]
    return _bundle_result(item, bundle_path, results)


def _claim_part(
    item: Intake, n: int, part: Part, derived: dict[str, Any], ctx: IngestContext
) -> Path:
    """``work/<bundle id>-pNNN/``: the part's pages as a PDF and its claim record, built
    inside the bundle's claim and moved into work/ in one rename."""
    part_id = f"{item.id}-p{n:03d}"
    target = ctx.layout.work / part_id
    if target.exists() or ctx.index.intake(part_id) is not None:
        return target  # made before a crash (and maybe filed since)
    staging = item.work_dir / ".derived" / f"part-{n:03d}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    stem = Path(item.original_name).stem or "bundle"
    name = f"{stem}_{n:02d}_{part.payload.form_code}.pdf"
    write_atomic(staging / name, extract_pages(item.pdf_path, part.first, part.last))
    meta = {"id": part_id, "original_name": name, "source": f"{item.source} (第 {part.pages} 页)",
            "claimed_at": ctx.timestamp(), "assign": None, "derived_from": {**derived, "pages": part.pages}}  # fmt: skip
    write_atomic(staging / META_FILE, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    os.rename(staging, target)
    return target


def extract_pages(source: Path, first: int, last: int) -> bytes:
    """Pages ``first``..``last`` of a PDF as a new PDF; the page objects (and the scanned
    images in them) are copied as they are."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    reader = PdfReader(str(source), strict=False)
    for index in range(first, last + 1):
        writer.add_page(reader.pages[index])
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _file_part(part_dir: Path, ctx: IngestContext) -> IngestResult | None:
    with claim_lock(ctx.layout, part_dir.name) as locked:
        if not locked or not part_dir.exists():
            return None  # another process files it
        return resume(part_dir, ctx, fresh=True)


def _bundle_result(item: Intake, bundle_path: str, parts: list[IngestResult]) -> IngestResult:
    """The bundle's line in the report: filed when every part was, with the parts."""
    first_problem = next((r for r in parts if r.outcome != FILED), None)
    listing = "; ".join(
        f"{r.form_code} → {r.archive_no or r.destination} ({r.label})" for r in parts
    )
    return IngestResult(
        intake_id=item.id,
        original_name=item.original_name,
        source=item.source,
        outcome=first_problem.outcome if first_problem else FILED,
        destination=bundle_path,
        archive_no=", ".join(r.archive_no for r in parts if r.outcome == FILED and r.archive_no)
        or None,
        case_no=item.identification.case_no if item.identification else None,
        form_code="+".join(p.payload.form_code for p in item.parts),
        check="完整性 — 合订本拆分",
        reason=f"打印合订本拆分为 {len(item.parts)} 件: {listing}",
        resumed=item.resumed,
        parts=[r.to_dict() for r in parts],
    )


# ----- new versions


def file_version(item: Intake, archive_no: str, ctx: IngestContext) -> IngestResult:
    """File a later scan of a form as a new version of its document (same 档号, no new
    件号). A crash before the commit re-runs it: the stored file of the same bytes is
    found in place."""
    row = store_version(item, ctx, archive_no)
    detail = {"intake_id": item.id, "original_name": item.original_name, "source": item.source,
              "version": row["version"], "sha256": row["sha256"], "sm3": row["sm3"],
              "original_path": row["original_path"], "access_path": row["access_path"]}  # fmt: skip
    ctx.index.record_version(item.ref(), row, ctx.timestamp(), detail)
    remove_work_dir(item.work_dir)
    ident = item.identification
    return IngestResult(intake_id=item.id, original_name=item.original_name, source=item.source, outcome=FILED,
                        destination=row["original_path"], archive_no=archive_no,
                        case_no=ident.case_no if ident else None, form_code=item.form.code if item.form else None,
                        check="完整性 — 同一表单再次扫描", reason=f"作为 {archive_no} 的第 {row['version']} 版归档",
                        resumed=item.resumed)  # fmt: skip


# ----- symlinks


def refuse_symlink(source: Path, ctx: IngestContext, source_label: str) -> IngestResult | None:
    """Move a symlink found in the inbox (the link, never what it points to) to
    quarantine/ with a reason file; None if another process moved it first.

    Following it would archive a file from anywhere on the machine, and moving it
    would take the target away from its owner."""
    target = os.readlink(source) if source.is_symlink() else "?"
    item = Intake("", source.parent, source.name, source_label, ctx.timestamp())
    outcome = Outcome(QUARANTINE, "安全性 — 符号链接", f"是符号链接 (指向 {target}), 不接收",
                      "请把实际的 PDF 文件 (不是快捷方式或链接) 放入 inbox/。")  # fmt: skip
    folder = ctx.layout.folder(QUARANTINE)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        dest = folder / numbered_name(safe_name(source.name), n)
        if os.path.lexists(dest) or reason_path(dest).exists():
            continue
        try:
            os.link(source, dest, follow_symlinks=False)  # the link itself; never replaces
        except FileExistsError:
            continue
        except FileNotFoundError:
            return None
        source.unlink()
        break
    else:  # pragma: no cover - ten thousand links of one name
        raise ArchiveError(f"{folder}: 同名文件过多, 无法放入 {source.name}")
    write_atomic(reason_path(dest), _reason_text(item, dest, outcome, ctx).encode("utf-8"))
    detail = {"original_name": source.name, "source": source_label, "destination": ctx.layout.rel(dest),
              "check": outcome.check, "reason": outcome.reason}  # fmt: skip
    ctx.index.append_event(ctx.timestamp(), "quarantined", None, None, detail)
    return IngestResult(intake_id="", original_name=source.name, source=source_label, outcome=QUARANTINE,
                        destination=ctx.layout.rel(dest), check=outcome.check, reason=outcome.reason)  # fmt: skip


# ----- routing


def route(item: Intake, outcome: Outcome, ctx: IngestContext) -> IngestResult:
    """Move the file to quarantine/, duplicates/ or unidentified/ with its reason file."""
    folder = ctx.layout.folder(outcome.route)
    folder.mkdir(parents=True, exist_ok=True)
    digests = (item.digests.size, item.digests.sha256, item.digests.sm3) if item.digests else None
    checks = [c.row() for c in item.checks]
    for n in range(1, 10_000):
        dest = folder / numbered_name(safe_name(item.original_name), n)
        if dest.exists() or reason_path(dest).exists():
            continue
        ctx.index.begin_route(item.ref(), outcome=outcome.route, destination=ctx.layout.rel(dest),
                              check_name=outcome.check, reason=f"{outcome.reason}\n{outcome.advice}",
                              archive_no=outcome.archive_no, digests=digests, checks=checks)  # fmt: skip
        try:
            move_no_clobber(item.work_path, dest)
        except FileExistsError:
            continue  # another process took this name a moment ago
        break
    else:  # pragma: no cover - ten thousand files of one name
        raise ArchiveError(f"{folder}: 同名文件过多, 无法放入 {item.original_name}")
    return _finish_route(item, dest, outcome, ctx)


def _finish_route(item: Intake, dest: Path, outcome: Outcome, ctx: IngestContext) -> IngestResult:
    write_atomic(reason_path(dest), _reason_text(item, dest, outcome, ctx).encode("utf-8"))
    duplicate_of = outcome.archive_no
    ident = item.identification
    detail = {"original_name": item.original_name, "source": item.source, "destination": ctx.layout.rel(dest),
              "check": outcome.check, "reason": outcome.reason,
              "sha256": item.digests.sha256 if item.digests else None, "duplicate_of": duplicate_of}  # fmt: skip
    kind = {QUARANTINE: "quarantined", DUPLICATE: "duplicate", UNIDENTIFIED: "unidentified"}[
        outcome.route
    ]
    ctx.index.finish_route(item.id, ctx.timestamp(), (kind, duplicate_of, detail))
    remove_work_dir(item.work_dir)
    return IngestResult(
        intake_id=item.id,
        original_name=item.original_name,
        source=item.source,
        outcome=outcome.route,
        destination=ctx.layout.rel(dest),
        archive_no=duplicate_of,
        case_no=ident.case_no if ident else None,
        form_code=ident.form_code if ident else None,
        check=outcome.check,
        reason=outcome.reason,
        resumed=item.resumed,
    )


def reason_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".reason.txt")


def _reason_text(item: Intake, dest: Path, outcome: Outcome, ctx: IngestContext) -> str:
    label = {
        QUARANTINE: "隔离 (quarantine)",
        DUPLICATE: "重复件 (duplicate)",
        UNIDENTIFIED: "待识别 (unidentified)",
    }
    lines = [
        f"文件 (file): {item.original_name}",
        f"来源 (from): {item.source}",
        f"时间 (time): {ctx.timestamp()}",
        f"结果 (outcome): {label[outcome.route]} → {ctx.layout.rel(dest)}",
        f"检查项 (check): {outcome.check}",
        f"原因 (why): {outcome.reason}",
        f"处理办法 (what to do): {outcome.advice.replace('<文件>', _quoted(_from_root(dest, ctx)))}",
    ]
    if item.digests:
        lines += [f"SHA-256: {item.digests.sha256}", f"SM3: {item.digests.sm3}"]
    return "\n".join(lines) + "\n"


def _from_root(path: Path, ctx: IngestContext) -> str:
    """A path as typed in the working folder (where recordkit commands run)."""
    try:
        return Path(path).relative_to(ctx.config.root).as_posix()
    except ValueError:
        return str(path)


def _quoted(text: str) -> str:
    return f'"{text}"' if any(ch.isspace() for ch in text) else text


_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f\\/:*?\"<>|]")
MAX_NAME_BYTES = 180  # leaves room for " (n)" and ".reason.txt" under the 255-byte limit


def safe_name(name: str) -> str:
    """A file name that is safe in any folder: no separators, not hidden, not too long."""
    base = _BAD_NAME_CHARS.sub("_", Path(name).name).strip().lstrip(".") or "file.pdf"
    stem, dot, suffix = base.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = base, ""
    suffix = f".{suffix}" if suffix else ""
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem or "file") + suffix


def numbered_name(name: str, n: int) -> str:
    if n == 1:
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem} ({n}).{suffix}" if dot else f"{name} ({n})"


# --------------------------------------------------------------------------- recovery


def recover(ctx: IngestContext) -> list[IngestResult]:
    """Finish or re-run every claim left in work/ by a stopped or crashed ingester.

    Claims another live process holds are skipped (their lock is taken).
    """
    results = []
    work = ctx.layout.work
    if not work.is_dir():
        return results
    for entry in sorted(work.iterdir()):
        if not entry.is_dir():
            continue
        with claim_lock(ctx.layout, entry.name) as locked:
            if not locked or not entry.exists():
                continue
            result = resume(entry, ctx)
        if result is not None:
            results.append(result)
    return results


def resume(work_dir: Path, ctx: IngestContext, fresh: bool = False) -> IngestResult | None:
    """Continue one claim from where it stopped. The caller holds its lock.

    ``fresh``: a part of a print bundle just claimed (not a crash being recovered)."""
    item = _intake_from_work_dir(work_dir)
    if item is None:
        if not _input_candidates(work_dir):
            remove_work_dir(work_dir)  # stopped before the rename: the input is still where it was
        return None  # otherwise left for a person: never delete what might be an input
    item.resumed = not fresh
    journal = ctx.index.intake(item.id)
    if journal and journal["state"] == "done":
        remove_work_dir(work_dir)
        return None
    if journal and journal["state"] == "routing":
        return _resume_route(item, journal, ctx)
    doc = ctx.index.document_for_intake(item.id)
    if doc is not None:
        _fill_from_document(item, doc)
        result = run_steps(item, ctx, STEPS[RESUME_FROM[doc["status"]] :])
        assert result is not None
        return result
    if not item.work_path.exists():
        remove_work_dir(work_dir)
        return None
    return process(item, ctx)


def _intake_from_work_dir(work_dir: Path) -> Intake | None:
    try:
        meta = json.loads((work_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = None
    files = _input_candidates(work_dir)
    if meta is None:
        if len(files) != 1:
            return None
        meta = {"original_name": files[0].name, "source": f"work/{work_dir.name}", "claimed_at": ""}
    assign = meta.get("assign")
    return Intake(
        id=work_dir.name,
        work_dir=work_dir,
        original_name=meta["original_name"],
        source=meta.get("source", ""),
        claimed_at=meta.get("claimed_at", ""),
        assign=(assign[0], assign[1]) if assign else None,
        derived_from=meta.get("derived_from"),
    )


def _input_candidates(work_dir: Path) -> list[Path]:
    """Files in a claim that may be the input: not the claim record, and not the scratch
    files of an interrupted write (``.<name>.<random>.tmp``, ``.<name>.copying``)."""
    return [
        p
        for p in work_dir.iterdir()
        if p.name != META_FILE
        and not p.name.startswith(".")
        and not p.name.endswith((".tmp", ".copying"))
    ]


def _fill_from_document(item: Intake, doc: dict[str, Any]) -> None:
    item.digests = Digests(sha256=doc["sha256"], sm3=doc["sm3"], size=doc["size"])
    item.archive_no = doc["archive_no"]
    item.item_no = doc["item_no"]
    item.year, item.retention = doc["year"], doc["retention"]
    item.original_path, item.access_path = doc["original_path"], doc["access_path"]
    item.kind = kind_of_stored(doc["original_path"])
    item.identification = Identification(doc["case_no"], doc["form_code"], doc["form_version"],
                                          doc["identified_by"], "恢复 (resumed)")  # fmt: skip
    facts = PdfFacts(pages=doc["pages"], version=doc["pdf_version"] or "")
    item.facts = facts
    item.signed = doc["signed"]


def _resume_route(item: Intake, journal: dict[str, Any], ctx: IngestContext) -> IngestResult:
    reason, _, advice = (journal["reason"] or "").partition("\n")
    outcome = Outcome(
        journal["outcome"], journal["check_name"] or "", reason, advice, journal["archive_no"]
    )
    if journal["sha256"]:
        item.digests = Digests(
            sha256=journal["sha256"], sm3=journal["sm3"] or "", size=journal["size"] or 0
        )
    dest = ctx.layout.abs(journal["destination"])
    if item.work_path.exists():
        if dest.exists() and os.path.samefile(item.work_path, dest):
            item.work_path.unlink()  # stopped between the hard link and the unlink
        else:
            return route(item, outcome, ctx)  # the move had not happened: route again
    return _finish_route(item, dest, outcome, ctx)
