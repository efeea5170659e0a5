"""The human-motion experiment of Klushyn et al. (2019), Sec. 4.2 and Fig. 5-7.

VHP + REWO, VampPrior and IWAE (Gaussian likelihood, 2-d latent) on CMU motion-capture
frames (50 body joint angles, root rotation dropped, angles wrapped into (-π, π],
standardised per channel for training). For each model: a graph over 1000 prior samples,
four interpolations (within one motion and between motions), and the smoothness factor
per joint, in radians, averaged over 10 graphs x 100 random start/end frame pairs. The
table of docs/motion.md is generated from docs/results/motion.json (``results_pages``).

    python benchmarks/experiments/motion.py --epochs 200 --threads 1 \
        --out docs/results/motion.json --figures docs/figures
    python benchmarks/experiments/motion.py --redraw docs/results/motion.npz --figures docs/figures
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
import torch
from _common import (
    add_graph_experiment_arguments,
    add_smoke_argument,
    figures_path,
    graph_smoothness,
    machine_info,
    markdown_table,
    number,
    one_file_pages,
    parse_args,
    print_table,
    results_path,
    vhp_vamp_iwae,
    write_json,
)
from sklearn.preprocessing import StandardScaler

from skvhp.datasets import load_cmu_mocap

PAIRS_SHOWN = [("walk", "walk"), ("walk", "jog"), ("balance", "martial_arts"), ("jog", "dance")]


def page_table(payload: dict) -> list[str]:
    """The table of docs/motion.md, from a results file's contents."""
    rows = [
        {
            "model": r["model"],
            f"smoothness (rad), mean ± std over {r['paths']} paths": (
                f"{number(r['smoothness mean (rad)'], 3)} ± {number(r['std over paths'], 3)}"
            ),
            "final RMS reconstruction (std units)": (
                number(r["final C (RMS)"], 2) if np.isfinite(r["final C (RMS)"]) else "–"
            ),
            "train LL (nats, every 10th frame)": number(r["LL (train subset, nats)"], 2),
            "fit (s)": number(r["fit s"], 0),
        }
        for r in payload["table"]
    ]
    return markdown_table(rows, list(rows[0]))


