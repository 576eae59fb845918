"""The code keeps the shape the README draws: layers that import only downward, small
units, and the documented public names."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "paperqa"
#: The longest function and class the code may have (issue 20's bar).
MAX_FUNCTION_LINES = 80
MAX_CLASS_LINES = 300


def _units() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                kind = "class" if isinstance(node, ast.ClassDef) else "def"
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((f"{path.relative_to(SRC)}:{node.lineno} {node.name}", kind, lines))
    return found


def test_no_long_functions_or_classes():
    too_long = [
        (where, lines)
        for where, kind, lines in _units()
        if lines > (MAX_CLASS_LINES if kind == "class" else MAX_FUNCTION_LINES)
    ]
    assert too_long == []


def test_layers_import_only_downward():
    """The import-linter contracts in pyproject.toml (also run by `make lint`)."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (`make install` installs it)")
    done = subprocess.run([exe], capture_output=True, text=True, cwd=SRC.parents[1])
    assert done.returncode == 0, done.stdout[-3000:]


def test_top_level_shows_the_layers():
    entries = {p.name for p in SRC.iterdir() if not p.name.startswith(("_", "."))}
    layers = {"text", "ingest", "index", "retrieval", "answer", "interfaces", "evals"}
    assert layers <= entries
    assert {"library.py", "settings.py", "types.py", "errors.py"} <= entries


def test_documented_names_import():
    from paperqa import Library, Settings  # noqa: F401
    from paperqa.grounding import Grounding, ground

    verdict = ground("CASAL reduces hallucination by 30%.", ["CASAL reduces hallucination by 30%-40%."])
    assert isinstance(verdict, Grounding) and verdict.ok and verdict.reason is None
