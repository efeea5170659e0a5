"""
The pendulum: predicting the joint angle from a 2-d latent code
===============================================================

Images of a swinging pendulum lie on a ring: the joint angle is periodic. A VAE whose
latent space keeps that ring lets a linear model read the angle off the latent code,
after a change to polar coordinates. This is the probe of Klushyn et al. (2019, Sec.
4.1), as a scikit-learn :class:`~sklearn.pipeline.Pipeline`, with the settings that keep
the ring round (``init="pca"``, ``posterior="isotropic"``; see the pendulum page).
The budget here is small (3000 images, 15 epochs); ``benchmarks/experiments/pendulum_topology.py``
runs the full experiment.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline

from skvhp import PolarCoordinates, VHPAutoencoder
from skvhp.datasets import make_pendulum

X, angles = make_pendulum(3000, random_state=0)  # 16x16 images, angle uniform in [0, 2π)
X_test, angles_test = make_pendulum(500, random_state=1)

vhp = VHPAutoencoder(
    n_components=2,
    hidden_layer_sizes=(128, 128),
    prior_hidden_layer_sizes=(64, 64),
    init="pca",
    posterior="isotropic",
    kappa=0.15,  # this short fit's budget; the full runs meet κ = 0.1
    max_iter=15,
    n_importance_samples=100,
    random_state=0,
)
probe = Pipeline([("vhp", vhp), ("polar", PolarCoordinates()), ("ols", LinearRegression())])
probe.fit(X, np.c_[np.cos(angles), np.sin(angles)])

predicted = probe.predict(X_test)
angle_hat = np.arctan2(predicted[:, 1], predicted[:, 0])
error = np.abs(np.angle(np.exp(1j * (angle_hat - angles_test))))  # wrapped to [0, π]
print(f"mean absolute angle error: {error.mean():.3f} rad")

# %%
# The latent codes of the test images, coloured by the true joint angle: a ring, with
# the learned prior's samples on it.
Z = vhp.transform(X_test)
Z_prior = vhp.sample_latent(1000, random_state=0)
fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
points = axes[0].scatter(*Z.T, c=angles_test, cmap="twilight", s=8, vmin=0, vmax=2 * np.pi)
fig.colorbar(points, ax=axes[0], label="joint angle (rad)")
axes[0].set_title("posterior means of the test images")
axes[1].scatter(*Z_prior.T, s=4, color="tab:blue")
axes[1].set_title("samples of the learned prior")
for ax in axes:
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_aspect("equal", adjustable="datalim")
fig.tight_layout()
plt.show()
