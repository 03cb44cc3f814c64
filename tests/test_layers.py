"""The layering holds: no module imports from a package above it, and none hides an import in a
function to get round that.

app → pages → ui → charts / data_access.metrics → data_access.store; the import pipeline
(data_access.importing) sits on the store, the write paths (data_access.admin) on both, and the
demo generator and the first-start bootstrap on top of data_access.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package -> packages it must never import (directly or by a dotted path)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "data_access/store": (
        "data_access.metrics",
        "data_access.importing",
        "data_access.admin",
        "data_access.demo",
        "data_access.bootstrap",
        "charts",
        "ui",
        "pages",
        "streamlit",
    ),
    "data_access/metrics": (
        "data_access.importing",
        "data_access.admin",
        "data_access.demo",
        "data_access.bootstrap",
        "charts",
        "ui",
        "pages",
        "streamlit",
        "sqlalchemy",
    ),
    "data_access/importing": (
        "data_access.admin",
        "data_access.demo",
        "data_access.bootstrap",
        "charts",
        "ui",
        "pages",
        "streamlit",
    ),
    "data_access/admin": (
        "data_access.demo",
        "data_access.bootstrap",
        "charts",
        "ui",
        "pages",
        "streamlit",
    ),
    "charts": (
        "ui",
        "pages",
        "streamlit",
        "sqlalchemy",
        "data_access.admin",
        "data_access.importing",
    ),
}


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, inside a function) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module, child.lineno, in_function))
                found.extend(
                    (f"{child.module}.{a.name}", child.lineno, in_function) for a in child.names
                )
            visit(child, nested)

    visit(tree, False)
    return found


def _files(package: str) -> list[Path]:
    return [p for p in sorted((ROOT / package).rglob("*.py")) if "versions" not in p.parts]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_from_a_package_above_it(package: str) -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _files(package)
        for module, line, _ in _imports(path)
        if any(module == f or module.startswith(f + ".") for f in FORBIDDEN[package])
    ]
    assert bad == []


@pytest.mark.parametrize("package", ["data_access", "charts", "ui"])
def test_no_function_local_imports_in_the_library(package: str) -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module} inside a function"
        for path in _files(package)
        for module, line, local in _imports(path)
        if local and module.split(".")[0] in {"data_access", "charts", "ui"}
    ]
    assert bad == []
