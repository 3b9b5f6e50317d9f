"""Dates in every accepted form are stored and sorted as dates (issue 10: items 6, 20, 21)."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from recordkit.cli import cli


def _fresh(sample_case: dict, **changes: object) -> dict:
    """The sample case received on another day: the later steps are not taken yet."""
    data = copy.deepcopy(sample_case)
    data.update(closed_at=None, follow_up={}, reply={}, resolution={}, acceptance={})
    data["subject"].pop("report_received_at")
    data.update(changes)
    return data


def _add(runner, tmp_path, sample_case, name: str, **changes):
    data = _fresh(sample_case, **changes)
    source = tmp_path / f"{name}.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return runner.invoke(cli, ["case", "new", "--from", str(source), "--json"])


def test_chinese_and_slash_dates_are_written_as_iso_and_sorted_as_dates(
    workdir, runner, tmp_path, sample_case
):
    for name, received in (("a", "2026-12-01"), ("b", "2026年11月10日"), ("c", "2026/11/11")):
        result = _add(
            runner, tmp_path, sample_case, name, received_at=received, content=f"内容 {name}"
        )
        assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(cli, ["case", "list", "--json"]).stdout)
    assert [r["received_at"] for r in listed] == ["2026-11-10", "2026-11-11", "2026-12-01"]
    written = (workdir.cases_dir / "2026" / "TS-2026-0002.yaml").read_text(encoding="utf-8")
    assert "received_at: '2026-11-10'\n" in written


def test_dates_typed_into_a_case_file_are_listed_as_iso(workdir, runner, sample_case):
    folder = workdir.cases_dir / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    for number, received in (
        ("TS-2026-0001", "2026-12-01 08:00"),
        ("TS-2026-0002", "2026年11月10日 9:05"),
    ):
        data = _fresh(sample_case, case_no=number, received_at=received)
        (folder / f"{number}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
        )
    listed = json.loads(runner.invoke(cli, ["case", "list", "--json"]).stdout)
    assert [(r["case_no"], r["received_at"]) for r in listed] == [
        ("TS-2026-0002", "2026-11-10 09:05"),
        ("TS-2026-0001", "2026-12-01 08:00"),
    ]


def test_register_sorts_by_date_not_by_text(workdir, runner, sample_case):
    from openpyxl import load_workbook

    folder = workdir.cases_dir / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    for number, received in (("TS-2026-0001", "2026-12-01"), ("TS-2026-0002", "2026年11月10日")):
        data = _fresh(sample_case, case_no=number, received_at=received)
        (folder / f"{number}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
        )
    result = runner.invoke(cli, ["register", "--year", "2026", "--xlsx", "--json"])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(json.loads(result.stdout)["xlsx"]).active
    text = [str(c.value) for row in sheet.iter_rows(min_row=2) for c in row if c.value]
    assert text.index("TS-2026-0002") < text.index("TS-2026-0001")


@pytest.mark.parametrize(
    "option", [["archive", "due", "--on", "2037/06/01"], ["register", "--from", "2026/11/01"]]
)
def test_date_options_accept_the_same_forms(workdir, runner, option):
    result = runner.invoke(cli, [*option, "--json"])
    assert result.exit_code == 0, result.output


def test_bad_date_option_is_the_same_error_everywhere(workdir, runner):
    due = runner.invoke(cli, ["archive", "due", "--on", "2037-13-01"])
    register = runner.invoke(cli, ["register", "--from", "2037-13-01"])
    assert due.exit_code == register.exit_code == 1  # a bad value, not a malformed command line
    assert due.stderr == "Error: --on: 2037-13-01 不是日期 (is not a date)\n"
    assert register.stderr == "Error: --from: 2037-13-01 不是日期 (is not a date)\n"


def test_time_zone_offset_is_refused_at_validation(workdir, runner, tmp_path, sample_case):
    source = tmp_path / "tz.yaml"
    text = yaml.safe_dump(sample_case, allow_unicode=True).replace(
        "received_at: 2026-03-02 09:30", "received_at: 2026-03-02T09:30:00+08:00"
    )
    source.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["case", "new", "--from", str(source)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {source}: received_at (接收时间): 2026-03-02 09:30:00+08:00 带有时区, "
        "请写本地时间, 如 2026-03-02 09:30 (no time zone offsets)\n"
    )


def test_year_9999_is_refused_instead_of_overflowing_the_clock(
    workdir, runner, tmp_path, sample_case
):
    result = _add(runner, tmp_path, sample_case, "far", received_at="9999-12-31 23:59")
    assert result.exit_code == 1
    assert (
        "received_at (接收时间): 9999-12-31 23:59 年份超出范围 (1900–2199) (year out of range)"
        in result.stderr
    )
    folder = workdir.cases_dir / "9999"
    folder.mkdir(parents=True)
    (folder / "TS-9999-0001.yaml").write_text(
        yaml.safe_dump(
            _fresh(sample_case, case_no="TS-9999-0001", received_at="9999-12-31 23:59"),
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    status = runner.invoke(cli, ["case", "status"])
    assert status.exit_code == 1 and "Traceback" not in status.output
    assert "年份超出范围" in status.stderr


def test_due_within_huge_duration_is_a_bad_value(workdir, runner):
    result = runner.invoke(cli, ["case", "list", "--due-within", "99999999999d"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == 'Error: --due-within: "99999999999d" 时长过长 (at most 100 years, e.g. 36500d)\n'
    )
