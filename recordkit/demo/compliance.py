"""The process-rules part of ``recordkit demo`` (issue 14, points 1, 2 and 4).

Each file of ``examples/compliance/`` breaks or keeps one rule. They are validated and
put on the case clock against the demo's working folder, never filed, so the sample
cases and their counts stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from recordkit.cases.compliance import capa_lookup
from recordkit.cases.store import read_case_file, validate_case
from recordkit.clock.setup import clock_for, open_casebook
from recordkit.clock.status import case_status
from recordkit.config import PACKAGE_ROOT, Config

SAMPLES = PACKAGE_ROOT.parent / "examples" / "compliance"


def rule_outcome(config: Config, path: Path) -> tuple[str, list[str]]:
    """(结果, 说明): 拒绝 with the errors, 警告 with the unmet closure rules, or 通过."""
    data, _raw = read_case_file(path)
    errors = validate_case(data, path.name, open_casebook(config).checks)
    if errors:
        return "拒绝 (校验错误)", [f"{p.path} ({p.label}): {p.problem}" for p in errors]
    clock = clock_for(config)
    status = case_status(data, clock.profile, clock.calendar, datetime.now(), capa_lookup(config))
    if status.unmet:
        return "警告 (仍为办理中)", list(status.unmet)
    return "通过" + (" (已办结)" if not status.is_open else ""), []


def demo_compliance(
    config: Config, echo: Callable[..., None], table: Callable[[list[str], list[list[Any]]], None]
) -> None:
    rows = []
    for path in sorted(SAMPLES.glob("*.yaml")):
        outcome, notes = rule_outcome(config, path)
        rows.append([path.stem, outcome, notes[0] if notes else ""])
        rows += [["", "", note] for note in notes[1:]]
    table(["示例 (examples/compliance)", "结果", "说明"], rows)
