"""Does the latent space keep the data's topology? Every manifold x method x seed.

Manifolds (``skvhp.datasets``): the pendulum ring, an open arc (a 270° swing), two disjoint
rings (two pendulums), a torus (the double pendulum, 3-d latent), Moor et al.'s Spheres
and MNIST / Fashion-MNIST (2-d latent, the 10,000 test images). Methods: VHP with the
pendulum settings (``vhp-pca-isotropic``: the defaults since 2026-12-03), Algorithm 1
(``vhp-algorithm1``: the defaults until then), VampPrior, IWAE, PCA, Isomap, and UMAP
where it is installed.

Per run, on held-out data: the longest persistence bars (H0, H1, and H2 for the torus) of
the codes, of the learned prior's samples, of the data themselves and of an ideal
embedding of the generating parameters sampled alike; the read-back error of the
generating angles (5-NN regression from the codes, rad); the prior mass off the codes
(``skvhp.topology.prior_mass_off_data``); and Moor et al.'s measures where they report
them. One JSON line per run in ``docs/results/topology/<manifold>.jsonl``; runs already
there are skipped, so an interrupted suite resumes. ``--table`` prints the summary and
writes ``docs/results/topology_suite.md`` (with ``--out``, into that folder).

    python benchmarks/experiments/topology_suite.py --manifolds ring arc --seeds 0 1 2
    python benchmarks/experiments/topology_suite.py --table
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
import torch
from _common import (
    ALGORITHM_1,
    DEFAULT_DATA,
    add_smoke_argument,
    figures_path,
    machine_info,
    markdown_table,
    parse_args,
    print_table,
    results_path,
)
from _topology import read_back
from sklearn.decomposition import PCA
from sklearn.manifold import Isomap

from skvhp import IWAE, TopologicalTerm, VampPriorVAE, VHPAutoencoder
from skvhp.datasets import (
    load_fashion_mnist,
    load_mnist,
    make_double_pendulum,
    make_pendulum,
    make_spheres,
    make_two_pendulums,
)
from skvhp.topology import embedding_quality, longest_bars, prior_mass_off_data

ARC = 1.5 * np.pi  # the open arc's swing: 270°


@dataclass
class Manifold:
    """A data set with its truth: how to draw it, the latent size, and the likelihood."""

    name: str
    n_components: int
    likelihood: str
    kappa: float
    max_dim: int = 1  # homology dimensions to compute
    moor: bool = False  # report Moor et al.'s measures
    extra: dict = field(default_factory=dict)


MANIFOLDS = {
    "ring": Manifold("ring", 2, "bernoulli", 0.1),
    "arc": Manifold("arc", 2, "bernoulli", 0.1),
    "two-rings": Manifold("two-rings", 2, "bernoulli", 0.1),
    "torus": Manifold("torus", 3, "bernoulli", 0.1, max_dim=2),
    "spheres": Manifold("spheres", 2, "gaussian", 1.0, moor=True),
    "mnist": Manifold("mnist", 2, "bernoulli", 0.25, moor=True),
    "fashion-mnist": Manifold("fashion-mnist", 2, "bernoulli", 0.25, moor=True),
}


def ideal(manifold: str, truth: np.ndarray) -> np.ndarray | None:
    """The generating parameters embedded as the ideal shape (None: no known shape)."""
    if manifold in ("ring", "arc"):
        return np.c_[np.cos(truth), np.sin(truth)]
    if manifold == "two-rings":
        angles, labels = truth[:, 0], truth[:, 1]
        return np.c_[np.cos(angles) + 3.0 * labels, np.sin(angles)]
    if manifold == "torus":
        u, v = truth[:, 0], truth[:, 1]
        return np.c_[(2 + np.cos(v)) * np.cos(u), (2 + np.cos(v)) * np.sin(u), np.sin(v)]
    return None


def load(manifold: str, seed: int, n_images: int, data_home: str):
    """(X_train, X_test, truth_test, truth_train, X_measure_test): truth is angles (and
    labels) for the generated sets, class labels otherwise; X_measure is what Moor et
    al.'s input-space distances are computed on."""
    if manifold in ("ring", "arc", "two-rings", "torus"):
        if manifold == "ring":
            X, truth = make_pendulum(n_images, random_state=seed)
        elif manifold == "arc":
            X, truth = make_pendulum(n_images, random_state=seed, angle_range=(0.0, ARC))
        elif manifold == "two-rings":
            X, angles, labels = make_two_pendulums(n_images, random_state=seed)
            truth = np.c_[angles, labels]
        else:
            X, truth = make_double_pendulum(n_images, random_state=seed)
        n = int(0.8 * n_images)
        return X[:n], X[n:], truth[n:], truth[:n], X[n:]
    if manifold == "spheres":  # Moor et al.'s data and split, whatever the seed
        X, labels = make_spheres(random_state=42)
        order = np.random.RandomState(42).permutation(len(X))
        test, train = order[:1000], order[1000:]
        mean, std = X[train].mean(0), X[train].std(0)
        X = ((X - mean) / std).astype(np.float32)
        return X[train], X[test], labels[test], labels[train], X[test]
    loader = load_mnist if manifold == "mnist" else load_fashion_mnist
    X_train, y_train, X_test, y_test = loader(data_home)
    return X_train, X_test, y_test, y_train, (X_test - 0.5) / 0.5


