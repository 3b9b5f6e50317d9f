"""Exit codes are consistent (issue 10 item 11): a bad value is 1 everywhere, whether
recordkit or click rejects it; only a malformed command line (a missing argument or
option, an unknown option, options that exclude each other) is 2."""

from __future__ import annotations

import pytest

from recordkit.cli import cli

BAD_VALUES = [
    (["register", "--form", "F03"], "Error: F03 不是台帐 (not a register)\n"),
    (["fill", "F99", "TS-2026-0001"], None),
    (["fill", "R01", "TS-2026-0001"], None),  # a register form: reported as a failed job
    (["register", "--to", "2026-13-01"], None),
    (["register", "--status", "half"], None),  # click.Choice
    (["register", "--year", "二〇二六"], None),  # click's int type
    (
        ["report", "monthly", "--month", "2026-13"],
        'Error: --month: "2026-13" 不是有效的月份 (use YYYY-MM, e.g. 2026-10)\n',
    ),
    (["case", "list", "--due-within", "soon"], None),
    (["case", "new", "--kind", "表扬"], None),
    (["record", "list", "--type", "complaint"], None),
    (["generate", "--jobs", "0"], None),  # click.IntRange
    (
        ["archive", "due", "--on", "2037-13-01"],
        "Error: --on: 2037-13-01 不是日期 (is not a date)\n",
    ),
]

MALFORMED = [
    ["fill"],
    ["fill", "F01", "TS-2026-0001", "--bundle", "TS-2026-0001"],
    ["register", "--no-such-option"],
    ["report", "monthly"],  # --month left out
    ["record", "new"],  # --type left out
    ["archive", "dispose", "--due", "--reason", "保管期满"],  # --approver left out
]


@pytest.mark.parametrize(
    ("args", "message"), BAD_VALUES, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_a_bad_value_exits_1(workdir, runner, book, sample_case, args, message):
    book.add(sample_case)
    result = runner.invoke(cli, args, obj={})
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    if message:
        assert result.stderr == message


@pytest.mark.parametrize("args", MALFORMED, ids=" ".join)
def test_a_malformed_command_line_exits_2(workdir, runner, args):
    result = runner.invoke(cli, args, obj={})
    assert result.exit_code == 2, result.output
