"""Issue 14 point 11: retention per record. A 重大 case is kept longer by rule; a document
or a case can be given 30年 / 永久 by hand; every change is an event with a reason; a
longer period is never shortened silently."""

from __future__ import annotations

import json

import yaml
from archive_setup import form_pdf, make_workdir
from click.testing import CliRunner

from recordkit.archive.service import Archive
from recordkit.cli import cli


def file_forms(config, tmp_path, *specs: tuple[str, str]) -> list[str]:
    scans = [
        form_pdf(tmp_path / f"{c}_{f}_{n}.pdf", c, f, serial=n) for n, (c, f) in enumerate(specs)
    ]
    with Archive(config) as archive:
        results = archive.ingest(scans, jobs=1).results
    assert all(r.outcome == "filed" for r in results), results
    return [r.archive_no for r in results]


def make_major(config, case_no: str = "TS-2026-0007") -> None:
    path = config.root / "cases" / "2026" / f"{case_no}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["severity"] = "重大"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def rk(config, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config.path), "archive", *args])


def test_a_major_case_is_numbered_with_the_longer_period(tmp_path):
    config = make_workdir(tmp_path / "w")
    make_major(config)
    (major, ordinary) = file_forms(
        config, tmp_path, ("TS-2026-0007", "F01"), ("TS-2026-0008", "F01")
    )
    assert major == "Z109-WS·2026-D30-0001"  # F01 is D10 by the catalog; 重大 → 30年
    assert ordinary == "Z109-WS·2026-D10-0001"
    with Archive(config) as archive:
        checks = {c["name"]: c["detail"] for c in archive.show(major)["checks"]}
    assert checks["保管期限规则"] == "重大案件: 保管期限 10年 → 30年"


def test_the_rule_can_be_switched_off(tmp_path):
    config = make_workdir(tmp_path / "w", extra='major_retention = ""')
    make_major(config)
    assert file_forms(config, tmp_path, ("TS-2026-0007", "F01")) == ["Z109-WS·2026-D10-0001"]


def test_set_by_hand_is_an_event_with_its_reason(tmp_path):
    config = make_workdir(tmp_path / "w")
    (no,) = file_forms(config, tmp_path, ("TS-2026-0007", "F01"))
    out = rk(config, "retention", "set", no, "--to", "Y", "--reason", "诉讼中", "--by", "档案室")
    assert out.exit_code == 0, out.output
    assert out.output == f"{no}: 保管期限 10年 → 永久 (到期鉴定 无, 永久保存; 原因: 诉讼中)\n"
    with Archive(config) as archive:
        doc = archive.show(no)
        events = archive.index.events()
        assert archive.index.chain_problems() == []
    assert (doc["retention"], doc["retention_period"], doc["retention_period_label"]) == (
        "D10",
        "Y",
        "永久",
    )
    assert doc["disposal_due"] is None
    changed = [e for e in events if e["kind"] == "retention_changed"]
    assert len(changed) == 1 and changed[0]["archive_no"] == no
    assert json.loads(changed[0]["detail"]) == {"from": "D10", "to": "Y", "reason": "诉讼中", "by": "档案室",
                                                "forced": False}  # fmt: skip


def test_shortening_is_refused_unless_forced(tmp_path):
    config = make_workdir(tmp_path / "w")
    (no,) = file_forms(config, tmp_path, ("TS-2026-0007", "F03"))  # F03: D30
    refused = rk(config, "retention", "set", no, "--to", "D10", "--reason", "录入错误")
    assert refused.exit_code == 1
    assert refused.output == (f"Error: {no}: 保管期限 30年 不能缩短为 10年; 确需缩短时加 --force 并用 --reason 写明依据 "
                              "(shortening needs --force)\n")  # fmt: skip
    forced = rk(
        config,
        "retention",
        "set",
        no,
        "--to",
        "D10",
        "--reason",
        "鉴定小组决定",
        "--force",
        "--json",
    )
    assert forced.exit_code == 0, forced.output
    (change,) = json.loads(forced.output)
    assert change["forced"] is True and change["disposal_due"] == "2037-01-01"


def test_a_whole_case_and_the_usage_errors(tmp_path):
    config = make_workdir(tmp_path / "w")
    file_forms(
        config, tmp_path, ("TS-2026-0007", "F01"), ("TS-2026-0007", "F03"), ("TS-2026-0008", "F01")
    )
    out = rk(
        config,
        "retention",
        "set",
        "--case",
        "TS-2026-0007",
        "--to",
        "Y",
        "--reason",
        "重大质量事故",
        "--json",
    )
    assert out.exit_code == 0, out.output
    assert sorted(c["archive_no"] for c in json.loads(out.output)) == [
        "Z109-WS·2026-D10-0001",
        "Z109-WS·2026-D30-0001",
    ]
    no_reason = rk(
        config, "retention", "set", "--case", "TS-2026-0008", "--to", "Y", "--reason", " "
    )
    assert no_reason.exit_code == 1 and "--reason" in no_reason.output
    bad = rk(
        config, "retention", "set", "--case", "TS-2026-0008", "--to", "forever", "--reason", "x"
    )
    assert bad.exit_code == 1 and bad.output.startswith(
        "Error: --to: 保管期限代码 'FOREVER' 格式不对"
    )
    neither = rk(config, "retention", "set", "--to", "Y", "--reason", "x")
    assert neither.exit_code == 2 and "请给出档号, 或 --case 案件编号" in neither.output