def _term(weight: float, reference: str = "data", scale: str = "mean") -> dict:
    """The topological term of this weight (against the data unless said)."""
    return dict(topology=TopologicalTerm(weight=float(weight), reference=reference, scale=scale))


def _start_term(weight: float) -> dict:
    """The topological term of this weight, against the starting layout."""
    return _term(weight, "start")


# VHP variants: the recommended settings, the paper's defaults, and the screens of the
# topology issue (another starting layout, the topological loss term).
VHP_VARIANTS = {
    "vhp-pca-isotropic": dict(init="pca", posterior="isotropic"),
    "vhp-algorithm1": ALGORITHM_1,  # the defaults until 2026-12-03
    "vhp-isomap": dict(init="isomap", posterior="isotropic"),
    "vhp-spectral": dict(init="spectral", posterior="isotropic"),
    "vhp-topo": dict(init="pca", posterior="isotropic", **_term(1.0)),
    "vhp-isomap-topo": dict(init="isomap", posterior="isotropic", **_term(1.0)),
    "vhp-random-topo": dict(init="random", posterior="isotropic", **_term(1.0)),
    "vhp-topo0.1": dict(init="pca", posterior="isotropic", **_term(0.1)),
    "vhp-isomap-topo0.1": dict(init="isomap", posterior="isotropic", **_term(0.1)),
    # Stronger topological terms, for the Spheres data (2026-12-03).
    "vhp-isomap-topo10": dict(init="isomap", posterior="isotropic", **_term(10.0)),
    "vhp-isomap-topo100": dict(init="isomap", posterior="isotropic", **_term(100.0)),
    "vhp-isomap-topo30": dict(init="isomap", posterior="isotropic", **_term(30.0)),
    "vhp-topo10": dict(init="pca", posterior="isotropic", **_term(10.0)),
    # The topological term with the latent scale fitted to the data's tree edges, not the
    # codes' mean distance (2026-12-04): the distance settings (Spheres, MNIST, Fashion).
    **{
        f"vhp-isomap-topo{'' if w == 1 else w}-fitted": dict(
            init="isomap", posterior="isotropic", **_term(w, scale="fitted")
        )
        for w in (1, 30)
    },
    # The same in batches of 32, not 100 (2026-12-04): more of each batch's tree edges
    # join separate pieces of the data (Moor et al. tuned TopoAE's batch size to 64).
    "vhp-isomap-topo-fitted-batch32": dict(
        init="isomap",
        posterior="isotropic",
        batch_size=32,
        **_term(1.0, scale="fitted"),
    ),
    # The settings of vhp-isomap, run after init="isomap" began to lay out separate pieces
    # of the data side by side (2026-12-03); earlier vhp-isomap rows of two-rings predate it.
    "vhp-isomap-by-piece": dict(init="isomap", posterior="isotropic"),
    # The topological term against the starting layout's distances, not the data's
    # (2026-12-03): the start chosen from the data (init="auto"), its shape kept.
    **{
        f"vhp-auto-start-topo{w}": dict(init="auto", posterior="isotropic", **_start_term(w))
        for w in (1, 10)
    },
    # p(ζ) a mixture of two unit Gaussians, for data in two pieces (2026-12-03).
    "vhp-modes2": dict(init="pca", posterior="isotropic", zeta_modes=2),
    "vhp-isomap-modes2": dict(init="isomap", posterior="isotropic", zeta_modes=2),
    **{
        f"vhp-isomap-start-topo{w}-modes2": dict(
            init="isomap", posterior="isotropic", zeta_modes=2, **_start_term(w)
        )
        for w in (1, 10)
    },
    # init="auto" after it began to lay out data in separate pieces with each piece's own
    # start ("by-piece", 2026-12-03): two rings.
    **{
        f"vhp-auto-start-topo{w}-modes2": dict(
            init="auto", posterior="isotropic", zeta_modes=2, **_start_term(w)
        )
        for w in (1, 10)
    },
    # More modes than pieces, on a circle in ζ: each ring can be covered by arcs, torn
    # where p(ζ) has little mass, instead of one blob mapped across its hole (2026-12-03).
    **{
        f"vhp-auto-start-topo10-modes{m}": dict(
            init="auto", posterior="isotropic", zeta_modes=m, **_start_term(10)
        )
        for m in (4, 6, 8, 12)
    },
    # A 1-d ζ per mode: a prior whose ζ has the dimension of each ring (2026-12-03).
    "vhp-auto-start-topo10-modes2-zeta1": dict(
        init="auto", posterior="isotropic", zeta_modes=2, n_components_zeta=1, **_start_term(10)
    ),
    # The circular-coordinates start: a circle or a torus read off the data's loops
    # (2026-12-04), with and without the topological term against it.
    "vhp-circular": dict(init="circular", posterior="isotropic"),
    **{
        f"vhp-circular-start-topo{w}": dict(
            init="circular", posterior="isotropic", **_start_term(w)
        )
        for w in (1, 10, 30, 100)
    },
    # The torus settings with p(ζ) a mixture of modes on a circle, so that the prior can
    # follow one of the torus's loops around its hole (2026-12-04).
    "vhp-circular-start-topo100-modes12": dict(
        init="circular", posterior="isotropic", zeta_modes=12, **_start_term(100)
    ),
    # ... and with a 2-d ζ, the torus's own dimension (2026-12-04).
    "vhp-circular-start-topo100-zeta2": dict(
        init="circular", posterior="isotropic", n_components_zeta=2, **_start_term(100)
    ),
    # ... and with 64 importance samples over ζ in the prior's bound, not 16 (2026-12-04).
    "vhp-circular-start-topo100-k64": dict(
        init="circular", posterior="isotropic", k=64, **_start_term(100)
    ),
    # (vhp-late-release and vhp-isomap-late-release, the encoder frozen until β reached 1,
    # used encoder_release="beta", retired in 0.2: git show 9241cf1:benchmarks/topology_suite.py)
}


