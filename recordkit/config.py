"""The working folder and its ``recordkit.toml``.

Commands find ``recordkit.toml`` in the current folder or its parents (like git), or
take ``--config``. ``init_workdir`` writes the file with commented defaults, creates the
folders and copies the bundled form templates so an office revises its own copies.
"""

from __future__ import annotations

import os
import re
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recordkit.errors import ConfigError
from recordkit.files import check_case_no, write_atomic

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_NAME = "recordkit.toml"
DATABASE_ENV = "RECORDKIT_DATABASE_URL"  # wins over [database] url
PACKAGE_ROOT = Path(__file__).resolve().parent
BUNDLED_TEMPLATES = PACKAGE_ROOT.parent / "form_templates"

DEFAULT_PATTERNS = {
    "投诉": "TS-{year}-{seq:04d}",
    "申诉": "SS-{year}-{seq:04d}",
    "争议": "ZY-{year}-{seq:04d}",
    "意见建议": "YJ-{year}-{seq:04d}",
}
# Records beside cases (质量事故, 整改通知, 纠正和预防措施, 售后服务): one sequence per type.
DEFAULT_RECORD_PATTERNS = {
    "incident": "SG-{year}-{seq:04d}",
    "rectification": "ZG-{year}-{seq:04d}",
    "capa": "CA-{year}-{seq:03d}",
    "service": "FW-{year}-{seq:04d}",
}

DEFAULT_TOML = """\
# recordkit 配置文件 (written by `recordkit init`; edit freely)

[organization]
name = "{org_name}"           # 单位名称, printed on every form
fonds_no = "{fonds_no}"       # 全宗号 (4 letters/digits; may stay blank until assigned)
category_code = "WS"          # 门类代码 (文书 = WS)
department_code = ""          # 机构(问题)代码, e.g. "ZLB"; blank = not used in 档号

[procedure]
profile = "{profile}"         # 程序时限配置: lab, certification, hospital, consumer, ... (`recordkit profile list`)
calendar_override = ""        # 节假日覆盖文件, e.g. "holidays.yaml" for years chinesecalendar does not cover

[case_numbers]                # 案件编号规则 per kind; {{year}} and {{seq:04d}} are filled in
"投诉" = "TS-{{year}}-{{seq:04d}}"
"申诉" = "SS-{{year}}-{{seq:04d}}"
"争议" = "ZY-{{year}}-{{seq:04d}}"
"意见建议" = "YJ-{{year}}-{{seq:04d}}"

[record_numbers]              # 其他记录的编号规则: 质量事故, 整改通知, 纠正和预防措施, 售后服务
incident = "SG-{{year}}-{{seq:04d}}"
rectification = "ZG-{{year}}-{{seq:04d}}"
capa = "CA-{{year}}-{{seq:03d}}"
service = "FW-{{year}}-{{seq:04d}}"

[incidents]                   # 质量事故等级 按每批损失金额 (元): 《质量投诉、事故调查和处理报告管理制度》定为 500 / 5000, 有的制度定为 20000
minor_loss_yuan = 500         # 损失 ≥ 500 元: 一般质量事故
serious_loss_yuan = 5000      # 损失 ≥ 5000 元: 重大质量事故

[folders]                     # relative to this file
cases = "cases"
records = "records"           # records/<type>/<year>/<record_no>.yaml
out = "out"
templates = "form_templates"
archive = "archive"

[generate]
keep_history = true           # keep the previous output under out/<case_no>/.history/ on regenerate

[reports]                     # 统计报表 (recordkit report monthly/yearly)
# service_volume = {{"2026-10" = 1200}}   # 当月服务/产品总量, 用户抱怨率的分母
# timeliness_target = 0.90              # 服务及时率 ≥ 90 %
# satisfaction_target = 0.85            # 用户满意程度 ≥ 85 %
# complaint_rate_limit = 0.03           # 用户抱怨率 < 3 %

[archive]
stability_seconds = 2         # a scan is taken once size and mtime are unchanged this long
max_file_mb = 200

[archive.retention]           # 保管期限 by form retention class (Y 永久, D30, D10)
default = "D10"
"""


@dataclass
class Organization:
    name: str = ""
    fonds_no: str = ""
    category_code: str = "WS"
    department_code: str = ""


