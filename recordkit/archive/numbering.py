"""The archive number (档号) of DA/T 22-2015 and what follows from it.

``全宗号-门类代码·年度-保管期限代码-机构(问题)代码-件号``, e.g. ``Z109-WS·2026-D10-ZLB-0001``;
without 机构 ``Z109-WS·2026-D10-0001``. Levels are joined with ``-``, items of one level
with ``·`` (U+00B7). See ../shared/ARCHIVE-RULES.md.

Choices where the rules are silent (also in docs/archive-primitives.md):
- 全宗号 may be blank until the archive assigns one; the number then starts with the
  门类代码 (``WS·2026-D10-0001``) and gains the 全宗号 prefix once it is known.
- 件号 is zero-padded to 4 digits and grows to 5 only past 9999, rather than failing.
- Retention codes beyond the three national ones (``D15``, ``D50``) are accepted because
  an office may set longer periods.
- Stored file names replace ``·`` with ``_`` (see ``stored_name``).
- A provisional number (预归档, ``[archive] numbering = "arrange"``) carries ``预`` before
  its 件号 (``WS·2026-D10-预0003``; ``P`` in stored file names) and is kept as a negative
  ``item_no`` (-3), so it never meets the final, gap-free sequence; ``archive arrange``
  replaces it with the final 件号 (docs/archive.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from recordkit.errors import ArchiveError

MIDDLE_DOT = "\u00b7"
STORED_DOT = "_"
PROVISIONAL_MARK = "\u9884"  # 预: a provisional 件号, before arrangement
STORED_PROVISIONAL = "P"

_FONDS_RE = re.compile(r"^[A-Z0-9]{4}$")
_CATEGORY_RE = re.compile(r"^[A-Z]{2}$")
_RETENTION_RE = re.compile(r"^(?:Y|D([1-9][0-9]{0,2}))$")
_DEPT_RE = re.compile(r"^[A-Z0-9]{1,10}$")
_ARCHIVE_NO_RE = re.compile(
    r"^(?:(?P<fonds>[A-Z0-9]{4})-)?(?P<category>[A-Z]{2})[·_](?P<year>\d{4})"
    r"-(?P<retention>Y|D[1-9][0-9]{0,2})(?:-(?P<dept>[A-Z0-9]{1,10}))?-(?P<mark>\u9884|P)?(?P<item>\d{4,})$"
)


@dataclass(frozen=True)
class ArchiveNo:
    fonds_no: str
    category_code: str
    year: int
    retention_code: str
    dept_code: str
    item_no: int  # negative: the provisional number 预0003 (-3)

    @property
    def provisional(self) -> bool:
        return self.item_no < 0

    def __str__(self) -> str:
        return format_archive_no(
            self.fonds_no,
            self.category_code,
            self.year,
            self.retention_code,
            self.dept_code,
            self.item_no,
        )


def _check(value: str, pattern: re.Pattern[str], what: str, expected: str) -> None:
    if not pattern.match(value):
        raise ArchiveError(f"档号的{what} {value!r} 格式不对 (expected {expected})")


def check_retention(code: str) -> int | None:
    """The number of years of a retention code, None for 永久; ArchiveError if malformed."""
    m = _RETENTION_RE.match(code)
    if not m:
        raise ArchiveError(f"保管期限代码 {code!r} 格式不对 (expected Y, D30, D10 …)")
    return int(m.group(1)) if m.group(1) else None


def format_archive_no(
    fonds_no: str,
    category_code: str,
    year: int,
    retention_code: str,
    dept_code: str | None,
    item_no: int,
) -> str:
    """The 档号 string; every part is checked so that a malformed number is never filed."""
    fonds_no = (fonds_no or "").strip()
    if fonds_no:
        _check(fonds_no, _FONDS_RE, "全宗号", "4 letters or digits, e.g. Z109")
    _check(category_code, _CATEGORY_RE, "门类代码", "2 capital letters, e.g. WS")
    if not 1000 <= int(year) <= 9999:
        raise ArchiveError(f"档号的年度 {year!r} 格式不对 (expected 4 digits, e.g. 2026)")
    check_retention(retention_code)
    dept_code = (dept_code or "").strip()
    if dept_code:
        _check(dept_code, _DEPT_RE, "机构(问题)代码", "capital letters or digits, e.g. ZLB")
    if int(item_no) == 0:
        raise ArchiveError(f"档号的件号 {item_no!r} 不对 (starts at 0001)")
    levels = [f"{category_code}{MIDDLE_DOT}{int(year)}", retention_code]
    if fonds_no:
        levels.insert(0, fonds_no)
    if dept_code:
        levels.append(dept_code)
    levels.append(item_label(int(item_no)))
    return "-".join(levels)


def item_label(item_no: int) -> str:
    """件号 as printed: ``0003``, or ``预0003`` for a provisional number (-3)."""
    if item_no < 0:
        return f"{PROVISIONAL_MARK}{-item_no:04d}"
    return f"{item_no:04d}"


def parse_archive_no(text: str) -> ArchiveNo:
    """The parts of a 档号; also accepts the stored-file-name form (``_`` for ``·``)."""
    m = _ARCHIVE_NO_RE.match(text.strip())
    if not m:
        raise ArchiveError(
            f"{text!r} 不是有效的档号 (expected e.g. Z109-WS{MIDDLE_DOT}2026-D10-ZLB-0001)"
        )
    item_no = int(m["item"]) * (-1 if m["mark"] else 1)
    if item_no == 0:
        raise ArchiveError(f"{text!r} 不是有效的档号 (件号 starts at 0001)")
    return ArchiveNo(
        fonds_no=m["fonds"] or "",
        category_code=m["category"],
        year=int(m["year"]),
        retention_code=m["retention"],
        dept_code=m["dept"] or "",
        item_no=item_no,
    )


def retention_label(code: str) -> str:
    """What the 归档章 and the catalogue print: ``永久``, ``30年``, ``10年``."""
    years = check_retention(code)
    return "永久" if years is None else f"{years}年"


def disposal_due(year: int, retention_code: str) -> date | None:
    """When appraisal for disposal falls due: 1 January of year + 1, plus N years.

    None for 永久. 2026 + D10 → 2037-01-01 (ARCHIVE-RULES.md).
    """
    years = check_retention(retention_code)
    if years is None:
        return None
    return date(int(year) + 1 + years, 1, 1)


def stored_name(archive_no: str, suffix: str = ".pdf") -> str:
    """The file name an archived original is stored under.

    ``·`` is a legal character on NTFS, but it does not survive everything an office
    pushes file names through (zip tools without the UTF-8 flag, GBK/ANSI consoles,
    some backup and sync tools), so stored names are pure ASCII: ``·`` becomes ``_``,
    which never occurs in a 档号, so the name converts back unambiguously
    (``parse_archive_no`` accepts both forms).
    """
    parsed = parse_archive_no(archive_no)  # refuses anything that could escape a folder
    name = str(parsed).replace(MIDDLE_DOT, STORED_DOT)
    return name.replace(PROVISIONAL_MARK, STORED_PROVISIONAL) + suffix


def archive_no_from_stored_name(name: str) -> str:
    """The 档号 of a stored file name (inverse of ``stored_name``)."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return str(parse_archive_no(stem))