def make_method(name: str, manifold: Manifold, epochs: int, seed: int):
    common = dict(
        n_components=manifold.n_components,
        likelihood=manifold.likelihood,
        max_iter=epochs,
        n_importance_samples=100,
        random_state=seed,
    )
    if name in VHP_VARIANTS:
        return VHPAutoencoder(kappa=manifold.kappa, **VHP_VARIANTS[name], **common)
    if name == "vampprior":
        return VampPriorVAE(**common)
    if name == "iwae":
        return IWAE(**common)
    if name == "pca":
        return PCA(manifold.n_components)
    if name == "isomap":
        return Isomap(n_components=manifold.n_components, n_neighbors=10)
    if name == "umap":
        import umap

        return umap.UMAP(n_components=manifold.n_components, random_state=seed)
    raise ValueError(f"unknown method {name!r}")


def bars(points: np.ndarray, manifold: Manifold, prefix: str) -> dict:
    n_points = 400 if manifold.max_dim == 2 else 600
    found = longest_bars(points, n_bars=2, max_dim=manifold.max_dim, n_points=n_points)
    return {f"{prefix}_{dim}": values for dim, values in found.items()}


H2_DRAWS = 5  # subsamples the H2 bar is measured on again (from 2026-12-04)


def h2_draws(points: np.ndarray) -> list[float]:
    """The longest H2 bar of ``H2_DRAWS`` different 400-point subsamples of the first
    2000 points (the codes the arrays keep): one draw's bar varies with the draw by
    about 0.04 on the torus codes, as much as the methods differ."""
    return [
        longest_bars(points[:2000], n_bars=1, max_dim=2, n_points=400, random_state=draw)["H2"][0]
        for draw in range(H2_DRAWS)
    ]


