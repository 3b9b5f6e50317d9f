"""Procedure profiles: the deadlines of one office's written procedure, as data.

A profile is a YAML file (format in docs/clock.md). Built-in profiles ship in
``recordkit/profiles/``; a working folder may hold its own in ``profiles/``, which win
over built-ins of the same name, and any file can be named by its path. Every problem
in a file is reported at once as a ``ProfileError`` naming the file and the step.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from importlib import resources
from pathlib import Path

import yaml

from recordkit.cases import schema
from recordkit.clock.calendar import (
    DAY,
    DAY_UNITS,
    HOUR,
    MAX_WORKDAYS,
    MINUTE,
    MONTH,
    UNITS,
    WORKDAY,
    normalize_unit,
)
from recordkit.errors import ProfileError

try:
    from importlib.resources.abc import Traversable
except ImportError:  # Python 3.10 keeps it in importlib.abc
    from importlib.abc import Traversable

DEADLINE = "deadline"  # the office must reach `end` by start + limit
WINDOW = "window"  # the complainant's `end` (e.g. received_at) must fall by start + limit
STEP_TYPES = (DEADLINE, WINDOW)
FORM_DEADLINES = ("acceptance_due", "reply_due")
# Reply methods that count as 书面 (written): 民法典 §469 counts e-mail as a written form.
WRITTEN_METHODS = ("书面", "电子邮件")
EXTENSION_UNITS = (DAY, WORKDAY)  # the case records an extension as 延长天数
USER_FOLDER = "profiles"

_STEP_KEYS = {
    "key",
    "name",
    "type",
    "limit",
    "unit",
    "start",
    "end",
    "extension",
    "form_deadline",
    "when",
    "roll_to_workday",
    "note",
    "written",
    "after_hours",
}
_TOP_KEYS = {
    "name",
    "title",
    "source",
    "description",
    "labels",
    "steps",
    "roll_to_workday",
    "business_hours",
    "required",
}
_REQUIRED_STEP_KEYS = ("key", "name", "limit", "unit", "start")
_IDENT = re.compile(r"^[a-z][a-z0-9_-]*$")
_DATE_TYPES = (schema.DATE, schema.DATETIME)
# About ten years in each unit: a typo like 50000 must not hang or overflow the clock.
_MAX_LIMIT = {WORKDAY: MAX_WORKDAYS, DAY: 3660, MONTH: 120, HOUR: 3660 * 24, MINUTE: 3660 * 24 * 60}


@dataclass(frozen=True)
class Extension:
    """How far a granted extension (case `extension.days`) may move this step's due date."""

    max: int
    unit: str


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    limit: float
    unit: str
    start: str
    end: str
    type: str = DEADLINE
    extension: Extension | None = None
    form_deadline: str | None = None
    # key path -> allowed values: the step applies only when the case's value is one
    # of them; a missing value means "not decided yet", so the step still applies.
    when: Mapping[str, tuple[object, ...]] = field(default_factory=dict)
    roll_to_workday: bool = False
    note: str = ""
    # Done only when reply.method is a written one (书面答复 / 书面告知): a reply by
    # 电话 or 面谈 leaves the step open.
    written: bool = False
    # Received outside business_hours: the clock starts when the office next opens.
    after_hours: bool = False


@dataclass(frozen=True)
class Requirement:
    """Fields a case must fill when a condition holds (e.g. 首问交接 when 转办)."""

    when: Mapping[str, tuple[object, ...]]
    fields: tuple[str, ...]
    why: str = ""


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    source: str
    steps: tuple[Step, ...]
    path: str = ""
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    roll_to_workday: bool = False  # default of every 日/月 step without its own setting
    business_hours: tuple[time, time] | None = None
    required: tuple[Requirement, ...] = ()

    def label(self, path: str) -> str:
        """Chinese label of a key path: the profile's own for extra.*, else the schema's."""
        return self.labels.get(path) or schema.label_of(path)

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def form_step(self, which: str) -> Step | None:
        return next((s for s in self.steps if s.form_deadline == which), None)


@dataclass(frozen=True)
class ProfileEntry:
    """One line of `recordkit profile list`."""

    name: str
    title: str
    origin: str  # 内置 (built-in) or the path of a user file
    path: str
    problem: str = ""  # set when a user file does not load


