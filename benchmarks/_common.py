"""Helpers shared by the benchmark scripts: where outputs go, the ``--smoke`` mode,
machine facts, tables, JSON output.

Every script writes its results under ``docs/results`` and its figures under
``docs/figures`` (the one results root), through :func:`results_path` and
:func:`figures_path`; long runs keep their checkpoints in :data:`CHECKPOINTS`. With
``--smoke`` a script runs on tiny data for one epoch in seconds and writes everything to
a temporary folder instead, so that CI can run every script without touching the docs.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import sklearn
import torch

ROOT = Path(__file__).resolve().parents[1]
# The one place a script finds the shared data: $SKVHP_DATA, else ../shared/data.
DEFAULT_DATA = Path(os.environ.get("SKVHP_DATA") or ROOT.parent / "shared" / "data")
CHECKPOINTS = ROOT / "benchmarks" / "nll_checkpoints"  # git-ignored (25 MB each): long runs resume
_OUTPUT_PATHS = (
    "out",
    "figure",
    "figures",
    "interpolation_figure",
    "checkpoint_dir",
    "results_dir",
)
_smoke_root: Path | None = None  # a temporary folder during a --smoke run

# VHPAutoencoder as the paper's Algorithm 1 is written: the package's defaults until
# 2026-12-03 (they now start from PCA with an isotropic posterior). Benchmarks that
# reproduce the paper, or whose results predate the change, pass it explicitly.
ALGORITHM_1 = dict(init="random", posterior="diagonal")


def _root() -> Path:
    return _smoke_root if _smoke_root is not None else ROOT / "docs"


def results_path(name: str = "") -> Path:
    """``docs/results/<name>`` (a temporary folder's ``results/<name>`` when smoking)."""
    path = _root() / "results" / name
    (path.parent if name else path).mkdir(parents=True, exist_ok=True)
    return path


def figures_path(name: str = "") -> Path:
    """``docs/figures/<name>`` (a temporary folder's ``figures/<name>`` when smoking)."""
    path = _root() / "figures" / name
    (path.parent if name else path).mkdir(parents=True, exist_ok=True)
    return path


def checkpoints_path(name: str = "") -> Path:
    """:data:`CHECKPOINTS`/``name`` (a temporary folder's ``checkpoints`` when smoking)."""
    folder = _smoke_root / "checkpoints" if _smoke_root is not None else CHECKPOINTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def add_smoke_argument(parser, **tiny) -> None:
    """``--smoke``: the arguments in ``tiny`` (tiny data, one epoch) replace the parsed
    ones, and every output goes to a temporary folder (see :func:`parse_args`)."""
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny data, one epoch, seconds; outputs in a temporary folder (CI runs this)",
    )
    parser.set_defaults(smoke_settings=tiny)


def parse_args(parser, argv=None):
    """``parser.parse_args(argv)``, with ``--smoke`` applied."""
    global _smoke_root
    args = parser.parse_args(argv)
    if getattr(args, "smoke", False):
        _smoke_root = Path(tempfile.mkdtemp(prefix="skvhp-smoke-"))
        vars(args).update(args.smoke_settings)
        for name in _OUTPUT_PATHS:  # explicit output paths move into the folder too
            value = getattr(args, name, None)
            if value:
                setattr(args, name, str(_smoke_root / "explicit" / Path(value).name))
        print(f"smoke run: outputs go to {_smoke_root}")
    return args


def machine_info(device: str) -> dict:
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "device": device,
    }
    if device.startswith("cuda") and torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(torch.device(device))
    return info


def code_version() -> str:
    """The last commit that changed ``skvhp/``, "+changes" where the package differs from
    it ("unknown" outside a git checkout): which code a results row measured."""
    try:
        run = partial(subprocess.run, cwd=ROOT, capture_output=True, text=True, check=True)
        commit = run(["git", "log", "-1", "--format=%h", "--", "skvhp"]).stdout.strip()
        changed = run(["git", "status", "--porcelain", "--", "skvhp"]).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+changes" if changed else "")