def run_one(args, manifold: Manifold, method: str, seed: int, data) -> tuple[dict, dict]:
    X_train, X_test, truth_test, truth_train, X_measure = data
    model = make_method(method, manifold, args.epochs, seed)
    fit_rows = X_train[: args.isomap_points] if method == "isomap" else X_train
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(fit_rows)
    row = {"fit_s": time.perf_counter() - start}
    row["warnings"] = sorted({str(w.message)[:200] for w in caught})
    Z_test = np.asarray(model.transform(X_test), dtype=np.float64)
    Z_train = np.asarray(model.transform(X_train[: args.readback_points]), dtype=np.float64)
    row.update(read_back(manifold.name, Z_train, truth_train[: len(Z_train)], Z_test, truth_test))
    row.update(bars(Z_test, manifold, "codes"))
    if manifold.max_dim == 2:
        row["codes_H2_draws"] = h2_draws(Z_test)
    arrays = {"codes": Z_test[:2000], "truth": truth_test[:2000]}
    if hasattr(model, "sample_latent"):
        prior = model.sample_latent(2000, random_state=seed)
        row.update(bars(prior, manifold, "prior"))
        row["prior_off_25"] = prior_mass_off_data(model, X_test, random_state=seed)
        arrays["prior"] = prior
    if manifold.moor:
        row.update({f"moor_{k}": v for k, v in embedding_quality(X_measure, Z_test).items()})
    return row, arrays


def reference_rows(args, manifold: Manifold, data) -> dict:
    """The data's own bars and the ideal shape's, once per manifold and seed."""
    _, X_test, truth_test, _, _ = data
    row = bars(X_test, manifold, "data")
    shape = ideal(manifold.name, truth_test)
    if shape is not None:
        row.update(bars(shape, manifold, "ideal"))
    return row


def done_runs(path: Path) -> set:
    if not path.exists():
        return set()
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {(r["method"], r["seed"], r["epochs"]) for r in rows}


def run(args) -> None:
    torch.set_num_threads(args.threads)
    folder = Path(args.out) if args.out else results_path("topology")
    folder.mkdir(parents=True, exist_ok=True)
    for name in args.manifolds:
        manifold = MANIFOLDS[name]
        path = folder / f"{name}.jsonl"
        for seed in args.seeds:
            todo = [m for m in args.methods if (m, seed, args.epochs) not in done_runs(path)]
            if not todo:
                continue
            data = load(name, seed, args.n_images, args.data_home)
            reference = None if ("reference", seed, 0) in done_runs(path) else {}
            if reference is not None:
                reference = reference_rows(args, manifold, data)
                _append(path, {"method": "reference", "seed": seed, "epochs": 0, **reference})
            for method in todo:
                if method == "umap" and not _has_umap():
                    continue
                row, arrays = run_one(args, manifold, method, seed, data)
                row = {"method": method, "seed": seed, "epochs": args.epochs, **row}
                _append(path, {**row, "machine": machine_info("cpu")})
                shown = {k: v for k, v in row.items() if k != "warnings"}
                print(json.dumps(shown, default=_round), flush=True)
                arrays_path = folder / f"{name}__{method}__{seed}.npz"
                # The first run keeps its arrays: a rerun at other epochs (a screen) must
                # not replace what the figures and the docs show.
                if seed == args.seeds[0] and not arrays_path.exists():
                    np.savez_compressed(arrays_path, **arrays)