# -- finding files ---------------------------------------------------------------------


def builtin_folder() -> Traversable:
    return resources.files("recordkit").joinpath("profiles")


def builtin_names() -> list[str]:
    return sorted(
        entry.name[: -len(".yaml")]
        for entry in builtin_folder().iterdir()
        if entry.name.endswith(".yaml")
    )


def looks_like_path(ref: str | Path) -> bool:
    text = str(ref)
    return isinstance(ref, Path) or text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text


def find_profile(ref: str | Path, workdir: Path | None = None) -> Path | Traversable:
    """The file for a profile name or path: the working folder's profiles/ first."""
    if looks_like_path(ref):
        path = Path(ref)
        if not path.is_file():
            raise ProfileError(f"{path}: 找不到程序配置文件 (profile file not found)")
        return path
    name = str(ref)
    if workdir is not None:
        for suffix in (".yaml", ".yml"):
            local = Path(workdir) / USER_FOLDER / f"{name}{suffix}"
            if local.is_file():
                return local
    builtin = builtin_folder().joinpath(f"{name}.yaml")
    if builtin.is_file():
        return builtin
    known = ", ".join(n.name for n in list_profiles(workdir))
    raise ProfileError(f'未知的程序配置 "{name}" (known: {known})')


def profile_text(ref: str | Path, workdir: Path | None = None) -> str:
    """The file text, comments included: what `profile show` prints to copy and edit."""
    return _read_text(find_profile(ref, workdir))


def load_profile(ref: str | Path, workdir: Path | None = None) -> Profile:
    """Load and validate a profile by name (user folder, then built-in) or by path."""
    source = find_profile(ref, workdir)
    return parse_profile(_read_text(source), str(source), expected_name=_stem(source))


def check_profile(path: str | Path) -> Profile:
    """Validate one file (`profile check FILE`); raises ProfileError listing every problem."""
    return load_profile(Path(path))


def list_profiles(workdir: Path | None = None) -> list[ProfileEntry]:
    """Built-ins and the working folder's own profiles; a local file shadows a built-in."""
    entries: dict[str, ProfileEntry] = {}
    for name in builtin_names():
        source = builtin_folder().joinpath(f"{name}.yaml")
        entries[name] = _entry(name, source, "内置")
    if workdir is not None:
        folder = Path(workdir) / USER_FOLDER
        if folder.is_dir():
            for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
                entries[path.stem] = _entry(path.stem, path, str(path))
    return [entries[name] for name in sorted(entries)]