@dataclass
class Config:
    """Settings of one working folder; every path is absolute."""

    root: Path
    organization: Organization = field(default_factory=Organization)
    profile: str = "lab"
    case_patterns: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PATTERNS))
    record_patterns: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RECORD_PATTERNS))
    cases_dir: Path = Path("cases")
    records_dir: Path = Path("records")
    out_dir: Path = Path("out")
    templates_dir: Path = Path("form_templates")
    archive_dir: Path = Path("archive")
    keep_history: bool = True
    # A postgresql:// URL puts every index (archive, manifest, case cache, search state)
    # into that database; None keeps the embedded SQLite files (docs/architecture.md).
    database_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.sqlite"

    @property
    def lock_dir(self) -> Path:
        return self.root / ".recordkit"

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}

    def record_dir(self, type_name: str, folder: str) -> Path:
        """The folder of one record type's files (records/<type>/)."""
        return self.records_dir / (folder or type_name)


def find_config(start: Path | None = None) -> Path:
    """The nearest recordkit.toml in ``start`` or its parents."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"找不到 {CONFIG_NAME} (not found in {here} or its parents)。"
        "请先运行 `recordkit init` 创建工作目录，或用 --config 指定。"
    )


def load_config(path: Path | None = None) -> Config:
    """Load ``path`` or the nearest recordkit.toml."""
    path = Path(path) if path else find_config()
    if path.is_dir():
        path = path / CONFIG_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: 配置文件不存在 (config file not found)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: 无法读取配置文件 ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: 配置文件格式错误 (TOML): {exc}") from None
    return _build(path.resolve(), raw)


def _text(raw: dict[str, Any], section: str, key: str, default: str, path: Path) -> str:
    value = raw.get(section, {}).get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{path}: [{section}] {key}: 应为文本 (must be a string)")
    return value


# A format spec a number may use: zero padding and a width of at most two digits (04d, 3d).
_SPEC = re.compile(r"0?[1-9]?[0-9]?d?")


def check_pattern(pattern: Any, where: str) -> str:
    """A numbering pattern that makes safe numbers: only {year} and exactly one {seq},
    checked when the config loads rather than when the first case is numbered."""
    if not isinstance(pattern, str):
        raise ConfigError(f"{where}: 编号规则应为文本 (must be a string)")
    try:
        parts = [
            (name, spec)
            for _text, name, spec, _conv in string.Formatter().parse(pattern)
            if name is not None
        ]
        names = [name for name, _spec in parts]
        odd = [spec for _name, spec in parts if spec and not _SPEC.fullmatch(spec)]
        if odd:  # checked before formatting: {seq:99999999999d} would try to allocate gigabytes
            raise ConfigError(
                f"{where}: 编号规则格式错误 ({pattern}: 格式 :{odd[0]} 不可用, 请写成 {{seq:04d}} 这样)"
            )
        unknown = [name for name in names if name not in ("year", "seq")]
        if unknown:
            raise ConfigError(
                f"{where}: 未知的占位符 {{{unknown[0]}}}, 只能使用 {{year}} 和 {{seq}} ({pattern})"
            )
        if names.count("seq") != 1:
            raise ConfigError(
                f"{where}: 编号规则必须包含且只包含一次 {{seq}} (pattern needs {{seq}} once: {pattern})"
            )
        sample = pattern.format(year=2026, seq=1)
    except (ValueError, OverflowError, MemoryError) as exc:
        raise ConfigError(
            f"{where}: 编号规则格式错误 ({pattern}: {exc or type(exc).__name__})"
        ) from None
    problem = check_case_no(sample)
    if problem:
        raise ConfigError(
            f"{where}: 编号规则生成的编号不可用 ({pattern} -> {sample[:40]}): {problem}"
        )
    return pattern


def _build(path: Path, raw: dict[str, Any]) -> Config:
    root = path.parent
    org = Organization(
        name=_text(raw, "organization", "name", "", path),
        fonds_no=_text(raw, "organization", "fonds_no", "", path),
        category_code=_text(raw, "organization", "category_code", "WS", path),
        department_code=_text(raw, "organization", "department_code", "", path),
    )
    patterns = dict(DEFAULT_PATTERNS)
    for kind, pattern in raw.get("case_numbers", {}).items():
        patterns[kind] = check_pattern(pattern, f"{path}: [case_numbers] {kind}")
    record_patterns = dict(DEFAULT_RECORD_PATTERNS)
    for name, pattern in raw.get("record_numbers", {}).items():
        if name not in DEFAULT_RECORD_PATTERNS:
            raise ConfigError(
                f"{path}: [record_numbers] {name}: 未知的记录类型 (known: {', '.join(DEFAULT_RECORD_PATTERNS)})"
            )
        record_patterns[name] = check_pattern(pattern, f"{path}: [record_numbers] {name}")

    def folder(key: str, default: str) -> Path:
        return root / (_text(raw, "folders", key, default, path) or default)

    return Config(
        root=root,
        organization=org,
        profile=_text(raw, "procedure", "profile", "lab", path),
        case_patterns=patterns,
        record_patterns=record_patterns,
        cases_dir=folder("cases", "cases"),
        records_dir=folder("records", "records"),
        out_dir=folder("out", "out"),
        templates_dir=folder("templates", "form_templates"),
        archive_dir=folder("archive", "archive"),
        keep_history=bool(raw.get("generate", {}).get("keep_history", True)),
        database_url=database_url(raw, path),
        raw=raw,
        path=path,
    )


def database_url(raw: dict[str, Any], path: Path) -> str | None:
    """``RECORDKIT_DATABASE_URL``, else ``[database] url``: a PostgreSQL URL, or None
    (blank, or a ``sqlite:`` URL, which names the embedded default)."""
    env = os.environ.get(DATABASE_ENV, "").strip()
    url = env or _text(raw, "database", "url", "", path).strip()
    where = f"环境变量 {DATABASE_ENV}" if env else f"{path}: [database] url"
    if not url or url.startswith("sqlite:"):
        return None
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in ("postgresql", "postgres"):
        shown = url if "@" not in url else url.split("://", 1)[0] + "://…"
        raise ConfigError(
            f"{where}: 数据库地址应以 postgresql:// 开头 (got {shown!r}); "
            '例如 url = "postgresql://recordkit@db.example/recordkit"'
        )
    return url


def init_workdir(
    directory: Path,
    org_name: str = "示例检验检测中心",
    fonds_no: str = "Z109",
    profile: str = "lab",
    force: bool = False,
) -> Config:
    """Create a working folder: recordkit.toml, cases/, records/, out/, archive/inbox/, templates."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config_path = directory / CONFIG_NAME
    if config_path.exists() and not force:
        raise ConfigError(f"{config_path}: 已存在 (already exists; use --force to overwrite)")
    for name in ('"', "\\", "\n"):
        if name in org_name or name in fonds_no or name in profile:
            raise ConfigError(f"单位名称、全宗号和配置名不能包含 {name!r}")
    # The config file is written last, so a folder an error left unfinished is not yet a
    # working folder and `init` can simply be run again.
    try:
        for sub in ("cases", "records", "out", "archive/inbox"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        copy_bundled_templates(directory / "form_templates")
        write_atomic(
            config_path,
            DEFAULT_TOML.format(org_name=org_name, fonds_no=fonds_no, profile=profile).encode(
                "utf-8"
            ),
        )
    except OSError as exc:
        raise ConfigError(
            f"{directory}: 无法创建工作目录, 未写入 {CONFIG_NAME} "
            f"({exc.strerror or exc}; 磁盘已满或没有权限?)"
        ) from None
    return load_config(config_path)


def copy_bundled_templates(dest: Path) -> None:
    """Copy the bundled templates that the folder does not have yet (never overwrite a revision)."""
    dest.mkdir(parents=True, exist_ok=True)
    if not BUNDLED_TEMPLATES.is_dir():
        raise ConfigError(f"找不到内置表单模板目录 {BUNDLED_TEMPLATES} (bundled templates missing)")
    for source in BUNDLED_TEMPLATES.iterdir():
        if source.suffix in (".docx", ".yaml") and not (dest / source.name).exists():
            write_atomic(
                dest / source.name, source.read_bytes(), durable=False
            )  # never a half template
