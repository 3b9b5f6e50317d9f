"""Export a year of the archive as a BagIt bag (RFC 8493), and validate such a bag.

A bag is a folder an auditor or another archive can check without recordkit::

    bagit.txt                     BagIt-Version 1.0, UTF-8
    bag-info.txt                  organisation, 全宗号, 年度, dates, counts, chain head
    manifest-sha256.txt           SHA-256 of every payload file
    tagmanifest-sha256.txt        SHA-256 of the three tag files above
    data/originals/<年度>/<保管期限>/<档号>.pdf    the originals, byte for byte
    data/metadata/documents.csv|json              index rows (SM3 too), 四性检测 in checks.csv
    data/metadata/events.jsonl                    the whole hash-chained event log
    data/metadata/holds.json, disposals.json      holds and disposal batches of these records
    data/归档文件目录-<年度>.pdf|.xlsx            the catalogue, A4 landscape, with covers

Originals are hashed (SHA-256 and SM3) while they are copied and compared with the
index, so a bag never carries a silently changed file. The bag is built in a hidden
sibling folder and renamed into place, so a half-written bag never looks complete.
Validation uses the Library of Congress ``bagit`` library (the reference
implementation), then checks what BagIt cannot: SM3 of each original against
documents.json and the event chain in events.jsonl.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recordkit import __version__
from recordkit.archive.catalogue_list import (
    CATALOGUE_HEADERS,
    CATALOGUE_WIDTHS_MM,
    DocumentFacts,
    catalogue_sections,
    day8,
    describe_document,
    write_catalogue_pdf,
    write_sheets_xlsx,
)
from recordkit.archive.fixity import copy_with_digests, file_digests
from recordkit.archive.numbering import MIDDLE_DOT, retention_label
from recordkit.cases.spreadsheet import csv_safe
from recordkit.clock.setup import open_library
from recordkit.errors import ArchiveError, RecordkitError
from recordkit.index.archive import GENESIS_HASH, Filters, link_problem

if TYPE_CHECKING:
    from recordkit.archive.service import Archive

DOC_COLUMNS = ["archive_no", "title", "case_no", "form_code", "form_version", "year", "retention", "retention_label",
               "fonds_no", "category_code", "dept_code", "item_no", "pages", "size", "sha256", "sm3", "pdf_version",
               "signed", "disposal_due", "status", "identified_by", "original_name", "numbered_at", "filed_at",
               "bag_path"]  # fmt: skip


@dataclass
class ExportReport:
    path: str  # the bag folder, or the .zip
    year: int
    cases: list[str]
    documents: int = 0
    originals: int = 0
    destroyed: int = 0
    payload_bytes: int = 0
    payload_files: int = 0
    chain_head: str = ""  # "<id> <hash>" of the last event in the bag: the anchor to keep apart

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def export(archive: Archive, to: Path, year: int, cases: list[str] | None = None, as_zip: bool = False,
           by: str | None = None) -> ExportReport:  # fmt: skip
    """An audit package of a 年度 (or some of its cases); ``by`` goes into the event."""
    cases = list(dict.fromkeys(cases or []))
    target = Path(to)
    final = (
        target
        if not as_zip or target.suffix.lower() == ".zip"
        else target.with_name(target.name + ".zip")
    )
    try:
        occupied = final.exists() and (not final.is_dir() or any(final.iterdir()))
    except OSError as exc:
        raise _unwritable(final, exc) from exc
    if occupied:
        raise ArchiveError(f"{final}: 已存在且不为空, 请换一个位置 (target exists)")
    if final.resolve().is_relative_to(archive.layout.root.resolve()):
        raise ArchiveError(f"{final}: 在档案库文件夹之内, 请导出到档案库以外的位置")
    docs = archive.index.documents(Filters(year=year))
    if cases:
        known = {d["case_no"] for d in docs}
        unknown = [c for c in cases if c not in known]
        if unknown:
            raise ArchiveError(
                f"{year} 年度的档案中没有案件 {'、'.join(unknown)} (no records of these cases)"
            )
        docs = [d for d in docs if d["case_no"] in cases]
    docs = [d for d in docs if d["status"] != "filing"]
    if not docs:
        raise ArchiveError(f"没有 {year} 年度的档案可以导出 (no records for {year})")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{final.stem}.", suffix=".partial", dir=final.parent))
    except OSError as exc:
        raise _unwritable(final, exc) from exc
    try:
        report = ExportReport(str(final), year, cases)
        _build(archive, work, docs, report)
        if as_zip:
            _zip(work, final, final.stem)
        else:
            if final.exists():
                final.rmdir()
            os.replace(work, final)
    except OSError as exc:
        raise _unwritable(final, exc) from exc
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    archive.index.append_event_if_writable(archive.timestamp(), "exported", None, None,
                                           {"year": year, "cases": cases, "documents": report.documents,
                                            "originals": report.originals, "path": str(final),
                                            **({"by": by} if by else {})})  # fmt: skip
    return report


def _unwritable(target: Path, exc: OSError) -> ArchiveError:
    """An export target that cannot be written (a file in the way, no permission, a
    full or read-only disk): said in Chinese, never a traceback."""
    return ArchiveError(
        f"{target}: 无法写入导出目标, 请换一个可写的位置 ({exc.strerror or exc}) (cannot write the export)"
    )


def _build(archive: Archive, bag: Path, docs: list[dict[str, Any]], report: ExportReport) -> None:
    data = bag / "data"
    titles = archive.form_titles()
    destroyed = archive.index.destroyed_on()
    facts = document_facts(archive, docs)
    rows = _document_rows(archive, data, docs, facts, report)
    report.documents = len(rows)
    events = _write_metadata(archive, data / "metadata", docs, rows)
    org = archive.config.organization
    sections = catalogue_sections(docs, org.name, titles, destroyed, facts)
    year = report.year
    write_catalogue_pdf(data / f"归档文件目录-{year}.pdf", sections, org.name)
    write_sheets_xlsx(
        data / f"归档文件目录-{year}.xlsx",
        "归档文件目录",
        CATALOGUE_HEADERS,
        CATALOGUE_WIDTHS_MM,
        sections,
    )
    write_bag_files(bag, _bag_info(archive, docs, events, report), report)


def document_facts(archive: Archive, docs: list[dict[str, Any]]) -> dict[str, DocumentFacts]:
    """责任者, 题名 and 日期 of each document (by 档号), read from its case or record file."""
    catalog = archive.catalog()
    forms = catalog.forms if catalog else {}
    library = open_library(archive.config)
    cases: dict[str, tuple[dict[str, Any], str] | None] = {}
    for case_no in {doc["case_no"] for doc in docs}:
        try:
            case = library.get(case_no)
            cases[case_no] = (case.data, case.rtype.date_field)
        except RecordkitError:  # removed or unreadable: the catalogue falls back to the index
            cases[case_no] = None
    org = archive.config.organization.name
    facts = {}
    for doc in docs:
        data, date_field = cases[doc["case_no"]] or (None, "received_at")
        facts[doc["archive_no"]] = describe_document(
            doc, data, forms.get(doc["form_code"]), org, date_field
        )
    return facts


def _document_rows(archive: Archive, data: Path, docs: list[dict[str, Any]], facts: dict[str, DocumentFacts],
                   report: ExportReport) -> list[dict[str, Any]]:  # fmt: skip
    """One metadata row per document; originals still held are copied into the bag."""
    rows = []
    for doc in docs:
        bag_path = None
        if doc["status"] == "filed":
            rel = Path("originals") / Path(doc["original_path"]).relative_to("store")
            _copy_checked(archive.layout.abs(doc["original_path"]), data / rel, doc)
            bag_path = f"data/{rel.as_posix()}"
            report.originals += 1
        else:
            report.destroyed += 1
        checks = archive.index.checks(doc["intake_id"])
        rows.append({**{k: doc.get(k) for k in DOC_COLUMNS}, "title": facts[doc["archive_no"]].title,
                     "retention_label": retention_label(doc["retention"]), "bag_path": bag_path,
                     "signatures": json.loads(doc["signatures"]),
                     "checks": [c.__dict__ for c in checks]})  # fmt: skip
    return rows


def _write_metadata(archive: Archive, meta: Path, docs: list[dict[str, Any]],
                    rows: list[dict[str, Any]]) -> list[dict[str, Any]]:  # fmt: skip
    """data/metadata/: documents, checks, events, holds and disposals; returns the events."""
    meta.mkdir(parents=True, exist_ok=True)
    _write_json(meta / "documents.json", rows)
    _write_csv(meta / "documents.csv", DOC_COLUMNS, [[r[c] for c in DOC_COLUMNS] for r in rows])
    _write_csv(meta / "checks.csv", ["archive_no", "category", "name", "result", "detail"],
               [[r["archive_no"], c["category"], c["name"], c["result"], c["detail"]] for r in rows for c in r["checks"]])  # fmt: skip
    events = [{**e, "detail": json.loads(e["detail"])} for e in archive.index.events()]
    (meta / "events.jsonl").write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
    )
    numbers = {d["archive_no"] for d in docs}
    holds = [h for h in archive.index.holds(active_only=False) if _hold_touches(h, docs)]
    disposals = [{**d, "items": [i["archive_no"] for i in archive.index.disposal_items(d["id"]) if i["archive_no"] in numbers]}
                 for d in archive.index.disposals()]  # fmt: skip
    _write_json(meta / "holds.json", holds)
    _write_json(meta / "disposals.json", [d for d in disposals if d["items"]])
    return events


def _bag_info(archive: Archive, docs: list[dict[str, Any]], events: list[dict[str, Any]],
              report: ExportReport) -> list[tuple[str, str]]:  # fmt: skip
    """The bag-info.txt fields."""
    org = archive.config.organization
    year = report.year
    head = events[-1] if events else None
    filed_days = sorted(day8(d["filed_at"] or d["numbered_at"]) for d in docs)
    info = [
        ("Source-Organization", org.name),
        ("External-Identifier", f"{org.fonds_no + '-' if org.fonds_no else ''}{org.category_code}{MIDDLE_DOT}{year}"),
        ("External-Description", f"{org.name} {year} 年度归档文件 {len(docs)} 件"
                                 + (f" (案件 {'、'.join(report.cases)})" if report.cases else "")),
        ("Bagging-Date", archive.now().date().isoformat()),
        ("Bag-Software-Agent", f"recordkit {__version__}"),
        ("Fonds-Number", org.fonds_no),
        ("Fonds-Name", org.name),
        ("Archive-Year", str(year)),
        ("Retention-Periods", ", ".join(sorted({retention_label(d["retention"]) for d in docs}))),
        ("Date-Range", f"{filed_days[0]}-{filed_days[-1]}"),
        ("Document-Count", str(len(docs))),
        ("Original-Count", str(report.originals)),
        ("Destroyed-Count", str(report.destroyed)),
        ("Event-Count", str(len(events))),
        ("Event-Chain-Head", f"{head['id']} {head['hash']}" if head else f"0 {GENESIS_HASH}"),
    ]  # fmt: skip
    if report.cases:
        info.append(("Cases", ", ".join(report.cases)))
    return info


def _hold_touches(hold: dict[str, Any], docs: list[dict[str, Any]]) -> bool:
    key = {"document": "archive_no", "case": "case_no", "year": "year"}[hold["scope"]]
    return any(str(d[key]) == hold["target"] for d in docs)


def _copy_checked(source: Path, dest: Path, doc: dict[str, Any]) -> None:
    """Copy an original, hashing it on the way; refuse a file that differs from the index."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        digests = copy_with_digests(source, dest)
    except FileNotFoundError:
        raise ArchiveError(f"{doc['archive_no']}: 原件缺失 ({doc['original_path']}), 未导出; "
                           "请先运行 recordkit archive verify") from None  # fmt: skip
    except OSError as exc:
        raise ArchiveError(f"{doc['archive_no']}: 无法复制原件 ({exc.strerror or exc})") from exc
    if (digests.size, digests.sha256, digests.sm3) != (doc["size"], doc["sha256"], doc["sm3"]):
        raise ArchiveError(f"{doc['archive_no']}: 原件与索引中的校验值不符 ({doc['original_path']}), 未导出; "
                           "请先运行 recordkit archive verify")  # fmt: skip


