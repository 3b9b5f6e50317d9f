"""The form catalog: metadata from ``catalog.yaml`` plus what each .docx itself says.

The .docx is the source of truth for content and version (``第N版`` in its header, which
an admin bumps in Word); ``catalog.yaml`` says what the file alone cannot: which case
kinds and profiles need the form, its retention class, its place in the procedure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from recordkit.cases import schema
from recordkit.cases.store import MISSING, get_path, is_blank
from recordkit.errors import ConfigError, TemplateError, TemplateProblem, UnknownFormError
from recordkit.forms.context import unknown_use
from recordkit.forms.render import CompiledTemplate, compile_template, field_uses

CATALOG_FILE = "catalog.yaml"
FORM_TYPES = ("form", "notice", "register")
RETENTION_CODES = ("Y", "D30", "D10")


class CatalogLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's when PyYAML has it: the catalog is read on every web
    page of a case, and the pure-Python parser takes ~50 ms over it), with dates left as
    text: a malformed 生效日期 such as 2026-13-40 is then reported by its key, where the
    parser would fail on it with a bare ValueError."""


CatalogLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in CatalogLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Form:
    code: str
    title: str
    file: str
    type: str = "form"
    record_type: str = "case"
    paper: str = "A4 portrait"
    source: str = ""
    retention: str = "D10"
    kinds: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    when: str = ""
    order: int = 100
    extra_fields: dict[str, str] = field(default_factory=dict)
    # Keys that must not be empty for the form to make sense (e.g. a notice's findings):
    # filling it with one empty warns, naming the key and its Chinese label.
    required: list[str] = field(default_factory=list)
    # 生效日期: the day the template's current version took effect (printed in its header).
    effective: str = ""
    folder: Path = Path(".")

    @property
    def path(self) -> Path:
        return self.folder / self.file

    @property
    def is_register(self) -> bool:
        return self.type == "register"

    @property
    def rtype(self) -> schema.RecordType:
        """The kind of record this form shows (cases, or incidents, CAPAs …)."""
        return schema.RECORD_TYPES[self.record_type]

    @property
    def output_name(self) -> str:
        return f"{self.code}-{self.title}"

    @cached_property
    def compiled(self) -> CompiledTemplate:
        """Compiled once per process; a revision on disk is picked up by a new process."""
        return compile_template(self.path)

    @property
    def version(self) -> str:
        return self.compiled.version

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def needed_by(
        self, case_data: dict[str, Any], profile: str, rtype: schema.RecordType = schema.CASE
    ) -> bool:
        """Whether a case (or record of ``rtype``) of this kind, under this profile, needs this form."""
        if self.is_register or rtype.name != self.record_type:
            return False
        if (rtype.kinds or self.kinds) and str(case_data.get("kind", "")) not in self.kinds:
            return False
        if self.profiles and profile not in self.profiles:
            return False
        if self.when:
            value = get_path(case_data, self.when)
            if value is MISSING or is_blank(value) or value == {}:
                return False
        return True

    def empty_required(self, case_data: dict[str, Any]) -> list[tuple[str, str]]:
        """(key, Chinese label) of each required key the record leaves empty."""
        empty = []
        for key in self.required:
            value = get_path(case_data, key)
            if value is MISSING or is_blank(value) or value in ({}, []):
                empty.append(
                    (
                        key,
                        schema.label_of(key, self.rtype)
                        or self.extra_fields.get(key.removeprefix("extra."), ""),
                    )
                )
        return empty

    def summary(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "type": self.type,
            "record_type": self.record_type,
            "paper": self.paper,
            "source": self.source,
            "retention": self.retention,
            "kinds": self.kinds,
            "profiles": self.profiles,
            "when": self.when,
            "order": self.order,
            "effective": self.effective,
            "file": self.file,
        }


def effective_date(value: Any, where: str) -> str:
    """The catalog's ``effective`` (生效日期) as YYYY-MM-DD; "" when not given."""
    if value is None or value == "":
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ConfigError(
            f"{where}: effective (生效日期) 应为日期, 如 2026-12-01, 而不是 {value!r}"
        ) from None


