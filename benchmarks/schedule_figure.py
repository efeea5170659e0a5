"""Draw the β-update maps of REWO and GECO (the paper's Fig. 1) into docs/figures.

python benchmarks/schedule_figure.py
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from _common import ROOT

from skvhp._schedules import geco_beta_update, rewo_beta_update


def main():
    betas = np.linspace(0.01, 1.0, 200)
    deltas = np.linspace(-1.0, 1.0, 200)
    B, D = np.meshgrid(betas, deltas)
    rewo = np.vectorize(lambda b, d: rewo_beta_update(b, d, 1.0, 3.0) - b)(B, D)
    geco = np.vectorize(lambda b, d: geco_beta_update(b, d, 1.0) - b)(B, D)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    panels = (
        (axes[0], rewo, "REWO: Δβ_t, ν = 1, τ = 3"),
        (axes[1], geco, "GECO (β form): Δβ_t, ν = 1"),
    )
    for ax, values, title in panels:
        lim = np.abs(values).max()
        mesh = ax.pcolormesh(B, D, values, cmap="RdBu", vmin=-lim, vmax=lim, shading="auto")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xlabel("β_{t-1}")
        ax.set_title(title)
        fig.colorbar(mesh, ax=ax)
    axes[0].set_ylabel("Ĉ_t − κ²")
    fig.tight_layout()
    path = ROOT / "docs" / "figures" / "beta_updates.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
