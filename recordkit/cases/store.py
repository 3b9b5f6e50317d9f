"""Case files: load, validate against the contract, number, store and find.

A case is kept as the mapping read from its file, so keys recordkit does not know are
written back unchanged (round-tripped). Validation reports every problem of a file at
once, each naming the file, the key path and the Chinese label.
"""

from __future__ import annotations

import copy
import glob
import hashlib
import json
import os
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock, Timeout

from recordkit.cases import schema
from recordkit.cases.impartiality import respondent_problems
from recordkit.cases.values import MISSING, get_path, is_blank, set_path
from recordkit.config import Config
from recordkit.dates import canonical, format_value, parse_date, parse_datetime
from recordkit.errors import (
    CaseFileError,
    CaseNotFoundError,
    CaseValidationError,
    FieldProblem,
    LockedError,
    RecordkitError,
)
from recordkit.files import check_case_no, write_atomic
from recordkit.index.casecache import CaseCache

# Like git's "racily clean" rule: a file modified this recently may change again within
# the filesystem's timestamp granularity without its mtime moving, so it is not cached.
RACY_NS = 2_000_000_000
# Fields where a bare YAML number already lost leading zeros: demand quotes instead.
_TEXT_ONLY = schema.CASE.text_only

CASE_SUFFIXES = (".yaml", ".yml", ".json")


# What changes when a file is written: (mtime_ns, size, inode) — the inode for a file
# replaced by an atomic write, the time and size for one edited in place.
FileStamp = tuple[int, int, int]


def file_stamps(root: Path) -> dict[str, FileStamp]:
    """The case files under ``root`` (as ``CaseBook.files`` lists them) with their stamps,
    in one ``os.scandir`` walk: cheap enough for a web server to run on every request."""
    found: dict[str, FileStamp] = {}
    folders = [str(root)] if root.is_dir() else []
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                name = entry.name
                if entry.is_dir(follow_symlinks=False):  # as rglob: symlinked folders not entered
                    folders.append(entry.path)
                if name.lower().endswith(CASE_SUFFIXES) and not name.startswith("."):
                    try:
                        stat = entry.stat()
                    except OSError:
                        continue  # deleted while listed
                    found[entry.path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return found


# Extra checks other modules plug in (e.g. the case clock's extension limit).
ExtraCheck = Callable[[dict[str, Any]], list[tuple[str, str]]]


# --------------------------------------------------------------------------- access


def normalise_dates(data: dict[str, Any], rtype: schema.RecordType = schema.CASE) -> dict[str, Any]:
    """Every date of the contract written as ISO 8601 text (2026年11月10日 -> 2026-11-10), so
    lists and registers show one form and text order is date order. Call after validation."""
    for field in rtype.fields:
        if field.type in (schema.DATE, schema.DATETIME):
            value = get_path(data, field.path)
            fixed = canonical(value)
            if fixed is not value and fixed != value:
                set_path(data, field.path, fixed)
    return data


# --------------------------------------------------------------------------- loading

# libyaml's C parser when PyYAML has it (its wheels do): ~20x faster than the pure-Python
# one, which otherwise dominates batch generation.
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CaseLoader(_SafeBase):
    """SafeLoader whose impossible dates (2026-02-30) stay text for the validator to name,
    instead of PyYAML raising a bare ValueError from deep inside the parser."""


def _timestamp_or_text(loader: Any, node: yaml.Node) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_CaseLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_CaseLoader)  # noqa: S506 - a SafeLoader subclass


def _yaml_error(path: Path, exc: yaml.YAMLError, text: str = "") -> CaseFileError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        if _is_tab_problem(text, mark.line, problem):
            return CaseFileError(
                path, f"第 {mark.line + 1} 行: 缩进不能使用 Tab 键, 请改用空格 (tab in indentation)"
            )
        return CaseFileError(
            path, f"第 {mark.line + 1} 行第 {mark.column + 1} 列: YAML 格式错误 ({problem})"
        )
    return CaseFileError(path, f"YAML 格式错误 ({problem})")


