"""`pip install .` must give a working cchc-xl: every sub-package, the schema and the catalogs inside the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_carries_every_module_schema_and_catalog(tmp_path):
    # Build from a clean copy: a build/ folder left in the checkout would hide a module missing from the list.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__",
                                                                 "out", "workbook", "samples"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("cchc_xl-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())

    sources = {path.relative_to(ROOT).as_posix() for path in (ROOT / "cchc_xl").rglob("*.py")}
    missing = sorted(source for source in sources if source not in names)
    assert not missing, f"modules left out of the wheel: {missing}"
    assert "cchc_xl/schema/catalog.schema.json" in names
    catalogs = sorted(path.name for path in (ROOT / "schema" / "catalogs").glob("*.json"))
    assert catalogs, "no catalog in schema/catalogs"
    for name in catalogs:
        assert f"cchc_xl/schema/catalogs/{name}" in names
    entry_points = next(name for name in names if name.endswith(".dist-info/entry_points.txt"))
    assert "cchc-xl = cchc_xl.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_every_library_the_package_imports_is_a_declared_dependency():
    import ast
    import importlib.metadata
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    # the run-time dependencies, and the extras of optional commands (not the test tools)
    specs = project["dependencies"] + [spec for extra, specs in project["optional-dependencies"].items()
                                       if extra != "test" for spec in specs]
    declared = {re.split(r"[<>=!~\[ ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs}
    distributions = importlib.metadata.packages_distributions()
    imported = set()
    for source in (ROOT / "cchc_xl").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = sorted(name for name in imported - set(sys.stdlib_module_names) - {"cchc_xl", "__future__"})
    undeclared = [name for name in third_party
                  if not {dist.lower().replace("_", "-") for dist in distributions.get(name, [name])} & declared]
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"
