"""The case clock through the CLI: status, due/overdue filters, profiles, extension limits."""

from __future__ import annotations

import json

from recordkit.cli import cli


def _open_case(sample_case, received="2026-03-02 09:30"):
    data = dict(sample_case, received_at=received)
    for key in ("reply", "closed_at", "follow_up", "resolution"):
        data.pop(key, None)
    data["acceptance"] = {"decision": "受理", "decided_at": received[:10]}
    return data


def test_case_status_json(workdir, runner, book, sample_case):
    book.add(_open_case(sample_case))
    result = runner.invoke(cli, ["case", "status", "TS-2026-0001", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)[0]
    assert status["case_no"] == "TS-2026-0001"
    assert status["profile"] == "lab"
    assert {s["key"] for s in status["steps"]}


def test_case_status_text(workdir, runner, book, sample_case):
    book.add(_open_case(sample_case))
    result = runner.invoke(cli, ["case", "status"])
    assert result.exit_code == 0
    assert result.stdout.startswith("TS-2026-0001  [lab]  办理中")


def test_case_list_overdue_and_open(workdir, runner, book, sample_case):
    book.add(_open_case(sample_case))  # March 2026, still open: long overdue
    book.add(sample_case)  # closed
    overdue = json.loads(runner.invoke(cli, ["case", "list", "--overdue", "--json"]).stdout)
    assert [r["case_no"] for r in overdue] == ["TS-2026-0001"]
    open_ = json.loads(runner.invoke(cli, ["case", "list", "--open", "--json"]).stdout)
    assert [r["case_no"] for r in open_] == ["TS-2026-0001"]


def test_due_within_bad_value_exits_1(workdir, runner):
    result = runner.invoke(cli, ["case", "list", "--due-within", "soon"])
    assert result.exit_code == 1  # a bad value exits 1 (issue 10 item 11)
    assert result.stderr.startswith("Error: --due-within: ")


def test_extension_beyond_profile_limit_is_a_validation_error(
    tmp_path, runner, sample_case, monkeypatch
):
    runner.invoke(cli, ["init", str(tmp_path), "--profile", "hospital"])
    monkeypatch.chdir(tmp_path)
    import yaml

    sample_case["extension"] = {"granted_at": "2026-03-12", "days": 40, "reason": "需要外部鉴定"}
    source = tmp_path / "in.yaml"
    source.write_text(yaml.safe_dump(sample_case, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(cli, ["case", "new", "--from", str(source)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: in.yaml: extension.days (延长天数): 延长 40 日超过允许的最多 30 日"
    )


def test_profile_list_show_check(workdir, runner, tmp_path):
    listed = json.loads(runner.invoke(cli, ["profile", "list", "--json"]).stdout)
    assert {"lab", "hospital", "after-sales"} <= {p["name"] for p in listed}
    shown = runner.invoke(cli, ["profile", "show", "hospital"])
    assert shown.exit_code == 0 and "name: hospital" in shown.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\ntitle: 坏\nsource: x\nsteps:\n  - {key: a, name: 甲, limit: 3, unit: 周, start: received_at, end: closed_at}\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["profile", "check", str(bad)])
    assert result.exit_code == 1
    assert f'{bad}: 步骤 1 (a): 未知的时限单位 "周"' in result.stderr


def test_profile_copy_then_select(workdir, runner):
    result = runner.invoke(cli, ["profile", "copy", "hospital", "my-hospital"])
    assert result.exit_code == 0, result.output
    assert (workdir.root / "profiles" / "my-hospital.yaml").is_file()
    listed = json.loads(runner.invoke(cli, ["profile", "list", "--json"]).stdout)
    assert "my-hospital" in {p["name"] for p in listed}