def _is_tab_problem(text: str, line: int, problem: str) -> bool:
    """Whether a scanner error comes from a tab where YAML wants spaces (libyaml only
    says it "cannot start any token", which no office worker can act on)."""
    lines = text.splitlines()
    if "tab" in problem.lower():
        return True
    return line < len(lines) and "cannot start any token" in problem and "\t" in lines[line]


# Limits of one case file: far above any real case, far below what hurts every later
# command (a 1 KB "billion laughs" alias bomb expands to gigabytes in the case cache).
MAX_CASE_CHARS = 1_000_000
MAX_DEPTH = 32
MAX_ALIASES = 16
MAX_EXPANDED = 100_000  # values after expanding aliases, long text counting per 100 characters
_SAFE_SCALARS = (str, bool, int, float, date, type(None))


class _Shape:
    """One walk over a loaded case: refuses what no later command can store or print.

    Runs on every uncached load, so it keeps no per-value garbage: the key path is a
    stack joined only for an error message, the containers being visited a mutable set.
    """

    def __init__(self) -> None:
        self.sizes: dict[int, int] = {}
        self.shared = 0
        self.keys: list[str] = []
        self.open: set[int] = set()

    def fail(self, problem: str) -> ValueError:
        where = ".".join(self.keys)
        return ValueError(f"{where}: {problem}" if where else problem)

    def size(self, value: Any) -> int:
        if isinstance(value, _SAFE_SCALARS):
            return 1 + (len(value) // 100 if isinstance(value, str) else 0)
        if not isinstance(value, (dict, list)):
            raise self.fail(
                f"不支持的 YAML 类型 {type(value).__name__} (!!binary, !!set 等; use plain text, lists and mappings)"
            )
        ident = id(value)
        if ident in self.open:
            raise self.fail("锚点引用了自身 (self-referencing anchor)")
        if ident in self.sizes:
            self.shared += 1
            if self.shared > MAX_ALIASES:
                raise ValueError(f"YAML 别名 (*引用) 超过 {MAX_ALIASES} 个 (too many aliases)")
            return self.sizes[ident]
        if len(self.keys) >= MAX_DEPTH:
            raise self.fail(f"嵌套超过 {MAX_DEPTH} 层 (nested too deeply)")
        self.open.add(ident)
        total = 1
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            self.keys.append(str(key))
            if isinstance(value, dict) and not isinstance(key, str):
                raise self.fail(f"键应为文本, 请加引号 (keys must be text: '{key}')")
            total += self.size(item)
            self.keys.pop()
            if total > MAX_EXPANDED:
                raise ValueError(
                    f"展开后内容过大 (more than {MAX_EXPANDED} values after expanding aliases)"
                )
        self.open.discard(ident)
        self.sizes[ident] = total
        return total


def check_shape(data: Any, path: Path) -> None:
    """Refuse alias bombs, cycles, excessive depth and types outside plain YAML/JSON."""
    try:
        _Shape().size(data)
    except ValueError as exc:
        raise CaseFileError(path, f"案件文件不安全, 未读取 ({exc})") from None


def parse_case_text(text: str, path: Path) -> dict[str, Any]:
    """Parse YAML or JSON text of one case; the top level must be a mapping."""
    if len(text) > MAX_CASE_CHARS:
        raise CaseFileError(
            path, f"文件过大 (more than {MAX_CASE_CHARS // 1_000_000} MB); 案件文件不应这么大"
        )
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = load_yaml(text)
    except json.JSONDecodeError as exc:
        raise CaseFileError(
            path, f"第 {exc.lineno} 行第 {exc.colno} 列: JSON 格式错误 ({exc.msg})"
        ) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc, text) from None
    except RecursionError:
        raise CaseFileError(path, f"嵌套超过 {MAX_DEPTH} 层 (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise CaseFileError(path, f"无法读取的值, 数字过长请加引号作为文本 ({exc})") from None
    if not isinstance(data, dict):
        raise CaseFileError(path, "案件文件的顶层必须是键值映射 (top level must be a mapping)")
    check_shape(data, path)
    return data


def read_case_file(path: Path) -> tuple[dict[str, Any], bytes]:
    """The parsed mapping and the raw bytes (whose hash the manifest records)."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CaseFileError(path, "文件不存在 (file not found)") from None
    except OSError as exc:
        raise CaseFileError(path, f"无法读取文件 ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseFileError(path, "文件不是 UTF-8 编码 (not UTF-8; save it as UTF-8)") from None
    return parse_case_text(text, Path(path)), raw


# --------------------------------------------------------------------------- validation


def _check_type(
    field: schema.Field, value: Any, text_only: tuple[str, ...] = _TEXT_ONLY
) -> str | None:
    kind = field.type
    if kind == schema.TEXT:
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            return f"应为文本, 实际为 {_type_name(value)}"
        if isinstance(value, (int, float)) and field.path in text_only:
            return f"{value} 应加引号作为文本 (quote it: leading zeros would be lost)"
        if field.choices and str(value) not in field.choices:
            return f"{value} 不是允许的值 (allowed: {' | '.join(field.choices)})"
        return None
    if kind in (schema.DATE, schema.DATETIME):
        try:
            parse_date(value) if kind == schema.DATE else parse_datetime(value)
        except ValueError as exc:
            return str(exc)
        return None
    if kind == schema.BOOL:
        # Spreadsheets and forms say 是/否; a YAML case file needs true/false.
        return (
            None
            if isinstance(value, bool)
            else f"{value!r} 应为 是 或 否 (yes/no; in a case file: true or false)"
        )
    if kind == schema.NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return f"应为数字, 实际为 {_type_name(value)}"
        try:
            float(value)
        except ValueError:
            return f"{value} 不是数字 (not a number)"
        return None
    if kind == schema.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{value!r} 应为整数 (must be a whole number)"
        return None if value >= 0 else f"{value} 不能为负数"
    if kind == schema.LIST:
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            return f"应为文本列表 (a list such as [王芳, 赵雷]), 实际为 {_type_name(value)}"
        return None
    if kind == schema.ROWS:
        return _rows_problem(field, value)
    return None


def _rows_problem(field: schema.Field, value: Any) -> str | None:
    """A table value: a list of mappings whose keys are the field's columns."""
    keys = [key for key, _label in field.columns]
    example = ", ".join(f"{k}: …" for k in keys)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return f"应为列表, 每项是含 {', '.join(keys)} 的映射 (e.g. - {{{example}}}), 实际为 {_type_name(value)}"
    for number, item in enumerate(value, 1):
        unknown = sorted(str(k) for k in item if k not in keys)
        if unknown:
            labels = "、".join(f"{k} ({label})" for k, label in field.columns)
            return f"第 {number} 项有未知的键 {', '.join(unknown)} (columns: {labels})"
        for key, cell in item.items():
            if isinstance(cell, (dict, list, bool)):
                return f"第 {number} 项 {key}: 应为文本或数字, 实际为 {_type_name(cell)}"
        problem = _row_cells_problem(field, item)
        if problem:
            return f"第 {number} 项 {problem}"
    return None


def _row_cells_problem(field: schema.Field, item: dict[str, Any]) -> str | None:
    """A row's required and date columns (e.g. 处理进展: every note has its date)."""
    labels = dict(field.columns)
    for key in field.required_columns:
        if is_blank(item.get(key)):
            return f"缺少 {key} ({labels[key]})"
    for key in field.date_columns:
        if is_blank(item.get(key)):
            continue
        try:
            parse_datetime(item[key])
        except ValueError as exc:
            return f"{key} ({labels[key]}): {exc}"
    return None


def _type_name(value: Any) -> str:
    return {
        dict: "映射",
        list: "列表",
        bool: "布尔值",
        int: "数字",
        float: "数字",
        str: "文本",
    }.get(type(value), type(value).__name__)


def _field_problems(
    data: dict[str, Any], rtype: schema.RecordType = schema.CASE
) -> Iterator[tuple[str, str]]:
    for group in rtype.groups:
        value = data.get(group, MISSING)
        if value is not MISSING and value is not None and not isinstance(value, dict):
            yield group, f"应为键值映射, 实际为 {_type_name(value)}"
    bad_groups = {g for g in rtype.groups if not isinstance(data.get(g, {}) or {}, dict)}
    for field in rtype.fields:
        if field.path.split(".", 1)[0] in bad_groups and "." in field.path:
            continue
        value = get_path(data, field.path)
        if is_blank(value) or (field.type == schema.ROWS and value == []):
            if field.required:
                allowed = f"; allowed: {' | '.join(field.choices)}" if field.choices else ""
                yield field.path, f"必填项为空 (required{allowed})"
            continue
        if field.path == rtype.number_key or (
            field.path == "source_case" and rtype is not schema.CASE
        ):
            problem = check_case_no(str(value))
        else:
            problem = _check_type(field, value, rtype.text_only)
        if problem:
            yield field.path, problem


def _name_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if not isinstance(data.get("complainant", {}) or {}, dict):
        return  # already reported as a type problem of the group
    anonymous = get_path(data, "complainant.anonymous") is True
    if not anonymous and is_blank(get_path(data, "complainant.name")):
        yield "complainant.name", "必填项为空 (required unless complainant.anonymous is true)"


def _moment(data: dict[str, Any], path: str) -> Any:
    """The date or date-time at ``path``, or None when missing or not a date."""
    value = get_path(data, path)
    if is_blank(value):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _before(when: Any, earlier: Any) -> bool:
    """Whether ``when`` is before ``earlier``; a bare date only compares by day."""
    if isinstance(when, datetime) and isinstance(earlier, datetime):
        return when < earlier
    return _day(when) < _day(earlier)


def _date_order_problems(
    data: dict[str, Any], rtype: schema.RecordType = schema.CASE
) -> Iterator[tuple[str, str]]:
    for rule in rtype.date_rules:
        when, earlier = _moment(data, rule.later), _moment(data, rule.earlier)
        if when is None or earlier is None or not _before(when, earlier):
            continue
        if rule.earlier == "received_at" and rtype is schema.CASE:
            day, received = _day(when), _day(earlier)
            yield (
                rule.later,
                f"{day.isoformat()} 早于接收时间 {received.isoformat()} (before received_at)",
            )
        else:
            why = f"; {rule.why}" if rule.why else ""
            label = schema.label_of(rule.earlier, rtype)
            yield (
                rule.later,
                f"{_text(when)} 早于{label} {_text(earlier)} (before {rule.earlier}){why}",
            )


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _text(value: Any) -> str:
    return (
        value.isoformat(sep=" ", timespec="minutes")
        if isinstance(value, datetime)
        else value.isoformat()
    )


def _people(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if is_blank(value):
        return []
    return [str(value).strip()]


def _recusal_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Impartiality: neither a recused person nor the person complained about may act."""
    recused = set(_people(get_path(data, "assignment.recused")))
    for path in schema.ACTING_PEOPLE:
        for person in _people(get_path(data, path)):
            if person in recused:
                yield path, f"{person} 属于回避人员 (assignment.recused), 不能担任此角色"
    yield from respondent_problems(data)


def _signature_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """F27: the customer signs the service sheet after the service, never before (seed 004)."""
    if not is_blank(get_path(data, "customer_signed_at")) and is_blank(
        get_path(data, "completed_at")
    ):
        yield (
            "customer_signed_at",
            "服务尚未完成 (completed_at 为空), 不能先有用户签字; 不允许在服务前要求用户签字",
        )


def _recheck_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if not is_blank(get_path(data, "closed_at")) and get_path(data, "recheck.result") == "不合格":
        yield "closed_at", "复查结论为不合格, 不能关闭 (重新整改并复查合格后再关闭)"


def _verifier_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    owner, verifier = get_path(data, "owner"), get_path(data, "verification.by")
    if (
        not is_blank(owner)
        and not is_blank(verifier)
        and str(owner).strip() == str(verifier).strip()
    ):
        yield (
            "verification.by",
            f"{verifier} 是本措施的责任人, 不能验证自己的措施 (verifier must not be the owner)",
        )


# Rules beyond field types and date order, per record type.
_Rule = Callable[[dict[str, Any]], Iterator[tuple[str, str]]]
_TYPE_RULES: dict[str, tuple[_Rule, ...]] = {
    "service": (_signature_problems,),
    "rectification": (_recheck_problems,),
    "capa": (_verifier_problems,),
}


def validate_case(
    data: dict[str, Any],
    file: str,
    extra_checks: Iterable[ExtraCheck] = (),
    rtype: schema.RecordType = schema.CASE,
) -> list[FieldProblem]:
    """Every problem of one case (or record of another type), in field order; [] means valid."""
    found: list[tuple[str, str]] = list(_field_problems(data, rtype))
    if rtype is schema.CASE:
        found += [
            *_name_problems(data),
            *_date_order_problems(data, rtype),
            *_recusal_problems(data),
        ]
    else:
        found += _date_order_problems(data, rtype)
        for rule in _TYPE_RULES.get(rtype.name, ()):
            found.extend(rule(data))
    # A value already reported as the wrong type is not reported again by a plugged-in
    # rule (the extension limit would repeat "not a whole number" for one cell).
    typed_wrong = {path for path, _problem in found}
    for check in extra_checks:
        found.extend(item for item in check(data) if item[0] not in typed_wrong)
    return [
        FieldProblem(file, path, schema.label_of(path, rtype), problem) for path, problem in found
    ]


# --------------------------------------------------------------------------- the case


@dataclass
class Case:
    """One case file, or one record of another type (``rtype``): incident, CAPA …"""

    path: Path
    data: dict[str, Any]
    data_sha256: str  # of the file's bytes: what the manifest compares
    rtype: schema.RecordType = schema.CASE

    @property
    def case_no(self) -> str:
        """The number printed under the QR code: 案件编号, or the record's own number."""
        return str(self.data.get(self.rtype.number_key, "") or "")

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", "") or "")

    @property
    def received(self) -> date:
        """The date that places the record in a year (received_at for cases)."""
        return parse_date(self.data.get(self.rtype.date_field))

    @property
    def year(self) -> int:
        return self.received.year

    @property
    def is_closed(self) -> bool:
        return not is_blank(self.data.get("closed_at"))


def display_path(path: Path) -> str:
    """A path as the user best recognises it: relative to the current folder when inside."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _CaseDumper(yaml.SafeDumper):
    """Writes multi-line text as a ``|`` block, as people type it, not a quoted string."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


_CaseDumper.add_representer(str, _represent_text)


def dump_case(data: dict[str, Any]) -> str:
    """YAML text of a case in the key order given (the user's), long lines unbroken."""
    return yaml.dump(
        data,
        Dumper=_CaseDumper,
        allow_unicode=True,
        sort_keys=False,
        width=1000,
        default_flow_style=False,
    )


def write_case_file(path: Path, text: str) -> None:
    """Write one case file atomically; a full disk is a Chinese error and leaves nothing behind."""
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise CaseFileError(
            path, f"无法写入, 未保存任何内容 ({exc.strerror or exc}; 磁盘已满或没有权限?)"
        ) from None


class CaseBook:
    """The cases of one working folder: ``cases/<year>/<case_no>.yaml``; or, with another
    record type, that type's records: ``records/<type>/<year>/<record_no>.yaml``."""

    def __init__(
        self,
        config: Config,
        extra_checks: Iterable[ExtraCheck] = (),
        check_context: str = "",
        rtype: schema.RecordType = schema.CASE,
        live_checks: Iterable[ExtraCheck] = (),
    ) -> None:
        self.config = config
        self.rtype = rtype
        self.root = (
            config.cases_dir
            if rtype is schema.CASE
            else config.record_dir(rtype.name, rtype.folder)
        )
        self.extra_checks = list(extra_checks)
        # What the extra checks depend on (e.g. the profile's text): part of the cache key.
        self.check_context = f"{rtype.name}|{check_context}"
        # Checks that depend on other files (a linked case exists): run on every load, never cached.
        self.live_checks = list(live_checks)
        self._cache: CaseCache | None = None

    @property
    def checks(self) -> list[ExtraCheck]:
        return self.extra_checks + self.live_checks

    # ----- reading
    def load(self, path: Path, live: bool = True) -> Case:
        """Load and validate one case file (raises with all problems at once). With
        ``live=False`` the live checks are left to the caller (``live_problems``): a cache
        of loaded cases runs them again whenever the files they read may have changed."""
        path = Path(path)
        try:
            stat = path.stat()
        except OSError:
            stat = None
        cache = self._case_cache() if stat is not None else None
        cached = (
            cache.get(path.resolve(), stat.st_mtime_ns, stat.st_size, self.check_context)
            if cache and stat
            else None
        )
        if cached is not None:
            sha, data, problems = cached
        else:
            data, raw = read_case_file(path)
            sha = hashlib.sha256(raw).hexdigest()
            found = validate_case(data, "", self.extra_checks, self.rtype)
            problems = [[p.path, p.problem] for p in found]
            if cache and stat and time.time_ns() - stat.st_mtime_ns > RACY_NS:
                cache.put(
                    path.resolve(),
                    stat.st_mtime_ns,
                    stat.st_size,
                    self.check_context,
                    sha,
                    data,
                    problems,
                )
        problems = list(problems) + (self.live_problems(data) if live else [])
        if problems:
            where = display_path(path)
            raise CaseValidationError(
                [
                    FieldProblem(where, key, schema.label_of(key, self.rtype), why)
                    for key, why in problems
                ]
            )
        return Case(path, normalise_dates(data, self.rtype), sha, self.rtype)

    def live_problems(self, data: dict[str, Any]) -> list[list[str]]:
        """[key, problem] of the checks that read other files (run on every load)."""
        return [[key, why] for check in self.live_checks for key, why in check(data)]

    def _case_cache(self) -> CaseCache | None:
        if self._cache is None:
            try:
                self.config.lock_dir.mkdir(parents=True, exist_ok=True)
                self._cache = CaseCache(
                    self.config.lock_dir / "cases.sqlite", self.config.database_url
                )
            except (OSError, RecordkitError):
                return None  # a read-only folder still works, just slower
        return self._cache

    def files(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(
            p
            for p in self.root.rglob("*")
            if p.suffix.lower() in CASE_SUFFIXES and not p.name.startswith(".")
        )

    def file_stamps(self) -> dict[str, FileStamp]:
        """The files of ``files()`` with their stamps (see ``file_stamps``)."""
        return file_stamps(self.root)

    def path_for(self, case_no: str, year: int) -> Path:
        problem = check_case_no(case_no)
        if problem:
            key = self.rtype.number_key
            raise RecordkitError(f"{key} ({schema.label_of(key, self.rtype)}): {problem}")
        return self.root / str(year) / f"{case_no}.yaml"

    def locate(self, ref: str) -> Path:
        """A case file by case number or by path."""
        candidate = Path(ref)
        if candidate.suffix.lower() in (".yaml", ".yml", ".json"):
            if not candidate.is_file():
                raise CaseFileError(candidate, "文件不存在 (file not found)")
            return candidate
        problem = check_case_no(ref)
        if problem:
            raise RecordkitError(f"案件编号 {ref!r} 无效: {problem}")
        for suffix in (".yaml", ".yml", ".json"):
            hits = sorted(self.root.glob(f"*/{ref}{suffix}")) + sorted(
                self.root.glob(f"{ref}{suffix}")
            )
            if hits:
                return hits[0]
        if self.rtype is schema.CASE:
            raise CaseNotFoundError(ref)
        raise CaseNotFoundError(
            ref,
            f"找不到{self.rtype.label}记录 {ref} (no {self.rtype.name} record with this number)",
        )

    def get(self, ref: str) -> Case:
        return self.load(self.locate(ref))

    def all(self) -> list[Case]:
        """Every valid case; the first invalid file raises (use ``scan`` to collect problems)."""
        return [self.load(p) for p in self.files()]

    def scan(self) -> tuple[list[Case], list[RecordkitError]]:
        """Every case, with the problems of invalid files collected rather than raised."""
        cases: list[Case] = []
        errors: list[RecordkitError] = []
        for path in self.files():
            try:
                cases.append(self.load(path))
            except RecordkitError as exc:
                errors.append(exc)
        return cases, errors

    def existing_numbers(self, year: int | None = None) -> set[str]:
        """Case numbers on disk (of one year's folder when ``year`` is given)."""
        if year is None:
            return {p.stem for p in self.files()}
        folder = self.root / str(year)
        return {p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set()

    def exists(self, case_no: str) -> bool:
        return any(self.root.glob(f"*/{glob.escape(case_no)}.yaml"))

    # ----- writing
    def lock(self) -> FileLock:
        self.config.lock_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.config.lock_dir / "numbering.lock"), timeout=30)

    def numbers_look_like(self, number: str) -> bool:
        """Whether ``number`` has the form of this book's numbers (any year)."""
        return any(_pattern_regex(p, None).fullmatch(number) for p in self._patterns())

    def next_number(self, kind: str, year: int) -> str:
        if self.rtype is not schema.CASE:
            pattern = self.config.record_patterns.get(self.rtype.name) or self.rtype.pattern
        else:
            pattern = self.config.case_patterns.get(kind)
        if pattern is None:
            raise RecordkitError(
                f"kind (类别): {kind} 没有编号规则 (no case_numbers pattern in recordkit.toml)"
            )
        regex = _pattern_regex(pattern, year)
        taken = [
            int(m.group("seq")) for n in self.existing_numbers(year) if (m := regex.fullmatch(n))
        ]
        return pattern.format(year=year, seq=max(taken, default=0) + 1)

    def add(self, data: dict[str, Any], source: str = "<new>") -> Case:
        """Validate, number if needed, and write a new case; safe when two processes add at once."""
        problems = validate_case(data, source, self.checks, self.rtype)
        number_problem = self._number_problem(data.get(self.rtype.number_key))
        if number_problem:
            key = self.rtype.number_key
            problems.append(
                FieldProblem(source, key, schema.label_of(key, self.rtype), number_problem)
            )
        if problems:
            raise CaseValidationError(problems)
        try:
            with self.lock():
                return self._add_locked(normalise_dates(copy.deepcopy(data), self.rtype))
        except Timeout:
            raise LockedError(
                "另一个 recordkit 进程正在分配编号, 请稍后重试 (numbering lock busy)"
            ) from None

    def _patterns(self) -> list[str]:
        if self.rtype is schema.CASE:
            return list(self.config.case_patterns.values())
        return [self.config.record_patterns.get(self.rtype.name) or self.rtype.pattern]

    def _number_problem(self, number: Any) -> str | None:
        """Why a number given in a new file cannot be this book's (blank: one is assigned)."""
        if is_blank(number):
            return None
        problem = check_case_no(number)
        if problem is None and not self.numbers_look_like(number):
            problem = (
                f"{number} 不符合编号规则 ({' | '.join(self._patterns())}); "
                "留空即自动编号 (leave it blank to number automatically)"
            )
        return problem

    def _add_locked(self, data: dict[str, Any]) -> Case:
        key = self.rtype.number_key
        year = parse_date(data[self.rtype.date_field]).year
        if is_blank(data.get(key)):
            # the number goes first so the file reads like the paper form
            data.pop(key, None)
            data = {key: self.next_number(str(data.get("kind", "")), year), **data}
        case_no = str(data[key])
        if self.exists(case_no):
            raise RecordkitError(
                f"{key} ({schema.label_of(key, self.rtype)}): {case_no} 已存在 "
                f"(a {'case' if self.rtype is schema.CASE else 'record'} with this number exists)"
            )
        path = self.path_for(case_no, year)
        text = dump_case(data)
        write_case_file(path, text)
        return Case(path, data, hashlib.sha256(text.encode("utf-8")).hexdigest(), self.rtype)


class Library:
    """Every book of a working folder: the complaint cases and each other record type.

    A number is looked up across all books (the default patterns give each type its own
    prefix); a file is loaded as the type of the folder it lives in, so a batch job that
    names only a path (a worker, ``regenerate``) still validates it as the right type.
    Offers the reading side of ``CaseBook`` so the generator can use either.
    """

    def __init__(self, config: Config, books: dict[str, CaseBook]) -> None:
        self.config = config
        self.books = books
        # Folder prefixes of the record books, computed once: batches look a type up per file.
        self._prefixes = [(str(b.root.resolve()) + os.sep, b) for b in books.values()]

    @classmethod
    def around(cls, config: Config, cases: CaseBook | None = None) -> Library:
        """A library with ``cases`` (or a plain case book) and plain books of the other types."""
        books = {"case": cases or CaseBook(config)}
        for rtype in schema.OTHER_TYPES:
            books[rtype.name] = CaseBook(config, rtype=rtype)
        return cls(config, books)

    @property
    def cases(self) -> CaseBook:
        return self.books["case"]

    @property
    def root(self) -> Path:
        return self.cases.root

    def book(self, name: str) -> CaseBook:
        return self.books[name]

    def book_for_path(self, path: Path) -> CaseBook:
        for text in (
            os.path.abspath(path),
            str(Path(path).resolve()),
        ):  # cheap first, then through links
            for prefix, book in self._prefixes:
                if text.startswith(prefix):
                    return book
        return self.cases  # a case file outside the folders (named by its path)

    def load(self, path: Path) -> Case:
        return self.book_for_path(path).load(path)

    def locate(self, ref: str) -> Path:
        if Path(ref).suffix.lower() in (".yaml", ".yml", ".json"):
            return self.cases.locate(ref)
        missing: CaseNotFoundError | None = None
        for book in self.books.values():
            try:
                return book.locate(ref)
            except CaseNotFoundError as exc:
                if missing is None or book.numbers_look_like(ref):
                    missing = exc  # name the type whose numbers look like this one
        assert missing is not None
        raise missing

    def get(self, ref: str) -> Case:
        return self.load(self.locate(ref))

    def files(self) -> list[Path]:
        return [path for book in self.books.values() for path in book.files()]

    def scan(self) -> tuple[list[Case], list[RecordkitError]]:
        cases: list[Case] = []
        errors: list[RecordkitError] = []
        for book in self.books.values():
            found, problems = book.scan()
            cases += found
            errors += problems
        return cases, errors

    def all(self) -> list[Case]:
        return [case for book in self.books.values() for case in book.all()]

    def exists(self, number: str) -> bool:
        return any(book.exists(number) for book in self.books.values())

    def linked_to(self, case_no: str) -> list[Case]:
        """Records of the other types whose ``source_case`` is this case (invalid files skipped)."""
        linked = []
        for name, book in self.books.items():
            if name == "case":
                continue
            found, _errors = book.scan()
            linked += [r for r in found if str(r.data.get("source_case") or "") == case_no]
        return linked


def _pattern_regex(pattern: str, year: int | None) -> re.Pattern[str]:
    """A regex that reads the sequence number back out of numbers made by ``pattern``."""
    out = []
    for literal, field_name, _spec, _conv in string.Formatter().parse(pattern):
        out.append(re.escape(literal))
        if field_name == "year":
            out.append(str(year) if year is not None else r"\d{4}")
        elif field_name == "seq":
            out.append(r"(?P<seq>\d+)")
        elif field_name is not None:
            out.append(r".*?")
    return re.compile("".join(out))


def case_date_text(value: Any) -> str:
    """How a date value of a case prints (used by the rendering context)."""
    if isinstance(value, (date, datetime)):
        return format_value(value)
    return "" if value is None else str(value)
