"""fill / generate / register through the CLI, and the manifest they record."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from recordkit.cli import cli
from recordkit.index.manifest import Manifest


def test_fill_writes_output_and_manifest(workdir, runner, book, sample_case):
    book.add(sample_case)
    result = runner.invoke(cli, ["fill", "F01", "TS-2026-0001", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)["outputs"][0]
    path = Path(out["path"])
    assert path == workdir.out_dir / "TS-2026-0001" / "F01-申诉和投诉处理及反馈表.docx"
    rows = Manifest(workdir.manifest_path, workdir.database_url).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.output_path == "out/TS-2026-0001/F01-申诉和投诉处理及反馈表.docx"
    assert row.output_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (
        row.data_sha256
        == hashlib.sha256(
            (workdir.cases_dir / "2026" / "TS-2026-0001.yaml").read_bytes()
        ).hexdigest()
    )
    assert row.template_version == out["version"] and len(row.template_sha256) == 64


def test_unknown_form_code(workdir, runner, book, sample_case):
    book.add(sample_case)
    result = runner.invoke(cli, ["fill", "F99", "TS-2026-0001"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 未知的表单编号 F99 (known: ")


def test_unknown_case(workdir, runner):
    result = runner.invoke(cli, ["fill", "F01", "TS-2026-9999"])
    assert result.exit_code == 1
    assert "TS-2026-9999: 找不到案件 TS-2026-9999" in result.stderr


def test_case_number_with_path_separator_is_refused(workdir, runner):
    result = runner.invoke(cli, ["fill", "F01", "../../etc"])
    assert result.exit_code == 1
    assert "案件编号 '../../etc' 无效" in result.stderr
    assert not any(workdir.out_dir.iterdir())


def test_generate_makes_every_needed_form(workdir, runner, book, sample_case):
    book.add(sample_case)
    result = runner.invoke(cli, ["generate", "--json"])
    assert result.exit_code == 0, result.output
    codes = {o["form_code"] for o in json.loads(result.stdout)["outputs"]}
    from recordkit.forms.catalog import Catalog

    expected = {
        f.code for f in Catalog(workdir.templates_dir).needed_for(sample_case, workdir.profile)
    }
    assert codes == expected and "F01" in codes


def test_generate_continues_past_a_bad_case(workdir, runner, book, sample_case):
    book.add(sample_case)
    bad = workdir.cases_dir / "2026" / "TS-2026-0002.yaml"
    bad.write_text(
        "kind: 投诉\nreceived_at: 2026-02-30\ncontent: x\ncomplainant: {name: 甲}\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["generate", "--form", "F01"])
    assert result.exit_code == 1
    assert (
        "cases/2026/TS-2026-0002.yaml: received_at (接收时间): 2026-02-30 不是日期" in result.stderr
    )
    assert (workdir.out_dir / "TS-2026-0001" / "F01-申诉和投诉处理及反馈表.docx").is_file()


def test_register_with_xlsx(workdir, runner, book, sample_case):
    book.add(sample_case)
    result = runner.invoke(cli, ["register", "--year", "2026", "--xlsx", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["count"] == 1 and out["period"] == "2026年度"
    assert Path(out["path"]).is_file() and Path(out["xlsx"]).is_file()


def test_register_date_range_and_bad_date(workdir, runner, book, sample_case):
    book.add(sample_case)
    ok = runner.invoke(cli, ["register", "--from", "2026-03-01", "--to", "2026-03-31", "--json"])
    assert json.loads(ok.stdout)["count"] == 1
    none = runner.invoke(cli, ["register", "--from", "2026-04-01", "--json"])
    assert json.loads(none.stdout)["count"] == 0
    bad = runner.invoke(cli, ["register", "--from", "2026-02-30"])
    assert bad.exit_code == 1  # a bad value exits 1 (issue 10 item 11)
    assert bad.stderr == "Error: --from: 2026-02-30 不是日期 (is not a date)\n"


def test_forms_list_and_check(workdir, runner):
    listed = json.loads(runner.invoke(cli, ["forms", "list", "--json"]).stdout)
    assert {"F01", "R01"} <= {f["code"] for f in listed}
    assert all(f["version"] for f in listed)
    check = runner.invoke(cli, ["forms", "check"])
    assert check.exit_code == 0, check.output
    assert check.stderr == ""


def test_forms_show(workdir, runner):
    result = runner.invoke(cli, ["forms", "show", "F01", "--json"])
    assert result.exit_code == 0
    details = json.loads(result.stdout)
    assert "case.content" in details["fields"] and details["problems"] == []


def test_pdf_without_libreoffice_is_a_clear_error(workdir, runner, book, sample_case, monkeypatch):
    monkeypatch.setenv("RECORDKIT_SOFFICE", str(workdir.root / "no-such-soffice"))
    book.add(sample_case)
    result = runner.invoke(cli, ["fill", "F01", "TS-2026-0001", "--pdf"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 未找到 LibreOffice (soffice), 无法生成 PDF。")