def results_pages(results: Path) -> dict[str, str]:
    """The table docs/motion.md includes, from the results file in ``results`` alone (the
    documentation build regenerates it: ``_results_pages.py``)."""
    return one_file_pages(results, "motion.json", "experiments/motion.py", page_table)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--kappa", type=float, default=0.3, help="RMS, standardised units")
    add_graph_experiment_arguments(parser, importance_samples=500)
    parser.add_argument("--figures", default=None, help="folder for the figures")
    parser.add_argument(
        "--redraw", default=None, help="figure data (.npz) of a previous run: only draw"
    )
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    add_smoke_argument(parser, epochs=1, graphs=1, pairs=3, n_nodes=60, importance_samples=5)
    args = parse_args(parser, argv)
    torch.set_num_threads(args.threads)
    mocap = load_cmu_mocap(args.data_home)
    if args.redraw:
        draw(load_figure_data(args.redraw), mocap, Path(args.figures or figures_path()))
        return

    scaler = StandardScaler().fit(mocap.data)
    X = scaler.transform(mocap.data).astype(np.float32)
    names = list(mocap.motion_names)
    rng = np.random.default_rng(args.seed)
    shown_pairs = []
    for a, b in PAIRS_SHOWN:
        ia = rng.choice(np.flatnonzero(mocap.motion == names.index(a)))
        ib = rng.choice(np.flatnonzero(mocap.motion == names.index(b)))
        shown_pairs.append((ia, ib))

    rows, per_joint, shown = [], {}, {}
    for name, model in vhp_vamp_iwae(args, with_ring_settings=True, likelihood="gaussian").items():
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(X)
        fit_seconds = time.perf_counter() - start
        joint_scores, path_scores, graph = graph_smoothness(
            model,
            X,
            args,
            rng,
            to_output=scaler.inverse_transform,  # radians
        )
        idx = np.array(shown_pairs)
        paths, latents = graph.interpolate(X[idx[:, 0]], X[idx[:, 1]], return_latent=True)
        shown[name] = {
            "codes": model.transform(X),
            "nodes": graph.nodes_,
            "latents": latents,
            "walk_jog_angles": scaler.inverse_transform(paths[1]),  # rad, Fig. 6
        }
        per_joint[name] = np.array(joint_scores)
        rows.append(
            {
                "model": name,
                "smoothness mean (rad)": float(np.mean(path_scores)),
                "std over paths": float(np.std(path_scores)),
                "paths": len(path_scores),
                "LL (train subset, nats)": float(model.score(X[::10])),
                "final C (RMS)": float(np.sqrt(model.history_["C"][-1]))
                if "C" in model.history_
                else float("nan"),
                "fit s": fit_seconds,
                "warnings": len(caught),
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    figures = Path(args.figures or figures_path())
    figures.mkdir(parents=True, exist_ok=True)
    data = {"shown": shown, "per_joint": per_joint}
    out = Path(args.out) if args.out else results_path("motion.json")
    save_figure_data(data, out.with_suffix(".npz"))
    draw(data, mocap, figures)
    payload = {
        "machine": machine_info(args.device),
        "args": vars(args),
        "table": rows,
        "smoothness_per_joint_mean": {k: v.mean(0).tolist() for k, v in per_joint.items()},
        "smoothness_per_joint_std": {k: v.std(0).tolist() for k, v in per_joint.items()},
        "channels": [str(c) for c in mocap.channels],
    }
    print()
    print("\n".join(page_table(payload)))
    write_json("motion", payload, args.out)


# Path colours far from the motions' (tab10 blue, orange, green, red, purple).
PATH_COLOURS = ["black", "deeppink", "darkturquoise", "saddlebrown"]


def save_figure_data(data: dict, path: Path) -> None:
    """The arrays the figures show, so that ``--redraw`` needs no training."""
    arrays = {f"per_joint/{name}": v for name, v in data["per_joint"].items()}
    for name, shown in data["shown"].items():
        arrays[f"codes/{name}"] = shown["codes"]
        arrays[f"nodes/{name}"] = shown["nodes"]
        arrays[f"walk_jog_angles/{name}"] = shown["walk_jog_angles"]
        for i, latent in enumerate(shown["latents"]):
            arrays[f"latent{i}/{name}"] = latent
    np.savez_compressed(path, **arrays)
    print(f"wrote {path}")


def load_figure_data(path: str) -> dict:
    with np.load(path) as arrays:
        names = [key.split("/", 1)[1] for key in arrays if key.startswith("per_joint/")]
        shown = {
            name: {
                "codes": arrays[f"codes/{name}"],
                "nodes": arrays[f"nodes/{name}"],
                "walk_jog_angles": arrays[f"walk_jog_angles/{name}"],
                "latents": [arrays[f"latent{i}/{name}"] for i in range(len(PAIRS_SHOWN))],
            }
            for name in names
        }
        per_joint = {name: arrays[f"per_joint/{name}"] for name in names}
    return {"shown": shown, "per_joint": per_joint}


def draw(data: dict, mocap, folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown, per_joint = data["shown"], data["per_joint"]
    folder.mkdir(parents=True, exist_ok=True)
    channels = [str(c) for c in mocap.channels]
    # Fig. 5: latent means coloured by motion, prior samples, graph paths.
    fig, axes = plt.subplots(1, len(shown), figsize=(4.6 * len(shown), 4.8))
    for ax, (name, arrays) in zip(axes, shown.items(), strict=True):
        latents, Z = arrays["latents"], arrays["codes"]
        ax.scatter(*arrays["nodes"].T, s=2, c="lightgrey", label="prior samples")
        for m, motion in enumerate(mocap.motion_names):
            ax.scatter(*Z[mocap.motion == m].T, s=2, label=str(motion), color=f"C{m}")
        for (a, b), latent, colour in zip(PAIRS_SHOWN, latents, PATH_COLOURS, strict=True):
            ax.plot(*latent.T, c=colour, lw=1.8, label=f"path {a} → {b}")
            ax.plot(*latent[0], "s", c=colour, ms=6, mec="white")  # start
            ax.plot(*latent[-1], "D", c=colour, ms=6, mec="white")  # end
        ax.set_title(f"{name} (own scale)", fontsize=9)
        ax.set_xlabel("$z_1$")
        ax.set_ylabel("$z_2$")
        ax.tick_params(labelsize=7)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8, markerscale=3)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    fig.savefig(folder / "motion_latents.png", dpi=100)
    plt.close(fig)
    # Fig. 7: smoothness per joint, mean and std, joints named.
    fig, ax = plt.subplots(figsize=(12, 4.6))
    joints = np.arange(len(channels))
    offsets = np.linspace(-0.3, 0.3, len(per_joint))
    for offset, (name, scores) in zip(offsets, per_joint.items(), strict=True):
        ax.errorbar(
            joints + offset,
            scores.mean(0),
            yerr=scores.std(0),
            fmt="o",
            ms=3,
            label=name,
            capsize=1,
            lw=0.7,
        )
    ax.set_xticks(joints, channels, rotation=90, fontsize=6)
    ax.set_xlabel("joint angle (Acclaim channel)")
    ax.set_ylabel("smoothness factor (rad)")
    ax.set_title("smoothness of graph interpolations per joint: mean ± std over the paths")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "motion_smoothness.png", dpi=100)
    plt.close(fig)
    # Fig. 6: joint-angle strips of the walk -> jog interpolation, per model.
    fig, axes = plt.subplots(len(shown), 1, figsize=(9, 3.4 * len(shown)), squeeze=False)
    for ax, name in zip(axes[:, 0], shown, strict=True):
        path = shown[name]["walk_jog_angles"]
        image = ax.imshow(path.T, aspect="auto", cmap="coolwarm", vmin=-np.pi / 2, vmax=np.pi / 2)
        ax.set_title(f"{name}: walk (step 0) → jog (last step), joint angles along the path",
                     fontsize=9)  # fmt: skip
        ax.set_yticks(np.arange(0, len(channels), 5), channels[::5], fontsize=6)
        ax.set_xlabel("path step (start: walk frame, end: jog frame)", fontsize=8)
        fig.colorbar(image, ax=ax, label="angle (rad)")
    fig.tight_layout()
    fig.savefig(folder / "motion_interpolation.png", dpi=100)
    plt.close(fig)
    print(f"wrote figures into {folder}")


if __name__ == "__main__":
    main()
