"""The Python snippets of README.md and docs/*.md: every name they use is defined, and
they run, page by page, in one namespace per page (as a reader would paste them).

A snippet may be preceded by ``<!-- doc-test: slow -->`` (it runs only with ``-m slow``:
a full-size fit) or ``<!-- doc-test: skip (reason) -->`` (it needs something a test
machine lacks, such as a Dask scheduler); both are still checked for undefined names.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(
    r"(?:<!--\s*doc-test:\s*(?P<mark>slow|skip)[^>]*-->\s*\n)?```python\n(?P<code>.*?)```",
    re.S,
)


def snippets(page: Path) -> list[tuple[str | None, str]]:
    return [(m.group("mark"), m.group("code")) for m in BLOCK.finditer(page.read_text())]


PAGES_WITH_CODE = [p for p in PAGES if snippets(p)]


def _page_param(page: Path):
    marks = [pytest.mark.slow] if any(m == "slow" for m, _ in snippets(page)) else []
    return pytest.param(page, id=page.name, marks=marks)


def test_the_pages_have_snippets():
    names = {p.name for p in PAGES_WITH_CODE}
    assert {"README.md", "quickstart.md", "user_guide.md", "models.md"} <= names


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=lambda p: p.name)
def test_snippets_use_only_defined_names(page):
    """ruff's undefined-name check (F821) over the page's snippets, in order."""
    code = "\n".join(code for _, code in snippets(page))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "F821",
            "--no-cache",
            "-q",
            "--stdin-filename",
            f"{page.stem}_snippets.py",
            "-",
        ],  # fmt: skip
        input=code,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"{page.name}:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("page", [_page_param(p) for p in PAGES_WITH_CODE])
def test_snippets_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # snippets that write files write them here
    namespace: dict = {"__name__": "__doc_snippet__"}
    ran = 0
    for mark, code in snippets(page):
        if mark == "skip":
            continue
        exec(compile(code, f"{page.name} snippet", "exec"), namespace)
        ran += 1
    assert ran > 0 or all(m == "skip" for m, _ in snippets(page))


def test_the_results_pages_are_what_their_files_give():
    """The tables the pages include are generated from the results files (the docs
    build rewrites them; benchmarks/_results_pages.py): a committed page that a results
    file no longer gives is a number that drifted."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from _results_pages import render_pages

        pages = render_pages(ROOT / "docs" / "results")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    assert len(pages) >= 7
    stale = [p.name for p, text in pages.items() if not p.exists() or p.read_text() != text]
    assert not stale, f"regenerate with python benchmarks/_results_pages.py: {stale}"


# A results file a page quotes: docs/results/... or, in an include, results/... .
# Paths a command writes (after --out) and a user's own outputs (benchmarks/results/)
# are not quotes; neither is history shown with git show REV:path.
RESULTS_FILE = re.compile(r"(?<![\w/])(?:docs/)?results/[\w./-]*\w")
NOT_A_QUOTE = re.compile(r"--out\s+\S+|benchmarks/results/\S+|git show \w+:\S+")


def test_the_pages_quote_only_results_files_that_exist():
    missing = set()
    for page in PAGES:
        text = NOT_A_QUOTE.sub("", page.read_text())
        for quoted in RESULTS_FILE.findall(text):
            path = ROOT / quoted if quoted.startswith("docs/") else ROOT / "docs" / quoted
            if not path.exists():
                missing.add(f"{page.name}: {quoted}")
    assert not missing, sorted(missing)
