"""
Human motion: a 2-d latent space of joint angles
================================================

CMU motion capture, five motions (walk, jog, balance, martial arts, dance), 50 joint
angles per frame. A VHP with a Gaussian likelihood on standardised angles gives a 2-d
latent space in which the motions form separate curves; the experiment page
(``motion.md``) runs the full interpolation-smoothness comparison. ``load_cmu_mocap``
reads ``cmu_mocap.npz`` from the folder in the ``SKVHP_DATA`` environment variable (or
pass ``data_home=...``); the documentation build points it at ``../shared/data``.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.preprocessing import StandardScaler

from skvhp import VHPAutoencoder
from skvhp.datasets import load_cmu_mocap

mocap = load_cmu_mocap()
X = StandardScaler().fit_transform(mocap.data).astype(np.float32)

# κ: an RMS error of 0.5 standard deviations per joint angle. The default PCA start keeps
# the encoder waiting while the decoder learns the 2-d principal coordinates, which are
# too coarse to meet κ² here; the encoder joins once the error stops falling, and 30
# epochs leave time for it to meet κ² (15 do not).
vhp = VHPAutoencoder(
    n_components=2,
    hidden_layer_sizes=(128, 128),
    prior_hidden_layer_sizes=(64, 64),
    likelihood="gaussian",
    kappa=0.5,
    max_iter=30,
    n_importance_samples=10,
    random_state=0,
).fit(X)
Z = vhp.transform(X)

fig, ax = plt.subplots(figsize=(6.5, 5))
for m, name in enumerate(mocap.motion_names):
    ax.scatter(*Z[mocap.motion == m].T, s=3, label=str(name))
ax.set_xlabel("$z_1$")
ax.set_ylabel("$z_2$")
ax.set_title("posterior means of 4642 frames")
ax.legend(markerscale=4)
fig.tight_layout()
plt.show()
