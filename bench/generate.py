"""Benchmark: batch generation and regeneration, against docxtpl used the obvious way.

    .venv/bin/python bench/generate.py [--n 2000] [--docxtpl 200] [--jobs N]

Prints one table from one run over N deterministic cases (F01 and the R01 register),
case files parsed once beforehand for (a), (b) and (c) alike:
(a) docxtpl the obvious way (new DocxTemplate, render(autoescape=True), save per document),
(b) recordkit single process, (c) recordkit with all cores, (d) no-op regenerate over the
whole manifest, (e) regenerate after one template changed, (f) peak memory at N and 5N
(each in a fresh process), (g) a 5,000-row R01 register. Ratios compare in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

from recordkit.cases.store import dump_case
from recordkit.config import init_workdir, load_config
from recordkit.forms.batch import Job, default_jobs, run_jobs
from recordkit.forms.generator import make_generator
from recordkit.forms.regenerate import Regenerator

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
CHANNELS = ["电话", "来访", "信函", "电子邮件", "网上"]
TOPICS = [
    "检验报告数据与送检记录不符",
    "报告出具超期",
    "收费与公示价格不一致",
    "窗口人员态度生硬",
    "样品退还时包装破损",
]


def make_cases(config, n: int, seed: int = 42) -> None:
    """N valid case files, the same for the same seed; written directly (bench setup, not timed)."""
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    for i in range(1, n + 1):
        received = start + timedelta(days=rng.randrange(0, 300))
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        closed = received + timedelta(days=rng.randrange(3, 20))
        data = {
            "case_no": f"TS-2026-{i:05d}",
            "kind": "投诉",
            "received_at": f"{received.isoformat()} {rng.randrange(8, 18):02d}:{rng.randrange(0, 60):02d}",
            "channel": rng.choice(CHANNELS),
            "receiver": "张敏",
            "complainant": {
                "name": name,
                "phone": f"1{rng.randrange(3, 9)}{rng.randrange(10**8, 10**9)}",
                "address": f"福建省漳州市芗城区胜利西路 {rng.randrange(1, 300)} 号",
            },
            "content": rng.choice(TOPICS) + "。" + "客户称 & 要求 <复检>，" * rng.randrange(1, 6),
            "request": "复检并书面答复",
            "category": "质量",
            "severity": "一般",
            "acceptance": {
                "decision": "受理",
                "decided_at": (received + timedelta(days=1)).isoformat(),
            },
            "assignment": {"department": "质量信息管理科", "handler": "王芳"},
            "investigation": {"findings": "原始记录核查无误。", "valid": rng.random() < 0.5},
            "resolution": {
                "measures": "向客户解释。",
                "approved_by": "陈某",
                "approved_at": closed.isoformat(),
            },
            "reply": {
                "replied_at": closed.isoformat(),
                "method": "书面",
                "content": "经核查, 原报告结果正确。",
            },
            "closed_at": closed.isoformat(),
        }
        path = config.cases_dir / "2026" / f"{data['case_no']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_case(data), encoding="utf-8")


def workdir(n: int) -> Path:
    root = Path(tempfile.mkdtemp(prefix="rk-bench-"))
    config = init_workdir(root, org_name="漳州市示例检验检测中心")
    make_cases(config, n)
    # Real case files were written days ago; files younger than 2 s are never cached
    # (racy timestamps), which would make every run here a cold one.
    past = time.time() - 3600
    for path in config.cases_dir.rglob("*.yaml"):
        os.utime(path, (past, past))
    return root


def jobs_for(generator, code: str) -> list[Job]:
    paths = sorted(generator.config.cases_dir.glob("2026/*.yaml"))
    return [Job(code, str(p), p.stem) for p in paths]


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def bench_docxtpl(root: Path, count: int) -> float:
    """The obvious way: a new DocxTemplate per document (as an office script would do)."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    from recordkit.forms.context import form_context, form_record
    from recordkit.forms.render import _check, _yesno

    config = load_config(root)
    generator = make_generator(config)
    form = generator.catalog.get("F01")
    cases = [generator.casebook.load(Path(j.case_path)) for j in jobs_for(generator, "F01")[:count]]
    env = Environment()
    env.filters.update(check=_check, yesno=_yesno)
    out = root / "docxtpl-out"
    out.mkdir()

    def run():
        for case in cases:
            template = DocxTemplate(str(form.path))
            ctx = form_context(config, form_record(form.code, form.title, form.version), case.data)
            template.render(ctx, env, autoescape=True)
            template.save(str(out / f"{case.case_no}.docx"))

    seconds, _ = timed(run)
    generator.close()
    return seconds


def bench_recordkit(root: Path, workers: int) -> tuple[float, int]:
    generator = make_generator(load_config(root))
    jobs = jobs_for(generator, "F01")
    seconds, result = timed(lambda: run_jobs(generator, jobs, workers))
    assert not result.failures, result.failures[:3]
    generator.close()
    return seconds, len(result.outputs)


