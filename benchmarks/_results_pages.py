"""The results pages: Markdown tables generated from the results files.

Each script listed in ``SCRIPTS`` (in ``benchmarks/experiments/``) defines
``results_pages(results) -> {page name: text}``, computed from the results files under
``results`` (``docs/results``) alone. The documentation build writes them
(``docs/conf.py`` calls ``write_pages``), so a table the docs include cannot disagree
with its file, and ``tests/test_docs.py`` checks that the committed pages are what the
files give.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

EXPERIMENTS = Path(__file__).resolve().parent / "experiments"
SCRIPTS = ("defaults_study", "graph_defaults", "nll_table", "shape_harness", "topology_suite")


def render_pages(results: Path) -> dict[Path, str]:
    """Every generated page: its path and its text (nothing is written)."""
    pages: dict[Path, str] = {}
    saved = sys.path[:]
    sys.path.insert(0, str(EXPERIMENTS))
    try:
        for name in SCRIPTS:
            for page, text in importlib.import_module(name).results_pages(results).items():
                pages[results / page] = text
    finally:
        sys.path[:] = saved  # the scripts' names must not shadow other modules
    return pages


def write_pages(results: Path) -> list[Path]:
    """Write the pages whose text changed; returns their paths."""
    changed = []
    for path, text in render_pages(results).items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    return changed


if __name__ == "__main__":
    for written in write_pages(Path(__file__).resolve().parents[1] / "docs" / "results"):
        print(f"wrote {written}")
