"""`pip install .` alone runs every command: whatever the product imports is a runtime dependency."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("adep", "flows", "tasks", "contracts", "warehouse")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _normalise(re.split(r"[\s<>=!~;\[(]", requirement.strip(), maxsplit=1)[0])


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def third_party_imports() -> dict[str, set[str]]:
    """Top-level modules the product imports (anywhere in a module, also inside functions) -> files importing them."""
    found: dict[str, set[str]] = {}
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PRODUCT and top != "__future__":
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_third_party_import_is_a_runtime_dependency():
    runtime = {_requirement_name(r) for r in _project()["dependencies"]}
    distributions = packages_distributions()
    imports = third_party_imports()
    assert {"pandas", "duckdb", "xlsxwriter"} <= set(imports)  # the scan sees what the product really uses
    missing = {}
    for module, files in sorted(imports.items()):
        owners = {_normalise(d) for d in distributions.get(module, [])}
        assert owners, f"{module} (imported by {sorted(files)}) belongs to no installed distribution"
        if not owners & runtime:
            missing[module] = sorted(files)
    assert not missing, f"imported at run time but not in [project] dependencies: {missing}"


def test_the_test_extra_holds_only_the_test_runner():
    extras = _project()["optional-dependencies"]
    # the runner, its worker processes (tests/run runs on two), and the browser driver
    assert [_requirement_name(r) for r in extras["test"]] == ["pytest", "pytest-xdist", "playwright"]