class Catalog:
    """All forms of one template folder, by code, in procedure order."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.forms = self._load()

    def _load(self) -> dict[str, Form]:
        path = self.folder / CATALOG_FILE
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=CatalogLoader) or {}  # noqa: S506
        except FileNotFoundError:
            raise ConfigError(f"{path}: 表单目录文件不存在 (form catalog not found)") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: 表单目录文件格式错误 ({exc})") from None
        forms: dict[str, Form] = {}
        for index, entry in enumerate(raw.get("forms", []), 1):
            form = self._entry(path, index, entry)
            forms[form.code] = form
        return dict(sorted(forms.items(), key=lambda kv: (kv[1].order, kv[0])))

    def _entry(self, path: Path, index: int, entry: Any) -> Form:
        where = f"{path}: forms 第 {index} 项"
        if not isinstance(entry, dict) or not entry.get("code") or not entry.get("file"):
            raise ConfigError(f"{where}: 需要 code 和 file")
        known = set(Form.__dataclass_fields__) - {"folder"}
        unknown = set(entry) - known
        if unknown:
            raise ConfigError(f"{where} ({entry['code']}): 未知的键 {', '.join(sorted(unknown))}")
        form = Form(**{k: v for k, v in entry.items()}, folder=self.folder)
        form.effective = effective_date(entry.get("effective"), f"{where} ({form.code})")
        if form.type not in FORM_TYPES:
            raise ConfigError(f"{where} ({form.code}): type 应为 {' | '.join(FORM_TYPES)}")
        if form.retention not in RETENTION_CODES:
            raise ConfigError(
                f"{where} ({form.code}): retention 应为 {' | '.join(RETENTION_CODES)}"
            )
        if form.record_type not in schema.RECORD_TYPES:
            raise ConfigError(
                f"{where} ({form.code}): record_type 应为 {' | '.join(schema.RECORD_TYPES)}"
            )
        unknown_required = [
            k
            for k in form.required
            if not schema.is_known_path(k, form.rtype)
            and k.removeprefix("extra.") not in form.extra_fields
        ]
        if unknown_required:
            raise ConfigError(
                f"{where} ({form.code}): required 中的 {'、'.join(map(str, unknown_required))} 不是已知字段"
            )
        unknown_kinds = [k for k in form.kinds if k not in form.rtype.kinds]
        if unknown_kinds:
            allowed = " | ".join(form.rtype.kinds) or "[] (this record type has no kinds)"
            raise ConfigError(
                f"{where} ({form.code}): kinds 中的 {'、'.join(map(str, unknown_kinds))} 不是允许的值 ({allowed})"
            )
        return form

    def codes(self) -> list[str]:
        return list(self.forms)

    def get(self, code: str) -> Form:
        form = self.forms.get(code.upper())
        if form is None:
            raise UnknownFormError(code, self.codes())
        return form

    def select(self, codes: list[str] | None) -> list[Form]:
        return [self.get(c) for c in codes] if codes else list(self.forms.values())

    def needed_for(
        self, case_data: dict[str, Any], profile: str, rtype: schema.RecordType = schema.CASE
    ) -> list[Form]:
        return [f for f in self.forms.values() if f.needed_by(case_data, profile, rtype)]

    def listing(self) -> list[dict[str, Any]]:
        """`forms list`: every form and register in catalog order, with its version."""
        return [{**form.summary(), "version": form.version} for form in self.forms.values()]

    def check_all(self, codes: list[str] | None = None) -> list[tuple[Form, list[TemplateProblem]]]:
        """`forms check`: each form named (all when none) with its problems (empty: sound)."""
        return [(form, self.check(form)) for form in self.select(codes)]

    def check(self, form: Form) -> list[TemplateProblem]:
        """Everything wrong with one template: broken tags, unknown fields, missing QR/version."""
        if not form.path.is_file():
            return [TemplateProblem(form.file, "", "", "模板文件不存在 (template file missing)")]
        try:
            compiled = compile_template(form.path)
        except TemplateError as exc:
            return list(exc.problems)
        problems: list[TemplateProblem] = []
        seen: set[tuple[str, str, str]] = set()
        for use in field_uses(compiled):
            why = unknown_use(use.root, use.path, form.rtype)
            key = (use.part, use.root, use.path)
            if why and key not in seen:
                seen.add(key)
                tag = f"{{{{ {use.root}.{use.path} }}}}" if use.path else use.root
                if use.root == "row":
                    tag = f"(rows 循环变量).{use.path}"
                problems.append(TemplateProblem(form.file, use.part, tag, why))
        if not compiled.version:
            problems.append(
                TemplateProblem(
                    form.file, "header", "第N版", "页眉中找不到版本号 (header needs 第N版)"
                )
            )
        if compiled.code_in_header and compiled.code_in_header != form.code:
            problems.append(
                TemplateProblem(
                    form.file,
                    "header",
                    compiled.code_in_header,
                    f"页眉表单编号与目录不符 (catalog says {form.code})",
                )
            )
        if compiled.qr_member is None:
            problems.append(
                TemplateProblem(
                    form.file,
                    "word/document.xml",
                    "RK_QR",
                    "缺少二维码占位图片 (picture named RK_QR)",
                )
            )
        return problems