def _write_json(path: Path, value: Any) -> None:
    path.write_text(
        json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )


def _write_csv(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(
        ["" if v is None else csv_safe(v) if isinstance(v, str) else v for v in row] for row in rows
    )
    path.write_text(
        buffer.getvalue(), encoding="utf-8-sig", newline=""
    )  # the BOM tells Excel it is UTF-8


# --------------------------------------------------------------------------- BagIt files


def manifest_path(rel: str) -> str:
    """A path as a manifest line writes it (RFC 8493 §2.1.3: %, CR and LF encoded)."""
    return rel.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def write_bag_files(bag: Path, info: list[tuple[str, str]], report: ExportReport) -> None:
    """bagit.txt, bag-info.txt (with Payload-Oxum and Bag-Size), the payload manifest
    and the tag manifest, for the payload already under ``data/``."""
    report.chain_head = dict(info).get("Event-Chain-Head", "")
    lines = []
    total = count = 0
    for path in sorted(p for p in (bag / "data").rglob("*") if p.is_file()):
        rel = path.relative_to(bag).as_posix()
        lines.append(f"{file_digests(path).sha256}  {manifest_path(rel)}\n")
        total += path.stat().st_size
        count += 1
    report.payload_bytes, report.payload_files = total, count
    (bag / "bagit.txt").write_text(
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8"
    )
    info = info + [("Payload-Oxum", f"{total}.{count}"), ("Bag-Size", _size_text(total))]
    (bag / "bag-info.txt").write_text(
        "".join(f"{k}: {_one_line(v)}\n" for k, v in info), encoding="utf-8"
    )
    (bag / "manifest-sha256.txt").write_text("".join(lines), encoding="utf-8")
    tags = [
        f"{file_digests(bag / name).sha256}  {name}\n"
        for name in ("bag-info.txt", "bagit.txt", "manifest-sha256.txt")
    ]
    (bag / "tagmanifest-sha256.txt").write_text("".join(tags), encoding="utf-8")


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def _size_text(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)  # pragma: no cover


def _zip(folder: Path, dest: Path, name: str) -> None:
    """The bag as one .zip whose top folder is the bag (how bags are usually sent)."""
    tmp = dest.with_name(f".{dest.name}.partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{name}/{path.relative_to(folder).as_posix()}")
    os.replace(tmp, dest)


# --------------------------------------------------------------------------- validate


@dataclass
class BagReport:
    path: str
    problems: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    files: int = 0
    originals: int = 0
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "path": self.path, "problems": self.problems, "info": self.info, "files": self.files,
                "originals": self.originals, "events": self.events}  # fmt: skip


