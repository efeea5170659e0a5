"""Every script in benchmarks/performance/ and benchmarks/experiments/ runs: each one's
``--smoke`` mode (tiny data, one epoch, outputs in a temporary folder) in a fresh
interpreter, as a user would start it. Scripts are named by their path in benchmarks/."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SUITES = ("performance", "experiments")  # the shared library (_*.py) is at the top level
NOT_HERE: set[str] = set()  # every script runs here (pythae_side.py: pythae is a dev extra)
NEEDS_SHARED_DATA = {
    "experiments/defaults_study.py",
    "experiments/frey_smoothness.py",
    "experiments/iwae_mnist.py",
    "experiments/iwae_warmup_screen.py",
    "experiments/kappa_recipe.py",
    "experiments/motion.py",
    "experiments/nll_table.py",
    "performance/out_of_core.py",
    "performance/speed.py",
    "experiments/vamp_mnist.py",
    "experiments/vhp_score_estimators.py",
}
PYTHON_FILES = sorted([*BENCHMARKS.glob("*.py"), *BENCHMARKS.glob("*/*.py")])
SCRIPTS = sorted(
    p.relative_to(BENCHMARKS).as_posix()
    for suite in SUITES
    for p in (BENCHMARKS / suite).glob("*.py")
    if p.relative_to(BENCHMARKS).as_posix() not in NOT_HERE
)


def test_every_script_is_listed():
    """Every runnable script is in one of the two suites; the top level holds only the
    shared library."""
    assert set(SCRIPTS) | NOT_HERE == {
        p.relative_to(BENCHMARKS).as_posix()
        for p in PYTHON_FILES
        if p.parent != BENCHMARKS or not p.name.startswith("_")
    }
    assert all(p.parent.name in SUITES for p in PYTHON_FILES if p.parent != BENCHMARKS)
    assert NEEDS_SHARED_DATA <= set(SCRIPTS)


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(s, marks=pytest.mark.shared_data) if s in NEEDS_SHARED_DATA else s
        for s in SCRIPTS
    ],
)
def test_smoke_run(script, request, tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    if script in NEEDS_SHARED_DATA:
        env["SKVHP_DATA"] = str(request.getfixturevalue("shared_data_dir"))  # or skip
    else:
        # As on a fresh clone: a script that reads the shared data without being listed
        # above fails here, in every run, not only where ../shared is missing.
        env["SKVHP_DATA"] = str(tmp_path / "no-shared-data")
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--smoke"],
        cwd=BENCHMARKS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "smoke run: outputs go to" in result.stdout


def test_scripts_find_the_shared_data_in_one_place():
    """Only benchmarks/_common.py names the shared folder (DEFAULT_DATA, which honours
    $SKVHP_DATA): a path written elsewhere would escape the data-free smoke runs."""
    offenders = [
        p.name
        for p in PYTHON_FILES
        if p.name != "_common.py" and ('"shared"' in p.read_text() or "../shared" in p.read_text())
    ]
    assert not offenders


def test_the_shape_harness_split_covers_every_variant_once():
    """The held-out list was fixed before tuning (docs/results/shape_harness_split.json):
    a variant added since must be placed in it by hand, never by redrawing the split."""
    import json

    sys.path.insert(0, str(BENCHMARKS))
    try:
        from _shape_data import VARIANTS
    finally:
        sys.path.remove(str(BENCHMARKS))
    split = json.loads((BENCHMARKS.parent / "docs/results/shape_harness_split.json").read_text())
    held_out, tuning = set(split["held_out"]), set(split["tuning"])
    assert not held_out & tuning
    assert held_out | tuning == set(VARIANTS)
    assert split["date"] == "2026-12-07"


def test_the_docs_point_only_at_scripts_that_exist():
    import re

    root = BENCHMARKS.parent
    pages = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    missing = set()
    for page in pages:
        text = re.sub(r"git show \w+:\S+", "", page.read_text())  # history is fine
        for name in re.findall(r"benchmarks/(?:[a-z]+/)?[a-z_0-9]+\.(?:py|sh)", text):
            if not (root / name).exists():
                missing.add(f"{page.name}: {name}")
    assert not missing, sorted(missing)


def _imported_and_patched(path: Path) -> tuple[set[str], list[str]]:
    """The modules a script imports (also through ``importlib.import_module("name")`` or
    ``runpy``), and what it patches in the package: attributes it assigns on names it took
    from skvhp (``module.name = ...``, also in a tuple, or ``setattr(module, ...)``) and
    ``mock.patch("skvhp...")`` / ``patch.object(module, ...)``."""
    import ast

    tree = ast.parse(path.read_text())
    imported, from_skvhp = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imported.add(alias.name.split(".")[0])
                if alias.name.split(".")[0] == "skvhp":
                    from_skvhp.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
            if node.module.split(".")[0] == "skvhp":
                from_skvhp.update(alias.asname or alias.name for alias in node.names)

    def root(node):
        while isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    def flat(targets):
        for target in targets:
            if isinstance(target, ast.Tuple | ast.List):
                yield from flat(target.elts)
            else:
                yield target

    patched = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in flat(targets):
            if isinstance(target, ast.Attribute) and root(target) in from_skvhp:
                patched.append(ast.unparse(target))
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name, first = ast.unparse(node.func), node.args[0]
        literal = first.value if isinstance(first, ast.Constant) else None
        if name.endswith(("import_module", "run_module", "run_path")) and isinstance(literal, str):
            imported.add(Path(literal).stem.split(".")[0])
        elif name == "setattr" and root(first) in from_skvhp:
            patched.append(ast.unparse(node))
        elif name.endswith("patch") and isinstance(literal, str) and literal.startswith("skvhp"):
            patched.append(ast.unparse(node))
        elif name.endswith("patch.object") and root(first) in from_skvhp:
            patched.append(ast.unparse(node))
    return imported, patched


def test_no_script_imports_another_or_patches_the_package():
    """Scripts share code through the underscore modules (_common.py, _table2.py, …)
    only, and measure the package as a user gets it."""
    scripts = {Path(s).stem for s in SCRIPTS} | {Path(s).stem for s in NOT_HERE}
    offenders = {}
    for path in PYTHON_FILES:
        imported, patched = _imported_and_patched(path)
        if imported & scripts - {path.stem} or patched:
            offenders[path.relative_to(BENCHMARKS).as_posix()] = (
                sorted(imported & scripts),
                patched,
            )
    assert not offenders, offenders


def test_the_import_and_patch_finder_sees_both(tmp_path):
    script = tmp_path / "study.py"
    script.write_text(
        "import importlib\nimport topology_suite\nimport skvhp._start as layouts\n"
        "from unittest import mock\nfrom skvhp import _vhp\n"
        "layouts.CIRCLE = 3\nsetattr(_vhp, 'f', None)\nx = layouts.CIRCLE\n"
        "layouts.A, (layouts.B, y) = 1, (2, 3)\nnll = importlib.import_module('nll_table')\n"
        "mock.patch('skvhp._vhp.f')\nmock.patch.object(_vhp, 'g')\n"
    )
    imported, patched = _imported_and_patched(script)
    assert {"topology_suite", "nll_table"} <= imported
    assert patched == [
        "layouts.CIRCLE",
        "layouts.A",
        "layouts.B",
        "setattr(_vhp, 'f', None)",
        "mock.patch('skvhp._vhp.f')",
        "mock.patch.object(_vhp, 'g')",
    ]
