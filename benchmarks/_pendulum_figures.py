"""Panels shared by the pendulum figures: a 2-d latent space seen through its posterior
means (coloured by the joint angle) and its prior samples, and a graph path drawn over
the data ring with its decoded frames. Callers own the figure and the titles."""

from __future__ import annotations

import numpy as np

from skvhp.datasets import render_pendulum

ANGLE_COLOURS = dict(cmap="hsv", vmin=0.0, vmax=2 * np.pi)  # θ is periodic: a cyclic map


def label_latent_axes(ax) -> None:
    """Equal aspect on the panel's own data limits, axes named."""
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("$z_1$", fontsize=7)
    ax.set_ylabel("$z_2$", fontsize=7)
    ax.tick_params(labelsize=6)


def latent_panels(ax_codes, ax_prior, model, X, theta, n_prior: int = 2000):
    """Posterior means of ``X`` coloured by ``theta`` and ``n_prior`` samples of the
    learned prior, each panel on its own scale. Returns the scatter for a colour bar."""
    Z = model.transform(X)
    P = model.sample_latent(n_prior, random_state=0)
    points = ax_codes.scatter(*Z.T, c=theta, s=2, **ANGLE_COLOURS)
    ax_prior.scatter(*P.T, s=1, c="k", alpha=0.3)
    for ax in (ax_codes, ax_prior):
        label_latent_axes(ax)
    return points


def path_over_ring(ax, graph, latent, codes, theta_codes):
    """The graph's nodes (grey) under the codes of data images (coloured by θ), and the
    shortest path (black) with its start and end marked. Returns the codes' scatter."""
    ax.scatter(*graph.nodes_.T, s=2, c="0.7", label="graph nodes (prior samples)")
    points = ax.scatter(*codes.T, c=theta_codes, s=4, **ANGLE_COLOURS)
    ax.plot(*latent.T, "-o", c="black", ms=3, lw=1.2, label="shortest path")
    ax.plot(*latent[0], "s", c="tab:green", ms=10, label="start: 0 rad")
    ax.plot(*latent[-1], "D", c="tab:red", ms=10, label="end: π rad")
    label_latent_axes(ax)
    return points


def frame_picks(n_path: int, n_frames: int) -> np.ndarray:
    """Indices of ``n_frames`` evenly spaced frames of a path of ``n_path`` points."""
    return np.linspace(0, n_path - 1, min(n_frames, n_path)).round().astype(int)


def draw_frames(axes, frames, theta_read, picks) -> None:
    """One decoded 16×16 frame per axis, titled with its position on the path and the
    angle read from it (start and end named)."""
    for j, (ax, k) in enumerate(zip(axes, picks, strict=False)):
        ax.imshow(frames[k].reshape(16, 16), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        label = "start" if j == 0 else "end" if j == len(picks) - 1 else f"{k}"
        ax.set_title(f"{label}\nθ≈{theta_read[k]:.2f}", fontsize=7)
    for ax in axes[len(picks) :]:
        ax.set_axis_off()


def path_ends(geometry: dict) -> np.ndarray:
    """The images at 0 and π rad: the ends of the paper's interpolation."""
    return render_pendulum(np.array([0.0, np.pi]), **geometry)


def schedule_panel(ax, model) -> None:
    """β and Ĉ / κ² per iteration (log scale; the constraint binds below the grey line)."""
    trace = model.iteration_history_
    ax.plot(trace["beta"], lw=1, label="β")
    ax.plot(np.array(trace["C_hat"]) / model.schedule_.kappa_used**2, lw=1, label="Ĉ / κ²")
    ax.axhline(1.0, c="grey", lw=0.5)
    ax.set_yscale("log")
    ax.set_xlabel("iteration", fontsize=7)
    ax.legend(fontsize=7)
    ax.tick_params(labelsize=6)