def redraw_h2(args) -> None:
    """H2 over ``H2_DRAWS`` subsamples of the kept codes of every torus run in the
    folder (the first seed's arrays), for the rows that predate ``codes_H2_draws``."""
    folder = Path(args.out) if args.out else results_path("topology")
    rows = {}
    for path in sorted(folder.glob("torus__*__0.npz")):
        method = path.name.split("__")[1]
        rows[method] = h2_draws(np.load(path)["codes"].astype(np.float64))
        print(method, " ".join(f"{v:.3f}" for v in rows[method]), flush=True)
    (folder / "torus_h2_draws.json").write_text(json.dumps(rows, indent=1) + "\n")


def _append(path: Path, row: dict) -> None:
    with path.open("a") as fh:
        fh.write(json.dumps(row) + "\n")


def _round(value):
    return round(float(value), 4)


def _has_umap() -> bool:
    try:
        import umap  # noqa: F401
    except ImportError:
        return False
    return True


SUMMARY = {  # column: (key, index into a bar list, "median" of it, or None)
    "codes H0": ("codes_H0", 0),
    "codes H1": ("codes_H1", 0),
    "codes H1 (2nd)": ("codes_H1", 1),
    "codes H2": ("codes_H2", 0),
    "codes H2 (median, 5 draws)": ("codes_H2_draws", "median"),
    "prior H0": ("prior_H0", 0),
    "prior H1": ("prior_H1", 0),
    "prior H1 (2nd)": ("prior_H1", 1),
    "prior H2": ("prior_H2", 0),
    "prior off": ("prior_off_25", None),
    "probe": ("probe", None),
    "read-back": ("readback", None),
    "read-back 1": ("readback1", None),
    "read-back 2": ("readback2", None),
    "KL0.01": ("moor_kl_0.01", None),
    "KL0.1": ("moor_kl_0.1", None),
    "trust": ("moor_trust", None),
    "cont": ("moor_cont", None),
}


def summarise(rows: list[dict]) -> list[dict]:
    """Mean ± sd over seeds per (manifold, method, epochs)."""
    groups: dict = {}
    for r in rows:
        groups.setdefault((r["manifold"], r["method"], r["epochs"]), []).append(r)
    out = []
    for (manifold, method, epochs), runs in groups.items():
        entry = {"manifold": manifold, "method": method, "epochs": epochs, "seeds": len(runs)}
        for column, (key, index) in SUMMARY.items():
            values = [_pick(r[key], index) for r in runs if key in r]
            if values:
                entry[column] = f"{np.mean(values):.3f} ± {np.std(values):.3f}"
        out.append(entry)
    return out


def _pick(value, index):
    if index is None:
        return value
    return float(np.median(value)) if index == "median" else value[index]


def _expanded(row: dict) -> list[dict]:
    """A reference row as two table rows: the data's own bars and the ideal shape's, in
    the codes' columns."""
    if row["method"] != "reference":
        return [row]
    out = []
    for source, label in (("data", "(the data)"), ("ideal", "(ideal shape)")):
        bars = {f"codes{k[len(source) :]}": v for k, v in row.items() if k.startswith(source)}
        if bars:
            out.append(
                {
                    "manifold": row["manifold"],
                    "method": label,
                    "seed": row["seed"],
                    "epochs": "",
                    **bars,
                }
            )
    return out


