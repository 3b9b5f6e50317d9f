"""regenerate: stale detection, history, hand edits, lock, and a kill -9 mid-run."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from docx_text import docx_text
from filelock import FileLock

from recordkit.cli import cli
from recordkit.forms.generator import Generator


def bump_version(
    template: Path, label_from: str | None = None, label_to: str | None = None
) -> None:
    """Revise a template as an admin would: change the header's 第N版 (and a label)."""
    with zipfile.ZipFile(template) as archive:
        items = [(i, archive.read(i)) for i in archive.infolist()]
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in items:
            if re.match(r"word/header\d*\.xml", info.filename):
                data = re.sub(
                    rb"\xe7\xac\xac(\d+)\xe7\x89\x88",
                    lambda m: f"第{int(m.group(1)) + 1}版".encode(),
                    data,
                )
            if label_from and info.filename == "word/document.xml":
                data = data.replace(label_from.encode(), label_to.encode(), 1)
            archive.writestr(info, data)


@pytest.fixture
def filled(workdir, runner, book, sample_case):
    book.add(sample_case)
    book.add(dict(sample_case, kind="申诉"))
    result = runner.invoke(cli, ["generate", "--form", "F01", "--form", "F03", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return workdir


def dry_run(runner) -> dict:
    result = runner.invoke(cli, ["regenerate", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def reasons(plan: dict) -> dict[tuple[str, str], str]:
    return {(s["case_no"], s["form_code"]): s["reason"] for s in plan["stale"]}


def test_nothing_changed_nothing_stale(filled, runner):
    plan = dry_run(runner)
    assert plan["stale"] == [] and plan["unchanged"] == 4


def test_template_data_both_missing_and_edited(filled, runner):
    out = filled.out_dir
    bump_version(filled.templates_dir / "F01-申诉和投诉处理及反馈表.docx")
    case_file = filled.cases_dir / "2026" / "TS-2026-0001.yaml"
    case_file.write_text(
        case_file.read_text(encoding="utf-8").replace("李强", "李强强"), encoding="utf-8"
    )
    (out / "SS-2026-0001" / "F03-投诉(申诉)登记及处理表.docx").unlink()
    edited = out / "SS-2026-0001" / "F01-申诉和投诉处理及反馈表.docx"
    edited.write_bytes(edited.read_bytes() + b"hand edit")
    assert reasons(dry_run(runner)) == {
        ("TS-2026-0001", "F01"): "both",
        ("TS-2026-0001", "F03"): "data",
        ("SS-2026-0001", "F01"): "edited by hand",
        ("SS-2026-0001", "F03"): "output missing",
    }


def test_template_only(filled, runner):
    bump_version(filled.templates_dir / "F03-投诉(申诉)登记及处理表.docx")
    assert set(reasons(dry_run(runner)).values()) == {"template"}
    assert {k[1] for k in reasons(dry_run(runner))} == {"F03"}


def test_regenerate_keeps_history_and_equals_fresh_fill(filled, runner, book):
    template = filled.templates_dir / "F01-申诉和投诉处理及反馈表.docx"
    bump_version(template)
    output = filled.out_dir / "TS-2026-0001" / "F01-申诉和投诉处理及反馈表.docx"
    before = output.read_bytes()
    result = runner.invoke(cli, ["regenerate", "--jobs", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["regenerated"]) == 2
    history = list((output.parent / ".history").iterdir())
    assert len(history) == 1 and history[0].read_bytes() == before and ".v1." in history[0].name
    fresh = Generator(filled)
    form = fresh.catalog.get("F01")
    assert fresh.render(form, book.get("TS-2026-0001")) == output.read_bytes()
    fresh.close()
    assert "第2版" in docx_text(output)
    assert dry_run(runner)["stale"] == []


def test_hand_edited_output_needs_force(filled, runner):
    edited = filled.out_dir / "TS-2026-0001" / "F01-申诉和投诉处理及反馈表.docx"
    edited.write_bytes(edited.read_bytes() + b"x")
    result = runner.invoke(cli, ["regenerate", "--jobs", "1"])
    assert result.exit_code == 0
    assert (
        "未覆盖 (手工修改过, 用 --force 覆盖): out/TS-2026-0001/F01-申诉和投诉处理及反馈表.docx"
        in result.stderr
    )
    assert edited.read_bytes().endswith(b"x")
    forced = runner.invoke(cli, ["regenerate", "--jobs", "1", "--force"])
    assert forced.exit_code == 0 and not edited.read_bytes().endswith(b"x")


def test_failing_case_does_not_stop_the_batch(filled, runner):
    bump_version(filled.templates_dir / "F01-申诉和投诉处理及反馈表.docx")
    (filled.cases_dir / "2026" / "SS-2026-0001.yaml").write_text(
        "kind: 申诉\nreceived_at: 2026-02-30\n", encoding="utf-8"
    )
    result = runner.invoke(cli, ["regenerate", "--jobs", "1", "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert [r["case_no"] for r in out["regenerated"]] == ["TS-2026-0001"]
    assert any("2026-02-30 不是日期" in f["reason"] for f in out["failures"])


def test_two_regenerations_at_once_refused(filled, runner):
    bump_version(filled.templates_dir / "F01-申诉和投诉处理及反馈表.docx")
    filled.lock_dir.mkdir(exist_ok=True)
    with FileLock(str(filled.lock_dir / "regenerate.lock")):
        result = runner.invoke(cli, ["regenerate", "--jobs", "1"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: 另一个 recordkit regenerate 正在运行, 请等它结束后再试 (regeneration lock held)\n"
    )


def test_parallel_generate_matches_serial(workdir, runner, book, sample_case):
    for _ in range(30):
        book.add(sample_case)
    serial = runner.invoke(cli, ["generate", "--form", "F01", "--form", "F02", "--jobs", "1"])
    assert serial.exit_code == 0
    first = {p: p.read_bytes() for p in workdir.out_dir.rglob("*.docx")}
    parallel = runner.invoke(cli, ["generate", "--form", "F01", "--form", "F02", "--jobs", "2"])
    assert parallel.exit_code == 0, parallel.output
    assert {p: p.read_bytes() for p in workdir.out_dir.rglob("*.docx")} == first
    assert len(first) == 60


def test_kill_during_regeneration_leaves_old_or_new_and_rerun_finishes(workdir, book, sample_case):
    for _ in range(150):
        book.add(sample_case)
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    exe = [sys.executable, "-m", "recordkit.cli"]
    subprocess.run(
        [*exe, "generate", "--form", "F01", "--jobs", "1"],
        cwd=workdir.root,
        env=env,
        check=True,
        capture_output=True,
    )
    outputs = sorted(workdir.out_dir.rglob("F01-*.docx"))
    old = {p: p.read_bytes() for p in outputs}
    bump_version(
        workdir.templates_dir / "F01-申诉和投诉处理及反馈表.docx", "投诉人", "投诉人(修订)"
    )
    proc = subprocess.Popen(
        [*exe, "regenerate", "--jobs", "1"],
        cwd=workdir.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if sum(1 for p in outputs if p.read_bytes() != old[p]) >= 5:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    fresh = Generator(workdir)
    form = fresh.catalog.get("F01")
    new = {p: fresh.render(form, book.get(p.parent.name)) for p in outputs}
    fresh.close()
    changed = [p for p in outputs if p.read_bytes() == new[p]]
    assert all(p.read_bytes() in (old[p], new[p]) for p in outputs), (
        "a partial output was left behind"
    )
    assert 0 < len(changed) < len(outputs), "the kill did not land mid-way"
    rerun = subprocess.run(
        [*exe, "regenerate", "--jobs", "1"], cwd=workdir.root, env=env, capture_output=True
    )
    assert rerun.returncode == 0, rerun.stderr.decode()
    assert all(p.read_bytes() == new[p] for p in outputs)
    assert not list(workdir.out_dir.rglob("*.tmp")), (
        "temporary files of the killed run were left behind"
    )


def test_ctrl_c_stops_parallel_generate_cleanly(workdir, book, sample_case):
    import hashlib

    from recordkit.index.manifest import Manifest

    for _ in range(500):
        book.add(sample_case)
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "recordkit.cli", "generate", "--form", "F01", "--jobs", "2"],
        cwd=workdir.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 60
    while time.time() < deadline and len(list(workdir.out_dir.rglob("F01-*.docx"))) < 20:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "已中断" in err.decode() and "Traceback" not in err.decode()
    written = sorted(workdir.out_dir.rglob("F01-*.docx"))
    assert 0 < len(written) < 500, "the interrupt did not land mid-way"
    assert not list(workdir.out_dir.rglob("*.tmp"))
    for path in written:
        zipfile.ZipFile(path).testzip()  # every file is complete
    recorded = Manifest(workdir.manifest_path, workdir.database_url).all()
    assert recorded, "finished files must be recorded"
    for row in recorded:
        assert (
            hashlib.sha256((workdir.root / row.output_path).read_bytes()).hexdigest()
            == row.output_sha256
        )