def peak_memory_mib(device: str) -> dict:
    """Peak resident memory of this process (and peak CUDA allocation, on a GPU)."""
    peak = {"peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if device.startswith("cuda") and torch.cuda.is_available():
        peak["peak_cuda_mib"] = torch.cuda.max_memory_allocated() / 2**20
    return peak


def print_table(rows: list[dict], columns: list[str]) -> None:
    def fmt(v):
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    cells = [[fmt(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def markdown_table(rows: list[dict], columns: list[str]) -> list[str]:
    """The lines of a Markdown table of ``rows`` in ``columns``' order (a missing cell is
    empty): the results pages the documentation includes are written with it."""
    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
    return lines + ["| " + " | ".join(str(r.get(c, "")) for c in columns) + " |" for r in rows]


def results_page(script: str, sources: list[str], *tables: list[str], note: str = "") -> str:
    """A results page: one line naming the script and the results files it was generated
    from (``sources``, names in ``docs/results``; ``note`` is added to that line), then
    each table (the lines of :func:`markdown_table`), a blank line apart."""
    files = [f"`docs/results/{name}`" for name in sources]
    files = ", ".join(files[:-1]) + " and " + files[-1] if len(files) > 1 else files[0]
    lines = [f"Generated by `benchmarks/{script}` from {files}{note}.", ""]
    for table in tables:
        lines += [*table, ""]
    return "\n".join(lines[:-1]) + "\n"


def one_file_pages(
    results: Path, file_name: str, script: str, page_table: Callable[[dict], list[str]]
) -> dict[str, str]:
    """``results_pages`` of a script whose page is one table from one JSON results file:
    ``{<file stem>.md: the page}``, or nothing where the file is absent."""
    path = results / file_name
    if not path.exists():
        return {}
    table = page_table(json.loads(path.read_text()))
    return {f"{path.stem}.md": results_page(script, [path.name], table)}


def number(value: float, decimals: int | None = None, *, significant: int | None = None) -> str:
    """``value`` as the pages print numbers: with ``decimals`` places, or rounded to
    ``significant`` figures (never in exponent form), thousands separated by commas, and
    a minus sign (−) rather than a hyphen."""
    if significant is not None:
        value = float(f"{value:.{significant}g}")
        magnitude = int(np.floor(np.log10(abs(value)))) if value else 0
        decimals = max(0, significant - 1 - magnitude)
    text = f"{value:,.{decimals or 0}f}"
    return text.lstrip("-") if float(text.replace(",", "")) == 0 else text.replace("-", "−")


def write_json(name: str, payload: dict, out: str | None = None) -> Path:
    path = Path(out) if out else results_path(f"{name}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2))
    print(f"wrote {path}")
    return path


def fit_and_score(model, X_train, X_test) -> tuple[np.ndarray, float, float]:
    """Fit ``model`` on X_train, then its importance-sampled log-likelihood of each test
    row; returns (log-likelihoods, fit seconds, score seconds)."""
    start = time.perf_counter()
    model.fit(X_train)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    log_likelihood = model.score_samples(X_test)
    return log_likelihood, fit_s, time.perf_counter() - start


def vhp_vamp_iwae(args, *, with_ring_settings: bool = False, **overrides) -> dict:
    """The three models the VHP paper compares in its interpolation experiments, each
    with a 2-d latent space and 256-256 layers (VampPrior: its gated layers); with
    ``with_ring_settings``, also VHP + REWO with the pendulum settings of
    docs/pendulum.md (``init="pca"``, ``posterior="isotropic"``)."""
    from sklearn.base import clone

    from skvhp import IWAE, VampPriorVAE, VHPAutoencoder

    common = dict(
        n_components=2,
        hidden_layer_sizes=(256, 256),
        max_iter=args.epochs,
        batch_size=100,
        n_importance_samples=args.importance_samples,
        device=args.device,
        random_state=args.seed,
        **overrides,
    )
    vhp = VHPAutoencoder(
        kappa=args.kappa,
        prior_hidden_layer_sizes=(256, 256),
        activation="tanh",
        **ALGORITHM_1,
        **common,
    )
    models = {"VHP + REWO": vhp}
    if with_ring_settings:
        models["VHP + REWO (PCA init, isotropic)"] = clone(vhp).set_params(
            init="pca", posterior="isotropic"
        )
    models["VampPrior"] = VampPriorVAE(
        n_pseudo_inputs=500, warmup_epochs=args.epochs // 5, **common
    )
    models["IWAE"] = IWAE(k=16, activation="tanh", **common)
    return models


def graph_smoothness(model, X, args, rng, to_output=None):
    """Smoothness factors of ``args.graphs`` graphs x ``args.pairs`` random pairs.

    Returns (per-dimension factors, one array per path; the per-path means; the first
    graph). ``to_output`` maps decoded paths to the units the factor is reported in.
    """
    from sklearn.frozen import FrozenEstimator

    from skvhp import LatentGraphInterpolator, smoothness_factor

    per_dimension, per_path, first = [], [], None
    for g in range(args.graphs):
        graph = LatentGraphInterpolator(
            FrozenEstimator(model),
            n_nodes=args.n_nodes,
            n_neighbors=args.n_neighbors,
            edges="union",  # the paper's graph, as in the recorded results
            connect_components=True,
            random_state=args.seed * 1000 + g,
        ).fit(X)
        first = first or graph
        pairs = rng.choice(len(X), size=(args.pairs, 2))
        for path in graph.interpolate(X[pairs[:, 0]], X[pairs[:, 1]]):
            if len(path) >= 3:  # the factor needs three points
                s = smoothness_factor(path if to_output is None else to_output(path))
                per_dimension.append(s)
                per_path.append(float(s.mean()))
    return per_dimension, per_path, first


def add_graph_experiment_arguments(parser, importance_samples: int) -> None:
    """Options shared by the interpolation experiments (Frey Faces, motion capture)."""
    parser.add_argument("--graphs", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--n-nodes", type=int, default=1000)
    parser.add_argument("--n-neighbors", type=int, default=10)
    parser.add_argument("--importance-samples", type=int, default=importance_samples)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--out", default=None)
