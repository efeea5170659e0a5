"""Does the latent ring of the pendulum stay round and closed, and does the learned prior
lie on it? Table 1 of Klushyn et al. (2019) with the diagnostics of the topology issue.

For every (setting, geometry, seed) it fits one model on 12,000 images of
``make_pendulum(15000, random_state=seed)`` (the last 3,000 held out) and appends one JSON
line to the results file: the angle probe, the fraction of prior samples off the codes,
radius CV, the longest persistence bars of codes and prior samples, the posterior std,
the graph path's largest angle step, test RMS error, and the β / Ĉ trajectory with the
phase switch. Runs already in the file are skipped, so an interrupted job resumes.

    python benchmarks/experiments/pendulum_topology.py --seeds 0 1 2 \
        --settings "VHP + REWO (pendulum settings)"
    python benchmarks/experiments/pendulum_topology.py --table     # the summary table from the file
    python benchmarks/experiments/pendulum_topology.py --figure 0  # Fig. 2 for seed 0

The summary table of docs/pendulum.md is generated from the results file
(``results_pages``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
import torch
from _common import (
    ALGORITHM_1,
    ROOT,
    add_smoke_argument,
    figures_path,
    machine_info,
    parse_args,
    results_page,
)
from _pendulum_figures import (
    draw_frames,
    frame_picks,
    latent_panels,
    path_ends,
    path_over_ring,
    schedule_panel,
)
from _topology import AngleReader, longest_bar, polar_probe, radius_cv, ring_diagnostics
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning

from skvhp import IWAE, VHPAutoencoder
from skvhp.datasets import make_pendulum

RESULTS_FILE = ROOT / "docs" / "results" / "pendulum_topology.jsonl"
PAPER = {  # Table 1 of the paper (probe error, rad)
    "VHP + REWO (pendulum settings)": 0.054,
    "VHP + REWO (Algorithm 1, defaults)": 0.054,
    "VHP + GECO (pendulum settings)": 0.53,
    "VHP, plain bound (pendulum settings)": 0.49,
    "VHP + warm-up 20 epochs (pendulum settings)": 0.20,
    "VHP + warm-up 60 epochs (pendulum settings)": 0.31,
}
# The documented pendulum settings (docs/pendulum.md): start on the PCA ring with the
# encoder frozen during REWO's initial phase, and an isotropic posterior.
PENDULUM = dict(init="pca", posterior="isotropic")
GEOMETRIES = {"default": (0.08, 0.11), "thick": (0.24, 0.16), "thin": (0.05, 0.08)}


def make_setting(name: str, epochs: int, seed: int):
    common = dict(n_components=2, max_iter=epochs, random_state=seed, n_importance_samples=100)
    settings = {
        "VHP + REWO (pendulum settings)": lambda: VHPAutoencoder(**PENDULUM, **common),
        # "defaults": the label of the results files, from before the defaults changed.
        "VHP + REWO (Algorithm 1, defaults)": lambda: VHPAutoencoder(**ALGORITHM_1, **common),
        "VHP + GECO (pendulum settings)": lambda: VHPAutoencoder(
            schedule="geco", **PENDULUM, **common
        ),
        "VHP, plain bound (pendulum settings)": lambda: VHPAutoencoder(
            schedule="constant", **PENDULUM, **common
        ),
        "VHP + warm-up 20 epochs (pendulum settings)": lambda: VHPAutoencoder(
            schedule="warmup", warmup_epochs=20, **PENDULUM, **common
        ),
        "VHP + warm-up 60 epochs (pendulum settings)": lambda: VHPAutoencoder(
            schedule="warmup", warmup_epochs=60, **PENDULUM, **common
        ),
        "VHP + REWO, diagonal posterior (ablation)": lambda: VHPAutoencoder(
            init="pca", posterior="diagonal", **common
        ),
        "VHP + REWO, random init, isotropic (ablation)": lambda: VHPAutoencoder(
            init="random", posterior="isotropic", **common
        ),
        "IWAE (k = 16)": lambda: IWAE(k=16, **common),
    }
    if name == "PCA(2)":
        return None
    if name not in settings:
        raise SystemExit(f"unknown setting {name!r}; choose from {[*settings, 'PCA(2)']}")
    return settings[name]()


def load_data(seed: int, geometry: str, n_images: int = 15000):
    """80 % of ``n_images`` to train on, 20 % to test on."""
    rod, bob = GEOMETRIES[geometry]
    X, theta = make_pendulum(n_images, random_state=seed, rod_width=rod, bob_radius=bob)
    n = int(0.8 * n_images)
    return X[:n], theta[:n], X[n:], theta[n:], dict(rod_width=rod, bob_radius=bob)


def schedule_summary(model) -> dict:
    trace = getattr(model, "iteration_history_", None)
    if trace is None:
        return {}
    beta, c_hat = np.array(trace["beta"]), np.array(trace["C_hat"])
    pick = np.unique(np.geomspace(1, len(beta), 60).astype(int) - 1)
    schedule = model.schedule_
    return {
        "beta_end": float(beta[-1]),
        "c_hat_end": float(c_hat[-1]),
        "main_phase_start": getattr(schedule, "main_phase_start", None),
        "trajectory": {
            "iteration": pick.tolist(),
            "beta": beta[pick].tolist(),
            "C_hat": c_hat[pick].tolist(),
        },
    }


def run_one(
    name: str, geometry: str, seed: int, epochs: int, reader_cache: dict, n_images: int = 15000
) -> dict:
    Xtr, thtr, Xte, thte, geom = load_data(seed, geometry, n_images)
    if name == "PCA(2)":
        pca = PCA(2).fit(Xtr)
        Ztr, Zte = pca.transform(Xtr), pca.transform(Xte)
        row = {"probe": polar_probe(Ztr, thtr, Zte, thte), "radius_cv": radius_cv(Zte)}
        row["bar_codes"], row["bar2_codes"] = longest_bar(Zte)
        recon = pca.inverse_transform(Zte)
        row["test_rmse"] = float(np.sqrt(((recon - Xte) ** 2).mean()))
        return row
    model = make_setting(name, epochs, seed)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(Xtr)
    fit_s = time.perf_counter() - start
    if geometry not in reader_cache:
        reader_cache[geometry] = AngleReader(geom)
    row = ring_diagnostics(model, Xtr, thtr, Xte, thte, geom, reader_cache[geometry])
    recon = model.inverse_transform(model.transform(Xte))
    row["test_rmse"] = float(np.sqrt(((recon - Xte) ** 2).mean()))
    row["test_ll"] = float(model.score(Xte[:500]))
    row["fit_s"] = fit_s
    row["warnings"] = [str(w.message) for w in caught]
    row.update(schedule_summary(model))
    return row


def done_runs(path: Path) -> set:
    if not path.exists():
        return set()
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {(r["setting"], r["geometry"], r["seed"], r["epochs"]) for r in rows}


def summary_table(path: Path) -> str:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    groups: dict = {}
    for r in rows:
        groups.setdefault((r["setting"], r["geometry"], r["epochs"]), []).append(r)
    head = (
        "| setting | geometry | seeds | probe (rad) mean ± sd | max probe | prior bar ≥ 0.5 "
        "| prior off 25 % ≤ 5 % | graph step ≤ 0.3 (union) | graph step ≤ 0.3 (mutual) "
        "| test RMSE | paper |"
    )
    lines = [head, "|" + " --- |" * 11]
    for (setting, geometry, _), rs in sorted(groups.items(), key=lambda kv: kv[0][1]):
        probe = np.array([r["probe"] for r in rs])
        n = len(rs)

        def count(key, test, rs=rs):
            vals = [r[key] for r in rs if key in r]
            return f"{sum(test(v) for v in vals)}/{len(vals)}" if vals else "–"

        lines.append(
            f"| {setting} | {geometry} | {n} | {probe.mean():.3f} ± {probe.std():.3f} "
            f"| {probe.max():.3f} | {count('bar_prior', lambda v: v >= 0.5)} "
            f"| {count('off_25', lambda v: v <= 0.05)} | {count('max_step', lambda v: v <= 0.3)} "
            f"| {count('max_step_mutual', lambda v: v <= 0.3)} "
            f"| {np.mean([r['test_rmse'] for r in rs]):.4f} | {PAPER.get(setting, '–')} |"
        )
    return "\n".join(lines)


def results_pages(results: Path) -> dict[str, str]:
    """The summary table docs/pendulum.md includes, from the results file in ``results``
    alone (the documentation build regenerates it: ``_results_pages.py``)."""
    path = results / RESULTS_FILE.name
    if not path.exists():
        return {}
    table = summary_table(path).splitlines()
    page = results_page("experiments/pendulum_topology.py", [path.name], table)
    return {"pendulum_topology.md": page}


def draw_figure(seed: int, epochs: int, path: Path, snapshots=(1, 3, 10, 60)) -> None:
    """Fig. 2 of the paper for the pendulum settings: posterior means and prior samples
    after several epochs (separate fits with the same seed replay the same run), and β."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    Xtr, thtr, Xte, thte, _ = load_data(seed, "default")
    name = "VHP + REWO (pendulum settings)"
    fig, axes = plt.subplots(2, len(snapshots) + 1, figsize=(3.1 * (len(snapshots) + 1), 6.2))
    model = None
    for col, n_epochs in enumerate(snapshots):
        model = make_setting(name, n_epochs, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(Xtr)
        iters = n_epochs * 120
        sc = latent_panels(axes[0, col], axes[1, col], model, Xte[:2000], thte[:2000])
        axes[0, col].set_title(f"posterior means, iteration {iters}", fontsize=8)
        axes[1, col].set_title(f"prior samples, iteration {iters}", fontsize=8)
    cbar = fig.colorbar(sc, ax=axes[0, -1], fraction=0.9)
    cbar.set_label("joint angle θ (rad)", fontsize=8)
    axes[0, -1].set_axis_off()
    schedule_panel(axes[1, -1], model)
    axes[1, -1].set_title("REWO: β and the constraint", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def draw_interpolation_figure(seed: int, epochs: int, path: Path) -> None:
    """Graph interpolation 0° → 180° with the pendulum settings: the path over the codes
    of the training images (coloured by θ), with union and with mutual edges, and the
    decoded frames, each titled with the angle the template reader sees in it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.frozen import FrozenEstimator

    from skvhp import LatentGraphInterpolator

    Xtr, thtr, _, _, geom = load_data(seed, "default")
    model = make_setting("VHP + REWO (pendulum settings)", epochs, seed)
    model.fit(Xtr)
    reader = AngleReader(geom)
    ends = path_ends(geom)
    Z = model.transform(Xtr[:4000])
    n_frames = 12
    fig = plt.figure(figsize=(13, 9.5))
    grid = fig.add_gridspec(4, n_frames, height_ratios=[4, 1.1, 4, 1.1], hspace=0.6)
    for block, edges in enumerate(("union", "mutual")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            graph = LatentGraphInterpolator(
                FrozenEstimator(model), n_nodes=1000, n_neighbors=10, edges=edges,
                connect_components=True, random_state=seed,
            ).fit(ends)  # fmt: skip
        frames, latent = graph.interpolate(ends[0], ends[1], return_latent=True)
        theta = reader(frames)
        ax = fig.add_subplot(grid[2 * block, 2:10])
        points = path_over_ring(ax, graph, latent, Z, thtr[:4000])
        steps = np.abs(np.angle(np.exp(1j * np.diff(theta))))
        ax.set_title(
            f"{edges} k-NN edges: {len(frames)} frames, largest angle step {steps.max():.2f} rad",
            fontsize=10,
        )
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.25, 0.5), markerscale=1.5)
        fig.colorbar(points, ax=ax, label="joint angle θ of the training image (rad)")
        picks = frame_picks(len(frames), n_frames)
        strip = [fig.add_subplot(grid[2 * block + 1, j]) for j in range(len(picks))]
        draw_frames(strip, frames, theta, picks)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="*", default=["VHP + REWO (pendulum settings)"])
    parser.add_argument("--geometries", nargs="*", default=["default"], choices=list(GEOMETRIES))
    parser.add_argument("--seeds", nargs="*", type=int, default=list(range(8)))
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(RESULTS_FILE))
    parser.add_argument("--table", action="store_true", help="print the summary and exit")
    parser.add_argument("--figure", type=int, default=None, help="draw Fig. 2 for this seed")
    parser.add_argument(
        "--interpolation-figure", type=int, default=None, help="draw the graph path, this seed"
    )
    parser.add_argument("--n-images", type=int, default=15000, help="80 % train, 20 % test")
    add_smoke_argument(parser, seeds=[0], epochs=1, n_images=500)
    args = parse_args(parser, argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    if args.table:
        print(summary_table(out))
        return
    if args.interpolation_figure is not None:
        path = figures_path("pendulum_interpolation_rewo.png")
        draw_interpolation_figure(args.interpolation_figure, args.epochs, path)
        return
    if args.figure is not None:
        draw_figure(args.figure, args.epochs, figures_path("pendulum_fig2_rewo.png"))
        return
    done, readers = done_runs(out), {}
    for name in args.settings:
        for geometry in args.geometries:
            for seed in args.seeds:
                if (name, geometry, seed, args.epochs) in done:
                    continue
                row = run_one(name, geometry, seed, args.epochs, readers, args.n_images)
                row = {
                    "setting": name,
                    "geometry": geometry,
                    "seed": seed,
                    "epochs": args.epochs,
                    **row,
                    "machine": machine_info("cpu"),
                }
                shown = {
                    k: round(v, 4) if isinstance(v, float) else v
                    for k, v in row.items()
                    if k not in ("trajectory", "machine", "warnings")
                }
                print(json.dumps(shown), flush=True)
                out.parent.mkdir(parents=True, exist_ok=True)
                with out.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