def suite_summary(folder: Path) -> tuple[list[dict], list[str]]:
    """The summary rows of every manifold's results file in ``folder``, and its columns."""
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                rows += _expanded({"manifold": path.stem, **json.loads(line)})
    summary = summarise(rows)
    columns = ["manifold", "method", "epochs", "seeds"]
    return summary, columns + [c for c in SUMMARY if any(c in s for s in summary)]


def results_pages(results: Path) -> dict[str, str]:
    """The summary page, from the results files in ``results`` alone (the documentation
    build regenerates it: ``_results_pages.py``)."""
    return {"topology_suite.md": suite_page(*suite_summary(results / "topology"))}


def suite_page(summary: list[dict], columns: list[str]) -> str:
    return "\n".join(markdown_table(summary, columns)) + "\n"


def table(args) -> None:
    folder = Path(args.out) if args.out else results_path("topology")
    summary, columns = suite_summary(folder)
    if not summary:
        print("no results yet")
        return
    print_table(summary, columns)
    # A screen in its own folder (--out) keeps its summary there, not in docs/results.
    out = folder / "topology_suite.md" if args.out else results_path("topology_suite.md")
    out.write_text(suite_page(summary, columns))
    print(f"wrote {out}")


# The panels of each manifold's figure: the baselines, then the variants worth seeing there.
FIGURE_METHODS = [
    "vhp-algorithm1",
    "vhp-pca-isotropic",
    "iwae",
    "vampprior",
    "pca",
    "isomap",
    "umap",
]
FIGURE_TITLES = {"vhp-algorithm1": "Algorithm 1"}
FIGURE_EXTRAS = {
    "ring": ["vhp-auto-start-topo1", "vhp-circular-start-topo1"],
    "arc": ["vhp-isomap-late-release", "vhp-auto-start-topo1"],
    "two-rings": [
        "vhp-isomap-by-piece",
        "vhp-auto-start-topo10-modes2",
        "vhp-auto-start-topo10-modes12",
    ],
    "torus": ["vhp-isomap", "vhp-auto-start-topo1", "vhp-circular-start-topo100"],
    "spheres": [
        "vhp-isomap-topo",
        "vhp-isomap-topo100",
        "vhp-isomap-topo-fitted",
        "vhp-isomap-topo-fitted-batch32",
    ],
    "mnist": ["vhp-isomap-topo", "vhp-isomap-topo10", "vhp-isomap-topo-fitted"],
    "fashion-mnist": ["vhp-isomap-topo", "vhp-isomap-topo-fitted"],
}
# What a figure's colours and axes show, in its title.
COLOUR_NOTES = {
    "ring": "codes coloured by the generating angle (cyclic map); prior samples on the same axes",
    "two-rings": "codes coloured by the angle, the second ring in the map's second half; "
    "prior samples on the same axes",
    "torus": "the first two latent coordinates, coloured by the first angle (cyclic map); "
    "prior samples on the same axes",
    **{
        name: "codes coloured by the class; prior samples on the same axes"
        for name in ("spheres", "mnist", "fashion-mnist")
    },
    "spheres": "codes coloured by the sphere (the enclosing one light blue); "
    "prior samples on the same axes",
}
RELEASED = {  # Moor et al.'s
    "spheres": "spheres_TopoAE.csv",
    "mnist": "MNIST_TopoAE.csv",
    "fashion-mnist": "FashionMNIST_TopoAE.csv",
}


def released_latents(name: str, data_home: str) -> np.ndarray | None:
    """Moor et al.'s released TopoAE test latents of ``name`` (columns: two latent
    coordinates, the label), or None where the data set or the file is absent."""
    path = Path(data_home) / "topoae_latents" / RELEASED.get(name, "-")
    return np.loadtxt(path, delimiter=",", skiprows=1) if path.is_file() else None


