"""The package's shape, checked: the torch layer never imports scikit-learn or the
estimators, and no class or function grows past what a reader takes in at once."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skvhp"
TORCH_LAYER = PACKAGE / "_torch"
MAX_CLASS_LINES = 250  # lines of code, docstrings aside
MAX_FUNCTION_LINES = 60


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _imported(tree: ast.AST, path: Path) -> set[str]:
    """Absolute names of everything a module imports (relative imports resolved)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                names.add(f"{base}.{node.module}" if node.module else base)
            else:
                names.add(node.module)
    return names


@pytest.mark.parametrize("path", _modules(TORCH_LAYER), ids=lambda p: p.name)
def test_the_torch_layer_imports_neither_sklearn_nor_the_estimators(path):
    imported = _imported(ast.parse(path.read_text()), path)
    offending = {
        name
        for name in imported
        if name.split(".")[0] == "sklearn"
        or (name.startswith("skvhp") and not name.startswith("skvhp._torch"))
    }
    assert not offending, f"{path.name} imports {sorted(offending)}"


def _code_lines(node: ast.AST, source_lines: list[str]) -> int:
    """Lines of ``node`` that hold code: docstrings, comments and blank lines aside."""
    skip = set()
    for inner in ast.walk(node):
        body = getattr(inner, "body", None)
        if (
            isinstance(inner, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            skip.update(range(body[0].lineno, body[0].end_lineno + 1))
    count = 0
    for number in range(node.lineno, node.end_lineno + 1):
        text = source_lines[number - 1].strip()
        if number not in skip and text and not text.startswith("#"):
            count += 1
    return count


def _sizes():
    for path in _modules(PACKAGE):
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                yield f"{path.name}:{node.name}", _code_lines(node, lines), MAX_CLASS_LINES
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield f"{path.name}:{node.name}", _code_lines(node, lines), MAX_FUNCTION_LINES


def test_no_class_or_function_is_too_long():
    too_long = [f"{name} ({n} > {limit})" for name, n, limit in _sizes() if n > limit]
    assert not too_long, "split these: " + ", ".join(too_long)


def test_the_size_count_ignores_docstrings_and_comments():
    source = 'class A:\n    """Doc\n    string."""\n\n    # a comment\n    x = 1\n'
    node = ast.parse(source).body[0]
    assert _code_lines(node, source.splitlines()) == 2  # "class A:" and "x = 1"


def test_vhp_keeps_to_the_papers_parameters_plus_a_few():
    """VHPAutoencoder's own parameters (those IWAE does not share) stay at most 13: an
    option family with hyperparameters of its own is one object (``topology``)."""
    from skvhp import IWAE, VHPAutoencoder

    defaults = VHPAutoencoder().get_params()
    live = {k for k, v in defaults.items() if not (isinstance(v, str) and v == "deprecated")}
    own = live - set(IWAE._get_param_names())
    assert len(own) <= 13, sorted(own)
    assert len(defaults) - len(live) == 5  # the names of 0.1, removed in 0.3
