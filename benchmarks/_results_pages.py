"""The results pages: Markdown tables generated from the results files.

Each script listed in ``SCRIPTS`` (paths relative to ``benchmarks/``) defines
``results_pages(results) -> {page name: text}``, computed from the results files under
``results`` (``docs/results``) alone. The documentation build writes them
(``docs/conf.py`` calls ``write_pages``), so a table the docs include cannot disagree
with its file, and ``tests/test_docs.py`` checks that the committed pages are what the
files give.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
SCRIPTS = (
    "experiments/defaults_study.py",
    "experiments/frey_smoothness.py",
    "experiments/graph_defaults.py",
    "experiments/iwae_warmup_screen.py",
    "experiments/kappa_recipe.py",
    "experiments/motion.py",
    "experiments/nll_table.py",
    "experiments/pendulum.py",
    "experiments/pendulum_topology.py",
    "experiments/shape_harness.py",
    "experiments/topology_suite.py",
    "experiments/vamp_mnist.py",
    "experiments/vhp_score_estimators.py",
    "performance/graph_scale.py",
    "performance/memory.py",
    "performance/out_of_core.py",
    "performance/speed.py",
)


def _load(script: str):
    """The script as a module, under a name of its own (``results_pages.<suite>.<name>``),
    so that it shadows no other module."""
    name = "results_pages." + script.removesuffix(".py").replace("/", ".")
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / script)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # before it runs: its dataclasses look themselves up
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return sys.modules[name]


def render_pages(results: Path) -> dict[Path, str]:
    """Every generated page: its path and its text (nothing is written)."""
    pages: dict[Path, str] = {}
    saved = sys.path[:]
    try:
        for script in SCRIPTS:
            for page, text in _load(script).results_pages(results).items():
                pages[results / page] = text
    finally:
        sys.path[:] = saved  # the scripts put benchmarks/ on it
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