def verify_export(path: Path) -> BagReport:
    """Validate a bag folder or .zip: BagIt (with the bagit library), SM3 of the
    originals against documents.json, and the event chain."""
    path = Path(path)
    if not path.exists():
        raise ArchiveError(f"{path}: 不存在 (no such bag)")
    if path.is_file():
        with tempfile.TemporaryDirectory(prefix="recordkit-bag-") as tmp:
            root = _unzip(path, Path(tmp))
            report = _validate(root)
            report.path = str(path)
            return report
    return _validate(path)


def _unzip(path: Path, into: Path) -> Path:
    try:
        with zipfile.ZipFile(path) as zf:
            for member in zf.namelist():
                target = (into / member).resolve()
                if not target.is_relative_to(into.resolve()):
                    raise ArchiveError(f"{path}: 压缩包中有指向外部的路径 {member!r}, 拒绝解压")
            zf.extractall(into)
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"{path}: 不是有效的 zip 文件 ({exc})") from None
    tops = [p for p in into.iterdir()]
    return (
        tops[0]
        if len(tops) == 1 and tops[0].is_dir() and not (into / "bagit.txt").exists()
        else into
    )


def _validate(root: Path) -> BagReport:
    import logging

    import bagit

    report = BagReport(str(root))
    logging.getLogger("bagit").setLevel(logging.ERROR)
    try:
        bag = bagit.Bag(str(root))
        report.info = dict(bag.info)
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        report.problems += [_detail_text(d) for d in exc.details] or [
            f"BagIt 校验失败: {exc.message}"
        ]
        if not exc.details:
            report.problems += _every_problem(bag)
    except bagit.BagError as exc:
        report.problems.append(f"不是有效的 BagIt 包 (not a valid bag): {exc}")
        return report
    report.files = (
        sum(1 for p in (root / "data").rglob("*") if p.is_file()) if (root / "data").is_dir() else 0
    )
    _check_originals(root, report)
    _check_events(root, report)
    return report