# Value domains of the metadata each document carries (DA/T 70-2018 真实性: 元数据项
# 值域符合度). Checked when the document is numbered and by ``archive check``.
SIGNED_VALUES = ("none", "valid", "invalid")
IDENTIFIED_BY_VALUES = ("qr", "filename", "text", "assign")
STATUS_VALUES = ("filing", "filed", "destroying", "destroyed")
_FORM_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def metadata_problems(doc: dict[str, object]) -> list[str]:
    """What in one document's metadata is outside its value domain (empty when all is well):
    the 档号 pattern and its agreement with 年度 / 保管期限 / 件号, the enumerations, the dates."""
    problems: list[str] = []
    try:
        parts = parse_archive_no(str(doc.get("archive_no") or ""))
        if (parts.year, parts.retention_code, parts.item_no) != (
            doc.get("year"),
            doc.get("retention"),
            doc.get("item_no"),
        ):
            problems.append(
                f"档号 {doc.get('archive_no')} 与 年度/保管期限/件号 {doc.get('year')}/{doc.get('retention')}/{doc.get('item_no')} 不一致"
            )
    except ArchiveError as exc:
        problems.append(exc.message)
    for key, label, allowed in (("signed", "数字签名", SIGNED_VALUES), ("identified_by", "识别方式", IDENTIFIED_BY_VALUES),
                                ("status", "状态", STATUS_VALUES)):  # fmt: skip
        if key in doc and doc[key] not in allowed:
            problems.append(f"{label} {doc[key]!r} 不在值域 {'|'.join(allowed)} 内")
    if not _FORM_CODE_RE.match(str(doc.get("form_code") or "")):
        problems.append(f"表单编号 {doc.get('form_code')!r} 格式不对")
    if not isinstance(doc.get("pages"), int) or int(doc["pages"]) < 1:  # type: ignore[call-overload]
        problems.append(f"页数 {doc.get('pages')!r} 不对")
    for key, label in (
        ("disposal_due", "到期鉴定日期"),
        ("numbered_at", "编号时间"),
        ("filed_at", "归档时间"),
    ):
        value = doc.get(key)
        if value not in (None, "") and not _valid_date(str(value)):
            problems.append(f"{label} {value!r} 不是有效日期")
    return problems


def _valid_date(text: str) -> bool:
    if not _ISO_DATE_RE.match(text):
        return False
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True
