"""Internal words never reach users (issue 10 item 14): the source documents are named by
their procedures, not as "seed 002"; the docs do not point into ../shared/; the monthly
report for management explains the complaint rate in Chinese, not by a config key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from docx_text import docx_text
from openpyxl import load_workbook

from recordkit.cli import cli

INTERNAL = re.compile(r"\bseeds? \d{3}|shared/|service_volume")
ROOT = Path(__file__).resolve().parent.parent


def _internal(text: str) -> list[str]:
    return [line for line in text.splitlines() if INTERNAL.search(line)]


def test_recordkit_toml_has_no_internal_words(workdir):
    text = workdir.path.read_text(encoding="utf-8")
    commented_key = '# service_volume = {"2026-10" = 1200}'  # the key itself, for the admin to set
    assert [line for line in _internal(text) if not line.startswith(commented_key)] == []


def test_forms_and_profiles_shown_have_no_internal_words(workdir, runner):
    forms = json.loads(runner.invoke(cli, ["forms", "list", "--json"]).stdout)
    profiles = json.loads(runner.invoke(cli, ["profile", "list", "--json"]).stdout)
    assert len(forms) > 20 and len(profiles) > 10
    shown = [runner.invoke(cli, ["forms", "show", f["code"]]) for f in forms]
    shown += [runner.invoke(cli, ["profile", "show", p["name"]]) for p in profiles]
    assert all(r.exit_code == 0 for r in shown)
    assert [line for r in shown for line in _internal(r.stdout)] == []


def test_monthly_report_has_no_config_key(workdir, runner, book, sample_case):
    book.add(sample_case)
    result = runner.invoke(cli, ["report", "monthly", "--month", "2026-03", "--json"])
    assert result.exit_code == 0, result.output
    paths = json.loads(result.stdout)
    text = docx_text(Path(paths["docx"]))
    assert "分母为本期登记的服务 (产品) 总量" in text
    book_ = load_workbook(paths["xlsx"])
    text += "\n".join(
        str(c) for ws in book_ for row in ws.iter_rows(values_only=True) for c in row if c
    )
    assert "未登记 2026-03 的服务总量" in text
    assert _internal(text) == []


@pytest.mark.parametrize(
    "doc",
    sorted(
        p.relative_to(ROOT).as_posix() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    ),
)
def test_docs_do_not_point_into_shared_or_name_seeds(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert [
        line for line in text.splitlines() if re.search(r"\bseeds? \d{3}|\.\./shared/", line)
    ] == []