def bench_regenerate(root: Path, workers: int) -> tuple[float, int]:
    generator = make_generator(load_config(root))
    regenerator = Regenerator(generator)

    def run():
        plan = regenerator.plan()
        return regenerator.run(plan, force=False, workers=workers)

    seconds, result = timed(run)
    generator.close()
    return seconds, len(result.outputs)


def bump_template(root: Path) -> None:
    template = next((root / "form_templates").glob("F01-*.docx"))
    with zipfile.ZipFile(template) as archive:
        items = [(i, archive.read(i)) for i in archive.infolist()]
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in items:
            if re.match(r"word/header\d*\.xml", info.filename):
                text = data.decode("utf-8")
                data = re.sub(r"第(\d+)版", lambda m: f"第{int(m.group(1)) + 1}版", text).encode(
                    "utf-8"
                )
            archive.writestr(info, data)


def bench_register(rows: int) -> tuple[float, float]:
    """Seconds for the first register over new case files (cache cold) and the next one."""
    root = workdir(rows)
    times = []
    for _ in range(2):
        generator = make_generator(load_config(root))
        seconds, result = timed(lambda g=generator: g.register("R01", year=2026))
        assert result.count == rows
        generator.close()
        times.append(seconds)
    return times[0], times[1]


def child_peak(n: int) -> float:
    """Peak RSS (MiB) of a fresh process generating N forms single-process."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(n)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_mib"]


def child(n: int) -> None:
    root = workdir(n)
    seconds, count = bench_recordkit(root, 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n": count, "seconds": seconds, "peak_mib": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000, help="cases (default 2000)")
    parser.add_argument(
        "--docxtpl", type=int, default=200, help="documents for the docxtpl baseline (it is slow)"
    )
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--register-rows", type=int, default=5000)
    parser.add_argument(
        "--memory",
        type=int,
        nargs=2,
        metavar=("SMALL", "LARGE"),
        help="N for the memory test (default N and 5N)",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    root = workdir(args.n)
    # (a) gets its cases already loaded; parse them once here for (b) and (c) too (the
    # parsed-case cache), so all three time rendering and writing, not YAML parsing.
    warm = make_generator(load_config(root))
    warm.casebook.scan()
    warm.close()
    a_sec = bench_docxtpl(root, min(args.docxtpl, args.n))
    a_rate = min(args.docxtpl, args.n) / a_sec
    b_sec, b_count = bench_recordkit(root, 1)
    b_rate = b_count / b_sec
    c_sec, c_count = bench_recordkit(root, args.jobs)
    c_rate = c_count / c_sec
    d_sec, d_count = bench_regenerate(root, args.jobs)
    assert d_count == 0
    bump_template(root)
    e_sec, e_count = bench_regenerate(root, args.jobs)
    small, large = args.memory or (args.n, 5 * args.n)
    m_small, m_large = child_peak(small), child_peak(large)
    g_cold, g_warm = bench_register(args.register_rows)

    rows = [
        (
            "(a) docxtpl, obvious way",
            f"{min(args.docxtpl, args.n)} docs",
            f"{a_sec:.2f} s",
            f"{a_rate:.0f} docs/s",
            "1.0×",
        ),
        (
            "(b) recordkit, 1 process",
            f"{b_count} docs",
            f"{b_sec:.2f} s",
            f"{b_rate:.0f} docs/s",
            f"{b_rate / a_rate:.1f}× (a)  target ≥ 30×",
        ),
        (
            f"(c) recordkit, {args.jobs} processes",
            f"{c_count} docs",
            f"{c_sec:.2f} s",
            f"{c_rate:.0f} docs/s",
            f"{c_rate / b_rate:.2f}× (b)  target ≥ 1.7×",
        ),
        (
            "(d) regenerate, nothing changed",
            f"{args.n} outputs",
            f"{d_sec:.2f} s",
            f"{d_sec * 10000 / args.n:.2f} s per 10,000",
            "target < 2 s per 10,000",
        ),
        (
            "(e) regenerate after F01 revised",
            f"{e_count} docs",
            f"{e_sec:.2f} s",
            f"{e_count / e_sec:.0f} docs/s",
            "",
        ),
        (
            f"(f) peak memory, {small} / {large} docs",
            "",
            f"{m_small:.0f} / {m_large:.0f} MiB",
            "",
            f"{m_large / m_small:.2f}×  target ≤ 1.5×",
        ),
        (
            f"(g) R01 register, {args.register_rows} rows",
            "first / again",
            f"{g_cold:.2f} / {g_warm:.2f} s",
            "",
            "target < 2 s (again: parsed cases cached)",
        ),
    ]
    print(
        f"recordkit generate benchmark — {date.today().isoformat()} — {platform.platform()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    header = ("case", "work", "time", "rate", "ratio / target")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=False)]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)))


if __name__ == "__main__":
    main()