def _every_problem(bag: Any) -> list[str]:
    """The library stops at the first failed stage (a wrong Payload-Oxum hides which
    file is extra or changed); its completeness and checksum stages name the files."""
    import bagit

    problems = []
    for stage in ("_validate_completeness", "_validate_entries"):
        try:
            getattr(bag, stage)(*([1] if stage == "_validate_entries" else []))
        except bagit.BagValidationError as exc:
            problems += [_detail_text(d) for d in exc.details]
        except (AttributeError, TypeError):  # pragma: no cover - a bagit without these stages
            break
    return problems


def _detail_text(detail: Any) -> str:
    import bagit

    if isinstance(detail, bagit.ChecksumMismatch):
        return f"{detail.path}: 内容已改变 ({detail.algorithm} 应为 {detail.expected}, 实为 {detail.found})"
    if isinstance(detail, bagit.FileMissing):
        return f"{detail.path}: 文件缺失 (listed in the manifest, not in the bag)"
    if isinstance(detail, bagit.UnexpectedFile):
        return f"{detail.path}: 清单中没有的文件 (not in the manifest)"
    return str(detail)


def _check_originals(root: Path, report: BagReport) -> None:
    docs_file = root / "data" / "metadata" / "documents.json"
    try:
        docs = json.loads(docs_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report.problems.append(f"{docs_file.relative_to(root)}: 无法读取档案元数据 ({exc})")
        return
    for doc in docs:
        rel = doc.get("bag_path")
        if not rel:
            continue
        path = root / rel
        if not path.is_file():
            report.problems.append(f"{rel}: {doc.get('archive_no')} 的原件缺失")
            continue
        report.originals += 1
        digests = file_digests(path)
        for name in ("sha256", "sm3"):
            if getattr(digests, name) != doc.get(name):
                report.problems.append(
                    f"{rel}: {doc.get('archive_no')} 的 {name.upper()} 与档案元数据不符"
                )


def _check_events(root: Path, report: BagReport) -> None:
    events_file = root / "data" / "metadata" / "events.jsonl"
    try:
        lines = events_file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        report.problems.append(
            f"{events_file.relative_to(root)}: 无法读取事件日志 ({exc.strerror or exc})"
        )
        return
    prev_hash, prev_id = GENESIS_HASH, 0
    for number, line in enumerate(lines, 1):
        try:
            event = json.loads(line)
            row = {**event, "detail": json.dumps(event["detail"], ensure_ascii=False)}
            problem = link_problem(row, prev_hash, prev_id)
        except (ValueError, KeyError, TypeError):
            problem = f"第 {number} 行不是有效的事件"
            event = {"id": prev_id, "hash": prev_hash}
        if problem:
            report.problems.append(f"data/metadata/events.jsonl: {problem}")
            return
        prev_hash, prev_id = event["hash"], event["id"]
        report.events += 1
    head = str(report.info.get("Event-Chain-Head", "")).split()
    if head and head != [str(prev_id), prev_hash]:
        report.problems.append(f"data/metadata/events.jsonl: 事件日志的链头 #{prev_id} 与 bag-info.txt 记录的 "
                               f"{' '.join(head)} 不符 (events removed from the end?)")  # fmt: skip
