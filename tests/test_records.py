"""Records beside cases: quality incidents, rectification notices, CAPAs, service visits.

Each type is validated, numbered, linked, imported and rendered by the same code as
cases; errors name the file, key path and Chinese label, and bad input writes nothing.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import FIRST_NUMBER, sample_for
from openpyxl import Workbook

from recordkit.cases import schema
from recordkit.cases.spreadsheet import import_cases
from recordkit.cases.store import Library, validate_case
from recordkit.cli import cli
from recordkit.clock.setup import open_book, open_library
from recordkit.config import load_config
from recordkit.errors import CaseNotFoundError, CaseValidationError, ImportRowsError

TYPES = [t.name for t in schema.OTHER_TYPES]


def problems(data: dict, type_name: str, checks=()) -> list[str]:
    return [str(p) for p in validate_case(data, "x.yaml", checks, schema.RECORD_TYPES[type_name])]


# --------------------------------------------------------------------------- contract


@pytest.mark.parametrize("type_name", TYPES)
def test_sample_record_is_valid_and_numbered_in_its_own_folder(type_name, workdir):
    book = open_book(workdir, schema.RECORD_TYPES[type_name])
    data = sample_for(type_name)
    data.pop("source_case", None)
    first, second = book.add(data), book.add(sample_for(type_name))
    number = FIRST_NUMBER[type_name]
    assert first.case_no == number
    assert second.case_no == number.replace("001", "002")
    assert first.path == workdir.root / "records" / type_name / "2026" / f"{number}.yaml"
    stored = yaml.safe_load(first.path.read_text(encoding="utf-8"))
    assert list(stored)[0] == "record_no"  # the number first, like the paper form


@pytest.mark.parametrize("type_name", TYPES)
def test_labels_are_unique_per_type_and_every_field_is_documented(type_name):
    from pathlib import Path

    rtype = schema.RECORD_TYPES[type_name]
    assert len(rtype.by_label) == len(rtype.fields), "import matches columns by label"
    doc = (Path(__file__).resolve().parent.parent / "docs" / "case-format.md").read_text(
        encoding="utf-8"
    )
    for field in rtype.fields:
        assert f"| `{field.path}` | {field.label} |" in doc, field.path


@pytest.mark.parametrize("type_name", TYPES)
def test_required_fields_types_and_dates_are_checked_with_file_key_and_label(type_name):
    rtype = schema.RECORD_TYPES[type_name]
    data = sample_for(type_name)
    for path in rtype.required:
        *groups, leaf = path.split(".")
        node = data
        for group in groups:
            node = node[group]
        node.pop(leaf, None)
    data[rtype.date_field] = "2026-02-30"
    found = problems(data, type_name)
    date_label = rtype.by_path[rtype.date_field].label
    assert (
        f"x.yaml: {rtype.date_field} ({date_label}): 2026-02-30 不是日期 (is not a date)" in found
    )
    for path in rtype.required:
        if path != rtype.date_field:
            # issue 10: an empty choice field lists what may be typed
            choices = rtype.by_path[path].choices
            allowed = f"; allowed: {' | '.join(choices)}" if choices else ""
            assert (
                f"x.yaml: {path} ({rtype.by_path[path].label}): 必填项为空 (required{allowed})"
                in found
            )


def test_dates_may_not_precede_the_record_date():
    data = sample_for("capa")
    data["verification"]["at"] = "2026-01-10"
    assert problems(data, "capa") == [
        "x.yaml: verification.at (验证日期): 2026-01-10 早于提出日期 2026-02-26 (before opened_at)",
        "x.yaml: verification.at (验证日期): 2026-01-10 早于完成日期 2026-03-20 (before completed_at); 验证在措施完成之后",
    ]


def test_service_customer_signs_after_the_service_never_before():
    data = sample_for("service")
    data["customer_signed_at"] = "2026-05-14 08:00"  # before completion at 13:10
    assert problems(data, "service") == [
        "x.yaml: customer_signed_at (用户签字时间): 2026-05-14 08:00 早于完成时间 2026-05-14 13:10 (before completed_at); "
        "用户只能在服务完成后签字确认 (不允许在服务前要求用户签字)",
    ]
    del data["completed_at"]
    assert problems(data, "service") == [
        "x.yaml: customer_signed_at (用户签字时间): 服务尚未完成 (completed_at 为空), 不能先有用户签字; 不允许在服务前要求用户签字",
    ]


def test_service_parts_table_is_checked():
    data = sample_for("service")
    data["parts"] = [{"name": "轴承", "qty": 2}]
    assert problems(data, "service") == [
        "x.yaml: parts (换件): 第 1 项有未知的键 qty (columns: name (名称)、quantity (数量)、reason (换件原因))",
    ]
    data["parts"] = "轴承 2 个"
    assert "应为列表" in problems(data, "service")[0]


def test_capa_verifier_is_not_the_owner_and_rectification_closes_only_when_passed():
    capa = sample_for("capa")
    capa["verification"]["by"] = capa["owner"]
    assert problems(capa, "capa") == [
        "x.yaml: verification.by (验证人): 李文辉 是本措施的责任人, 不能验证自己的措施 (verifier must not be the owner)"
    ]
    notice = sample_for("rectification")
    notice["recheck"]["result"] = "不合格"
    assert problems(notice, "rectification") == [
        "x.yaml: closed_at (关闭日期): 复查结论为不合格, 不能关闭 (重新整改并复查合格后再关闭)"
    ]


# --------------------------------------------------------------------------- incident grading


def test_incident_grade_is_checked_against_the_configured_loss_thresholds(workdir):
    book = open_book(workdir, schema.INCIDENT)
    data = sample_for("incident")
    data["grade"] = "一般"  # loss 6800 >= 5000
    with pytest.raises(CaseValidationError) as err:
        book.add(data, source="事故.yaml")
    assert err.value.message == (
        "事故.yaml: grade (事故等级): 损失金额 6,800 元 ≥ 重大质量事故标准 5,000 元 ([incidents] serious_loss_yuan), 应为 重大"
    )
    data["grade"] = "重大"
    data["loss_amount"] = 1200
    with pytest.raises(CaseValidationError) as err:
        book.add(data, source="事故.yaml")
    assert (
        "未达到重大质量事故标准 5,000 元" in err.value.message
        and "serious_reason (重大事故情形)" in err.value.message
    )
    data["serious_reason"] = "整批报废"
    assert book.add(data).case_no == "SG-2026-0001"
    assert book.files() and len(book.files()) == 1

    # another office grades at 20,000 元: the same record is then 一般
    text = workdir.path.read_text(encoding="utf-8").replace(
        "serious_loss_yuan = 5000", "serious_loss_yuan = 20000"
    )
    workdir.path.write_text(text, encoding="utf-8")
    other = open_book(load_config(workdir.path), schema.INCIDENT)
    data = sample_for("incident")
    data["grade"] = "一般"
    assert other.add(data).case_no == "SG-2026-0002"


def test_incident_form_prints_computed_grade_rule_and_report_deadlines(workdir):
    from docx_text import docx_text

    from recordkit.forms.generator import make_generator

    data = sample_for("incident")
    data.pop("grade")
    data["casualties"] = True
    record = open_book(workdir, schema.INCIDENT).add(data)
    generator = make_generator(workdir)
    output, _ = generator.fill(generator.catalog.get("F23"), record)
    generator.close()
    text = docx_text(output.path)
    assert "☑重大" in text  # computed: a casualty makes it serious
    assert "5,000 元以上（含）" in text  # the configured threshold
    assert "24 小时内报告药品监督管理部门" in text
    assert (
        "首次报告 2026-05-09 17:26 前（24 小时）" in text
        and "书面报告 2026-05-23 17:26 前（15 日）" in text
    )


# --------------------------------------------------------------------------- links


def test_source_case_must_exist_and_forms_show_the_link(workdir, book, sample_case):
    from docx_text import docx_text

    from recordkit.forms.generator import make_generator

    capa_book = open_book(workdir, schema.CAPA)
    data = sample_for("capa")
    data["source"] = "投诉"
    data["source_case"] = "TS-2026-0001"
    with pytest.raises(CaseValidationError) as err:
        capa_book.add(data, source="capa.yaml")
    assert (
        err.value.message
        == "capa.yaml: source_case (投诉编号): 找不到案件 TS-2026-0001 (no case with this number in cases/)"
    )
    assert capa_book.files() == []
    book.add(sample_case)
    record = capa_book.add(data)
    generator = make_generator(workdir)
    output, _ = generator.fill(generator.catalog.get("F26"), record)
    generator.close()
    assert (
        "TS-2026-0001（投诉，2026-03-02 09:30 接收；漳州某某建材有限公司　李强：检验报告 No.2026-0311）"
        in docx_text(output.path)
    )
    # the link is checked every time the record is read: deleting the case makes it an error
    next(book.root.rglob("TS-2026-0001.yaml")).unlink()
    with pytest.raises(CaseValidationError, match="source_case"):
        capa_book.load(record.path)


def test_source_case_may_not_be_a_path(workdir):
    data = sample_for("service")
    data["source_case"] = "../TS-2026-0001"
    assert problems(data, "service")[0].startswith(
        "x.yaml: source_case (来源案件): '../TS-2026-0001' 含有不允许的字符"
    )


def test_library_finds_numbers_across_types_and_loads_by_folder(workdir, book, sample_case):
    library = open_library(workdir)
    book.add(sample_case)
    for type_name in TYPES:
        data = sample_for(type_name)
        data.pop("source_case", None)
        open_book(workdir, schema.RECORD_TYPES[type_name]).add(data)
    for type_name, number in FIRST_NUMBER.items():
        record = library.get(number)
        assert record.rtype.name == type_name and record.case_no == number
        assert library.load(record.path).rtype.name == type_name
    with pytest.raises(CaseNotFoundError) as err:
        library.get("CA-2026-099")
    assert (
        err.value.message
        == "找不到纠正和预防措施记录 CA-2026-099 (no capa record with this number)"
    )
    with pytest.raises(CaseNotFoundError) as err:
        library.get("TS-2026-0099")
    assert err.value.message.startswith("找不到案件 TS-2026-0099")
    assert isinstance(Library.around(workdir), Library)


# --------------------------------------------------------------------------- import


def _xlsx(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_import_service_visits_from_xlsx_with_labels_and_parts(workdir, tmp_path):
    path = _xlsx(
        tmp_path / "售后服务记录.xlsx",
        [
            [
                "服务类别",
                "报修时间",
                "用户单位",
                "联系电话",
                "产品编号",
                "故障现象",
                "是否三包",
                "服务工程师",
                "换件",
                "备注",
            ],
            [
                "维修",
                "2026-06-01 09:30",
                "漳州滨江假日酒店",
                5962906688,
                "HN76-2409-0033",
                "噪声大 & 振动",
                "是",
                "郑少斌、谢志远",
                "风机轴承 6204 | 2 个 | 磨损\n减振垫 | 4 块 | 老化",
                "夜间 23 点后",
            ],
            [
                "安装调试",
                "2026-06-03",
                "漳州职业技术学院",
                None,
                None,
                None,
                "否",
                "康建新",
                None,
                None,
            ],
        ],
    )
    report = import_cases(open_book(workdir, schema.SERVICE), path)
    assert [c.case_no for c in report.created] == ["FW-2026-0001", "FW-2026-0002"]
    first = report.created[0].data
    assert first["customer"]["phone"] == "5962906688" and first["warranty"] is True
    assert first["engineers"] == ["郑少斌", "谢志远"]
    assert first["parts"] == [
        {"name": "风机轴承 6204", "quantity": "2 个", "reason": "磨损"},
        {"name": "减振垫", "quantity": "4 块", "reason": "老化"},
    ]
    assert first["extra"] == {"备注": "夜间 23 点后"} and report.extra_columns == ["备注"]
    again = import_cases(open_book(workdir, schema.SERVICE), path)
    assert again.created == [] and [r for r, _n in again.duplicates] == [2, 3]


def test_import_of_bad_rows_names_row_column_and_writes_nothing(workdir, tmp_path):
    path = _xlsx(
        tmp_path / "纠正措施.xlsx",
        [
            ["提出日期", "措施类型", "不符合事实", "投诉编号"],
            ["2026-03-01", "纠正措施", "记录缺签字", None],
            ["2026-02-30", "整改", "", "TS-2026-0404"],
        ],
    )
    book = open_book(workdir, schema.CAPA)
    with pytest.raises(ImportRowsError) as err:
        import_cases(book, path)
    assert err.value.message.splitlines() == [
        f"{path}: 第 3 行, 列 提出日期: 2026-02-30 不是日期 (is not a date)",
        f"{path}: 第 3 行, 列 措施类型: 整改 不是允许的值 (allowed: 纠正措施 | 预防措施 | 纠正和预防措施)",
        f"{path}: 第 3 行, 列 不符合事实: 必填项为空 (required)",
        f"{path}: 第 3 行, 列 投诉编号: 找不到案件 TS-2026-0404 (no case with this number in cases/)",
        f"{path}: 共 4 处错误, 未导入任何纠正和预防措施记录 (use --skip-bad to import the good rows)",
    ]
    assert book.files() == []
    report = import_cases(book, path, skip_bad=True)
    assert [c.case_no for c in report.created] == ["CA-2026-001"] and len(report.skipped) == 4


def test_import_needs_the_types_required_columns(workdir, tmp_path):
    from recordkit.errors import SpreadsheetError

    path = _xlsx(tmp_path / "事故.xlsx", [["发生时间", "发生地点"], ["2026-05-01", "仓库"]])
    with pytest.raises(SpreadsheetError) as err:
        import_cases(open_book(workdir, schema.INCIDENT), path)
    assert (
        err.value.message
        == f"{path}: 缺少必需的列: 事故经过 (description) (missing required column)"
    )


# --------------------------------------------------------------------------- generation


def test_forms_of_a_record_type_refuse_other_records(workdir, book, sample_case):
    from recordkit.forms.generator import make_generator

    case = book.add(sample_case)
    generator = make_generator(workdir)
    result = generator.fill_cases(generator.catalog.get("F26"), [case.case_no])
    generator.close()
    assert [f.reason for f in result.failures] == [
        "F26 纠正和预防措施表 用于纠正和预防措施记录, TS-2026-0001 是案件 (form is for capa records, not case)"
    ]


def test_generate_fills_each_record_with_its_forms_and_regenerate_follows_edits(
    workdir, book, sample_case
):
    from recordkit.forms.generator import make_generator
    from recordkit.forms.regenerate import DATA, Regenerator

    book.add(sample_case)
    for type_name in TYPES:
        data = sample_for(type_name)
        data.pop("source_case", None)
        open_book(workdir, schema.RECORD_TYPES[type_name]).add(data)
    generator = make_generator(workdir)
    cases, failures = generator.load_cases(None)
    assert failures == []
    made = {(o.case_no, o.form_code) for o in generator.run(generator.plan(cases, None)).outputs}
    assert {
        ("SG-2026-0001", "F23"),
        ("SG-2026-0001", "F24"),
        ("ZG-2026-0001", "F25"),
        ("CA-2026-001", "F26"),
        ("FW-2026-0001", "F27"),
    } <= made
    assert ("FW-2026-0001", "F28") not in made  # a repair visit is not an installation
    path = open_library(workdir).locate("CA-2026-001")
    path.write_text(
        path.read_text(encoding="utf-8").replace("更换加热管。", "更换加热管并校准。"),
        encoding="utf-8",
    )
    regenerator = Regenerator(make_generator(workdir))
    plan = regenerator.plan()
    assert [(s.record.case_no, s.record.form_code, s.reason) for s in plan.stale] == [
        ("CA-2026-001", "F26", DATA)
    ]
    result = regenerator.run(plan, False, 1)
    assert [o.case_no for o in result.outputs] == ["CA-2026-001"] and result.failures == []
    generator.close()


# --------------------------------------------------------------------------- CLI


def _write(path, data):
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_cli_record_new_list_validate(workdir, runner, tmp_path):
    source = _write(tmp_path / "服务单.yaml", sample_for("service"))
    result = runner.invoke(
        cli, ["record", "new", "--type", "售后服务", "--from", str(source), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"record_no": "FW-2026-0001"' in result.stdout
    blank = runner.invoke(cli, ["record", "new", "--type", "capa"])
    assert blank.exit_code == 0 and blank.stdout.startswith("CA-2026-001 ")
    listed = runner.invoke(cli, ["record", "list", "--type", "service", "--json"])
    assert '"summary": "接头脱开。"' in listed.stdout and '"status": "已关闭"' in listed.stdout
    # the blank CAPA is not valid yet: validation lists what to fill in
    checked = runner.invoke(cli, ["record", "validate"])
    assert checked.exit_code == 1
    assert (
        "records/capa/" in checked.stderr
        and "nonconformity (不符合事实): 必填项为空 (required)" in checked.stderr
    )
    assert "已校验 2 个文件, 1 个有错误。" in checked.stdout


def test_cli_record_bad_input_is_one_clear_error_and_nothing_written(workdir, runner, tmp_path):
    data = sample_for("rectification")
    data["issued_at"] = "2026-04-31"
    data["source_case"] = "TS-2026-0009"
    source = _write(tmp_path / "整改.yaml", data)
    result = runner.invoke(cli, ["record", "new", "--type", "rectification", "--from", str(source)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {source}: issued_at (签发日期): 2026-04-31 不是日期 (is not a date)",
        f"{source}: source_case (来源案件): 找不到案件 TS-2026-0009 (no case with this number in cases/)",
    ]
    assert not (workdir.root / "records" / "rectification").exists() or not list(
        (workdir.root / "records" / "rectification").rglob("*.yaml")
    )
    usage = runner.invoke(cli, ["record", "new", "--type", "complaint"])
    assert usage.exit_code == 1  # a bad value exits 1 (issue 10 item 11)


def test_cli_record_import_and_fill_by_number(workdir, runner, tmp_path):
    path = _xlsx(
        tmp_path / "事故.xlsx",
        [
            ["发生时间", "发生地点", "事故经过", "损失金额", "事故等级"],
            ["2026-07-22 03:40", "2 号冷库", "压缩机停机 <备用机组未切换>", 18600, "重大"],
        ],
    )
    result = runner.invoke(cli, ["record", "import", "--type", "incident", str(path)])
    assert result.exit_code == 0, result.output
    assert "导入 1 件, 重复 0 件, 跳过 0 处错误。" in result.stdout
    filled = runner.invoke(cli, ["fill", "F23", "SG-2026-0001", "--json"])
    assert filled.exit_code == 0, filled.output
    assert "SG-2026-0001/F23-质量事故调查处理报告表.docx" in filled.stdout


@pytest.mark.parametrize("type_name", TYPES)
def test_cli_bad_record_of_every_type_exits_1_naming_file_key_label(
    type_name, workdir, runner, tmp_path
):
    rtype = schema.RECORD_TYPES[type_name]
    data = sample_for(type_name)
    data[rtype.date_field] = "2026-13-01"
    source = _write(tmp_path / f"{type_name}.yaml", data)
    result = runner.invoke(cli, ["record", "new", "--type", rtype.label, "--from", str(source)])
    assert result.exit_code == 1
    label = rtype.by_path[rtype.date_field].label
    assert (
        result.stderr
        == f"Error: {source}: {rtype.date_field} ({label}): 2026-13-01 不是日期 (is not a date)\n"
    )
    assert not list((workdir.root / "records").rglob("*.yaml"))
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"{rtype.date_field}: [2026\n", encoding="utf-8")
    result = runner.invoke(cli, ["record", "new", "--type", type_name, "--from", str(broken)])
    assert (
        result.exit_code == 1
        and "YAML 格式错误" in result.stderr
        and "Traceback" not in result.output
    )