def copy_profile(
    name: str, dest: Path, new_name: str | None = None, workdir: Path | None = None
) -> Path:
    """Copy a profile into a folder as ``<new_name>.yaml`` for an office to edit."""
    new_name = new_name or name
    if not _IDENT.match(new_name):
        raise ProfileError(f'程序配置名称 "{new_name}" 只能含小写字母、数字、- 和 _')
    target = Path(dest) / f"{new_name}.yaml"
    if target.exists():
        raise ProfileError(f"{target}: 文件已存在, 未覆盖 (file exists; not overwritten)")
    text = profile_text(name, workdir)
    text = re.sub(r"(?m)^name:.*$", f"name: {new_name}", text, count=1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def _entry(name: str, source: Path | Traversable, origin: str) -> ProfileEntry:
    try:
        profile = parse_profile(_read_text(source), str(source), expected_name=name)
    except ProfileError as exc:
        return ProfileEntry(name, "", origin, str(source), problem=exc.message)
    return ProfileEntry(name, profile.title, origin, str(source))


def _read_text(source: Path | Traversable) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{source}: 无法读取程序配置文件: {exc}") from None


def _stem(source: Path | Traversable) -> str:
    name = source.name
    return name.rsplit(".", 1)[0]


# -- validation ------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def parse_profile(text: str, filename: str, expected_name: str | None = None) -> Profile:
    """Parse and validate profile YAML; every problem goes into one ProfileError.

    Kept per text (a ``Profile`` is frozen): a web server reads the profile on every
    request, and parsing it took most of the time of a small page.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", 第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise ProfileError(f"{filename}: YAML 语法错误{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{filename}: YAML 语法错误: {exc}") from None
    problems: list[str] = []
    profile = _build_profile(data, filename, expected_name, problems)
    if problems or profile is None:
        raise ProfileError("\n".join(f"{filename}: {p}" for p in problems))
    return profile


def _build_profile(
    data: object, filename: str, expected_name: str | None, problems: list[str]
) -> Profile | None:
    if not isinstance(data, Mapping):
        problems.append(
            "文件必须是含 name, title, steps 的映射 (a mapping with name, title, steps)"
        )
        return None
    unknown = sorted(str(k) for k in data if k not in _TOP_KEYS)
    if unknown:
        problems.append(f"未知的键 {', '.join(unknown)} (allowed: {', '.join(sorted(_TOP_KEYS))})")
    name = _text(data.get("name"))
    if not name:
        problems.append("缺少 name (profile name)")
    elif expected_name and name != expected_name:
        problems.append(
            f'name "{name}" 与文件名 "{expected_name}" 不一致 (name must match the file name)'
        )
    title = _text(data.get("title"))
    if not title:
        problems.append("缺少 title (中文名称)")
    labels = _labels(data.get("labels"), problems)
    roll = data.get("roll_to_workday", False)
    if not isinstance(roll, bool):
        problems.append("roll_to_workday 必须是 true 或 false")
        roll = False
    steps = _steps(data.get("steps"), problems, roll)
    hours = _business_hours(data.get("business_hours"), problems)
    if hours is None and any(s.after_hours for s in steps):
        problems.append(
            "步骤使用 after_hours, 但未设 business_hours (e.g. business_hours: 08:30-17:30)"
        )
    required = _requirements(data.get("required"), problems)
    if problems:
        return None
    return Profile(
        name=name,
        title=title,
        source=_text(data.get("source")),
        steps=tuple(steps),
        path=filename,
        description=_text(data.get("description")),
        labels=labels,
        roll_to_workday=roll,
        business_hours=hours,
        required=required,
    )


_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


def _business_hours(raw: object, problems: list[str]) -> tuple[time, time] | None:
    """``08:30-17:30``: the office's opening hours on a working day."""
    if raw in (None, ""):
        return None
    match = _HOURS.match(str(raw))
    try:
        if not match:
            raise ValueError
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        opens, closes = time(h1, m1), time(h2, m2)
    except ValueError:
        problems.append(f'business_hours "{raw}" 应写成 08:30-17:30 (opening-closing)')
        return None
    if opens >= closes:
        problems.append(f'business_hours "{raw}": 上班时间必须早于下班时间')
        return None
    return opens, closes


def _requirements(raw: object, problems: list[str]) -> tuple[Requirement, ...]:
    """``required: [{when: {acceptance.decision: [转办]}, fields: [...], why: ...}]``."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append("required 必须是列表, 每项含 when 和 fields")
        return ()
    result = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping) or not isinstance(item.get("fields"), list):
            problems.append(f"required 第 {index} 项: 应含 when 和 fields (字段键路径列表)")
            continue
        fields = tuple(str(f) for f in item["fields"])
        unknown = [f for f in fields if not schema.is_known_path(f) or f in schema.GROUPS]
        if unknown:
            problems.append(f"required 第 {index} 项: {', '.join(unknown)} 不是案件格式中的字段")
        result.append(
            Requirement(_when(item.get("when"), problems), fields, _text(item.get("why")))
        )
    return tuple(result)


def _labels(raw: object, problems: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append("labels 必须是 键路径: 中文名称 的映射")
        return {}
    labels: dict[str, str] = {}
    for key, label in raw.items():
        if not _is_date_path(str(key)):
            problems.append(f"labels: {key} 不是日期字段 (only date key paths can have labels)")
        labels[str(key)] = _text(label)
    return labels


def _steps(raw: object, problems: list[str], default_roll: bool = False) -> list[Step]:
    if not isinstance(raw, list) or not raw:
        problems.append("缺少 steps (a non-empty list of steps)")
        return []
    steps: list[Step] = []
    seen_keys: set[str] = set()
    seen_forms: set[str] = set()
    for index, item in enumerate(raw, start=1):
        step_problems: list[str] = []
        step = _step(item, step_problems, default_roll)
        where = _step_where(index, item)
        problems.extend(f"{where}: {p}" for p in step_problems)
        if step is None:
            continue
        if step.key in seen_keys:
            problems.append(f"{where}: 步骤键重复 (duplicate step key)")
        if step.form_deadline and step.form_deadline in seen_forms:
            problems.append(f"{where}: form_deadline {step.form_deadline} 已由其他步骤提供")
        seen_keys.add(step.key)
        if step.form_deadline:
            seen_forms.add(step.form_deadline)
        steps.append(step)
    return steps


def _step_where(index: int, item: object) -> str:
    key = item.get("key") if isinstance(item, Mapping) else None
    return f"步骤 {index} ({key})" if key else f"步骤 {index}"


def _step(item: object, problems: list[str], default_roll: bool = False) -> Step | None:
    if not isinstance(item, Mapping):
        problems.append(
            "步骤必须是映射 (each step is a mapping with key, name, limit, unit, start, end)"
        )
        return None
    unknown = sorted(str(k) for k in item if k not in _STEP_KEYS)
    if unknown:
        problems.append(f"未知的键 {', '.join(unknown)} (allowed: {', '.join(sorted(_STEP_KEYS))})")
    for required in _REQUIRED_STEP_KEYS:
        if item.get(required) in (None, ""):
            problems.append(f"缺少 {required}")
    key = _text(item.get("key"))
    if key and not _IDENT.match(key):
        problems.append(f'步骤键 "{key}" 只能含小写字母、数字、- 和 _')
    step_type = _text(item.get("type")) or DEADLINE
    if step_type not in STEP_TYPES:
        problems.append(f'未知的步骤类型 "{step_type}" (type must be deadline or window)')
    unit = _unit(item.get("unit"), problems)
    limit = _limit(item.get("limit"), unit, problems)
    start = _date_path("start", item.get("start"), problems)
    # A window is about when the complaint arrived, so its end defaults to received_at.
    default_end = "received_at" if step_type == WINDOW else None
    end = _date_path("end", item.get("end", default_end), problems)
    extension = _extension(item.get("extension"), problems)
    form_deadline = _form_deadline(item.get("form_deadline"), problems)
    when = _when(item.get("when"), problems)
    # The profile's default applies only where it can: 工作日 never land on a holiday.
    roll = item.get("roll_to_workday", default_roll and unit in (DAY, MONTH))
    if not isinstance(roll, bool):
        problems.append("roll_to_workday 必须是 true 或 false")
    elif roll and unit not in (DAY, MONTH):
        problems.append("roll_to_workday 只适用于 日 和 月 (working days never land on a holiday)")
    flags = {name: item.get(name, False) for name in ("written", "after_hours")}
    for name, value in flags.items():
        if not isinstance(value, bool):
            problems.append(f"{name} 必须是 true 或 false")
    if flags["after_hours"] is True and unit not in (HOUR, MINUTE):
        problems.append("after_hours 只适用于 小时 和 分钟")
    if problems:
        return None
    return Step(
        key=key,
        name=_text(item.get("name")),
        limit=limit,
        unit=unit,
        start=start,
        end=end,
        type=step_type,
        extension=extension,
        form_deadline=form_deadline,
        when=when,
        roll_to_workday=bool(roll),
        note=_text(item.get("note")),
        written=bool(flags["written"]),
        after_hours=bool(flags["after_hours"]),
    )


def _unit(raw: object, problems: list[str]) -> str:
    if raw in (None, ""):
        return ""
    unit = normalize_unit(str(raw).strip())
    if unit not in UNITS:
        problems.append(
            f'未知的时限单位 "{raw}" (unit must be 工作日, 日, 小时, 分钟 or 月; 天 = 日)'
        )
        return ""
    return unit


def _limit(raw: object, unit: str, problems: list[str]) -> float:
    if raw in (None, ""):
        return 0
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        problems.append(f'时限 "{raw}" 不是数字 (limit must be a number)')
        return 0
    if raw < 0:
        problems.append(f"时限不能为负数: {raw} (limit must be 0 or more)")
        return 0
    # Days and months are whole; half an hour is written as 30 分钟 or 0.5 小时.
    if unit in DAY_UNITS and raw != int(raw):
        problems.append(f"时限 {raw} {unit} 必须是整数 (whole {unit})")
        return 0
    if raw > _MAX_LIMIT.get(unit, float("inf")):
        problems.append(f"时限过大: {raw} {unit} (at most {_MAX_LIMIT[unit]}, about ten years)")
        return 0
    return int(raw) if raw == int(raw) else float(raw)


def _date_path(what: str, raw: object, problems: list[str]) -> str:
    if raw in (None, ""):
        if what == "end":
            problems.append("缺少 end (the key path whose date marks the step done)")
        return ""
    path = str(raw).strip()
    if not _is_date_path(path):
        problems.append(
            f'{what} "{path}" 不是案件格式中的日期字段 '
            f"(use a date key path from CASE-FORMAT.md such as received_at, "
            f"acceptance.decided_at, reply.replied_at, closed_at, or extra.<key>)"
        )
    return path


def _is_date_path(path: str) -> bool:
    if path.startswith("extra."):
        return len(path) > len("extra.") and " " not in path
    known = schema.BY_PATH.get(path)
    return known is not None and known.type in _DATE_TYPES


def _extension(raw: object, problems: list[str]) -> Extension | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append("extension 必须是 {max: N, unit: 日|工作日}")
        return None
    unknown = sorted(str(k) for k in raw if k not in ("max", "unit"))
    if unknown:
        problems.append(f"extension: 未知的键 {', '.join(unknown)} (allowed: max, unit)")
    limit = raw.get("max")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= 3660:
        problems.append(f'extension.max "{limit}" 必须是 1 至 3660 的整数 (days)')
        limit = 0
    unit = normalize_unit(str(raw.get("unit") or DAY))
    if unit not in EXTENSION_UNITS:
        problems.append(f'extension.unit "{unit}" 必须是 日 或 工作日 (the case records 延长天数)')
    return Extension(max=limit, unit=unit)


def _form_deadline(raw: object, problems: list[str]) -> str | None:
    if raw in (None, ""):
        return None
    if raw not in FORM_DEADLINES:
        problems.append(f'form_deadline "{raw}" 必须是 {" 或 ".join(FORM_DEADLINES)}')
        return None
    return str(raw)


def _when(raw: object, problems: list[str]) -> dict[str, tuple[object, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append("when 必须是 键路径: [取值, ...] 的映射")
        return {}
    when: dict[str, tuple[object, ...]] = {}
    for key, values in raw.items():
        path = str(key)
        if not schema.is_known_path(path) or path in schema.GROUPS:
            problems.append(f'when: "{path}" 不是案件格式中的字段')
        allowed = values if isinstance(values, list) else [values]
        when[path] = tuple(allowed)
    return when


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


# -- description -------------------------------------------------------------------------


def describe_profile(profile: Profile) -> str:
    """A readable summary for `profile show --summary` and the docs."""
    lines = [f"{profile.name}  {profile.title}", f"来源 (source): {profile.source}"]
    for step in profile.steps:
        limit = f"{step.limit} {step.unit}"
        kind = "期限内提出" if step.type == WINDOW else "时限"
        line = (
            f"  {step.key}: {step.name} — {kind} {limit}, 自 {profile.label(step.start)} "
            f"({step.start}) 起, 完成标志 {profile.label(step.end)} ({step.end})"
        )
        if step.extension:
            line += f", 可延长至多 {step.extension.max} {step.extension.unit}"
        line += "".join(
            text
            for flag, text in (
                (step.written, ", 须书面答复"),
                (step.roll_to_workday, ", 遇节假日顺延"),
                (
                    step.after_hours,
                    f", 非工作时间接到的自上班起算 ({_hours_text(profile.business_hours)})",
                ),
            )
            if flag
        )
        lines.append(line)
    for rule in profile.required:
        condition = "; ".join(f"{k} = {'/'.join(map(str, v))}" for k, v in rule.when.items())
        lines.append(f"  必填 ({condition}): {', '.join(rule.fields)}")
    return "\n".join(lines)


def _hours_text(hours: tuple[time, time] | None) -> str:
    return "" if hours is None else f"{hours[0]:%H:%M}-{hours[1]:%H:%M}"
