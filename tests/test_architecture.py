"""The layout rules of docs/architecture.md, checked on the source (issue 11)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from recordkit.archive.service import Archive
from recordkit.cases.store import CaseBook, Library
from recordkit.clock.setup import ClockSetup
from recordkit.forms.catalog import Catalog
from recordkit.forms.generator import Generator
from recordkit.workspace import Workspace

PACKAGE = Path(__file__).resolve().parent.parent / "recordkit"
ROOT = PACKAGE.parent


def _modules() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def test_no_module_imports_another_modules_private_name():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("recordkit")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert found == []


def _waits_for_django(node: ast.ImportFrom) -> bool:
    """The web app's modules: Django lets its models be imported only after django.setup()."""
    return (node.module or "").startswith("recordkit.web.") and not node.level


def test_no_function_imports_a_recordkit_module():
    """Our own modules are imported at the top; only third-party libraries may wait
    (and the Django app's own modules, which django.setup() must precede)."""
    found = []
    for path, tree in _modules():
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and (
                    node.level or (node.module or "").startswith("recordkit")
                ):
                    if not _waits_for_django(node):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_only_the_cli_imports_click():
    found = [
        str(path.relative_to(ROOT))
        for path, tree in _modules()
        if "cli" not in path.relative_to(PACKAGE).parts
        for node in ast.walk(tree)
        if (
            isinstance(node, ast.Import)
            and any(a.name.split(".")[0] == "click" for a in node.names)
        )
        or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "click")
    ]
    assert found == []


def test_import_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workspace_builds_every_service(workdir):
    workspace = Workspace.open(workdir.path)
    assert workspace.config.root == workdir.root
    assert isinstance(workspace.clock, ClockSetup)
    assert workspace.clock is workspace.clock  # loaded once
    assert isinstance(workspace.casebook(), CaseBook)
    assert isinstance(workspace.library(), Library)
    assert isinstance(workspace.catalog(), Catalog)
    generator = workspace.generator()
    assert isinstance(generator, Generator)
    generator.close()
    with workspace.archive() as archive:
        assert isinstance(archive, Archive)
        assert archive.search() == []


def test_python_m_recordkit_cli_runs_the_command_line(workdir):
    result = subprocess.run(
        [sys.executable, "-m", "recordkit.cli", "case", "list", "--json"],
        cwd=workdir.root,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_no_function_runs_past_60_lines():
    """Small functions (issue 11): none over 60 lines, counted on the formatted source
    (`ruff format --check` in `make lint` keeps it formatted)."""
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1})"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > 60
    ]
    assert long == []
