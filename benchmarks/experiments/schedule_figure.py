"""Draw the β-update maps of REWO and GECO (the paper's Fig. 1) into docs/figures.

python benchmarks/experiments/schedule_figure.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from _common import add_smoke_argument, figures_path, parse_args

from skvhp._torch.schedules import geco_beta_update, rewo_beta_update


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_smoke_argument(parser)
    parse_args(parser, argv)
    # β past 1 as well: GECO goes there, REWO never does (its β is clipped to 1).
    betas = np.linspace(0.01, 2.0, 400)
    deltas = np.linspace(-1.0, 1.0, 200)
    B, D = np.meshgrid(betas, deltas)
    Bt, Dt = torch.from_numpy(B), torch.from_numpy(D)  # the rules work elementwise
    rewo = (rewo_beta_update(Bt, Dt, 1.0, 3.0) - Bt).numpy()
    rewo[B > 1.0] = np.nan  # unreachable for REWO
    geco = (geco_beta_update(Bt, Dt, 1.0) - Bt).numpy()
    lim = np.nanmax(np.abs(np.concatenate([rewo.ravel(), geco.ravel()])))  # one scale
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True, layout="constrained")
    panels = (
        (axes[0], rewo, r"REWO, $\nu = 1$, $\tau = 3$"),
        (axes[1], geco, r"GECO in $\beta$ form, $\nu = 1$"),
    )
    for ax, values, title in panels:
        ax.set_facecolor("0.85")  # grey where REWO's β cannot be
        mesh = ax.pcolormesh(B, D, values, cmap="RdBu", vmin=-lim, vmax=lim, shading="auto")
        ax.axhline(0, color="k", lw=0.6)
        ax.axvline(1, color="k", lw=0.6, ls="--")
        ax.set_xlabel(r"$\beta_{t-1}$")
        ax.set_title(title)
    axes[0].text(1.5, 0.0, "β > 1:\nnever reached\n(clipped to 1)", ha="center", va="center")
    axes[0].set_ylabel(r"$\hat C_t - \kappa^2$ (constraint violated above 0)")
    fig.colorbar(mesh, ax=axes, label=r"$\Delta\beta_t = \beta_t - \beta_{t-1}$")
    path = figures_path("beta_updates.png")
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