def figures(args) -> None:
    """docs/figures/topology_<manifold>.png: seed 0's test codes (coloured by the generating
    angle or the class) and, below, the learned prior's samples, one column per method; for
    Spheres and MNIST also Moor et al.'s released TopoAE latents. The torus is shown by its
    first two latent coordinates."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(args.out) if args.out else results_path("topology")
    for name in args.manifolds:
        panels = []
        for method in FIGURE_METHODS + FIGURE_EXTRAS.get(name, []):
            path = folder / f"{name}__{method}__0.npz"
            if path.exists():
                panels.append((method, dict(np.load(path))))
        table = released_latents(name, args.data_home)
        if table is not None:
            panels.append(("TopoAE (Moor et al.)", {"codes": table[:, :2], "truth": table[:, 2]}))
        if not panels:
            continue
        fig, axes = plt.subplots(2, len(panels), figsize=(2.4 * len(panels), 4.9), squeeze=False)
        for column, (method, arrays) in enumerate(panels):
            truth = arrays["truth"]
            colour = truth[:, 0] if truth.ndim == 2 and name != "two-rings" else truth
            if name == "two-rings":  # hue from the angle, the second ring darker
                colour = truth[:, 0] + 2 * np.pi * truth[:, 1]
            cmap = "tab20" if name in ("spheres", "mnist", "fashion-mnist") else "twilight"
            top, bottom = axes[0, column], axes[1, column]
            top.scatter(*arrays["codes"][:, :2].T, c=colour, s=1.5, cmap=cmap, rasterized=True)
            top.set_title(FIGURE_TITLES.get(method, method), fontsize=8)
            if "prior" in arrays:
                bottom.scatter(*arrays["prior"][:, :2].T, s=1, c="0.2", rasterized=True)
                # The prior on the codes' scale: far samples beyond the frame are counted.
                bottom.set_xlim(top.get_xlim())
                bottom.set_ylim(top.get_ylim())
            else:
                bottom.text(0.5, 0.5, "no prior", ha="center", va="center", fontsize=8)
            for ax in (top, bottom):
                ax.set_xticks([])
                ax.set_yticks([])
        axes[0, 0].set_ylabel("test codes", fontsize=8)
        axes[1, 0].set_ylabel("prior samples", fontsize=8)
        fig.suptitle(f"{name}: {COLOUR_NOTES.get(name, COLOUR_NOTES['ring'])}", fontsize=9)
        fig.tight_layout()
        out = figures_path(f"topology_{name}.png")
        fig.savefig(out, dpi=110)
        plt.close(fig)
        print(f"wrote {out}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifolds", nargs="*", default=["ring", "arc", "two-rings", "torus"])
    parser.add_argument(
        "--methods",
        nargs="*",
        default=["vhp-pca-isotropic", "vhp-algorithm1", "vampprior", "iwae", "pca", "isomap"],
    )
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--n-images", type=int, default=15000, help="generated sets: 80/20")
    parser.add_argument("--isomap-points", type=int, default=3000, help="Isomap fits on these")
    parser.add_argument("--readback-points", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--out", default=None, help="folder (default: docs/results/topology)")
    parser.add_argument("--table", action="store_true", help="print the summary and exit")
    parser.add_argument(
        "--redraw-h2", action="store_true", help="H2 of the kept torus codes over 5 draws"
    )
    parser.add_argument(
        "--figures", action="store_true", help="draw seed 0's codes and prior samples and exit"
    )
    add_smoke_argument(
        parser,
        manifolds=["ring", "torus", "spheres"],
        methods=["vhp-pca-isotropic", "pca"],
        seeds=[0],
        epochs=1,
        n_images=500,
        isomap_points=200,
        readback_points=300,
    )
    args = parse_args(parser, argv)
    unknown = set(args.manifolds) - set(MANIFOLDS)
    if unknown:
        parser.error(f"unknown manifolds {sorted(unknown)}; choose from {list(MANIFOLDS)}")
    if args.redraw_h2:
        return redraw_h2(args)
    if args.table:
        table(args)
        return
    if args.figures:
        figures(args)
        return
    run(args)
    if args.smoke:
        table(args)
        figures(args)


if __name__ == "__main__":
    main()
