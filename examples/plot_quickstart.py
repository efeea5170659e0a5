"""
Quickstart: fit, encode, decode, score and sample
=================================================

A VAE with a learned hierarchical prior (:class:`skvhp.VHPAutoencoder`) on scikit-learn's
8x8 digits: posterior means as a 2-d embedding, reconstructions, a log-likelihood in nats
and samples from the learned prior.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from skvhp import VHPAutoencoder

digits = load_digits()
X = digits.data / 16.0  # grey levels in [0, 1], as the Bernoulli likelihood needs
X_train, X_test = X[:1500], X[1500:]
y_test = digits.target[1500:]

# %%
# κ is the tolerance on the RMS reconstruction error per pixel. REWO trains without the
# prior until the running error falls below κ² (by default the encoder starts from the
# data's principal coordinates and waits while the decoder learns them), then the prior
# too, raising the KL weight β towards 1.
model = VHPAutoencoder(
    n_components=2,
    hidden_layer_sizes=(128, 128),
    prior_hidden_layer_sizes=(64, 64),
    kappa=0.3,
    max_iter=40,
    batch_size=32,
    n_importance_samples=200,
    random_state=0,
).fit(X_train)
print(f"REWO left its initial phase at iteration {model.schedule_.main_phase_start}")
print(f"final beta: {model.iteration_history_['beta'][-1]:.3f}")
print(f"test log-likelihood: {model.score(X_test):.2f} nats per image (200 samples)")

# %%
# The embedding (posterior means) of the test digits, coloured by their label, and the
# learned prior's samples in the same latent space.
Z = model.transform(X_test)
Z_prior = model.sample_latent(1000, random_state=0)
fig, ax = plt.subplots(figsize=(6, 5))
ax.scatter(*Z_prior.T, s=4, c="lightgrey", label="prior samples")
points = ax.scatter(*Z.T, c=y_test, cmap="tab10", s=12, label="test digits")
fig.colorbar(points, ax=ax, label="digit")
ax.set_xlabel("$z_1$")
ax.set_ylabel("$z_2$")
ax.set_title("posterior means of the test digits")
ax.legend(loc="lower right")

# %%
# Reconstructions (decoder means of the posterior means) and samples from the prior.
X_hat = model.inverse_transform(Z[:8])
X_new = model.sample(8, random_state=0)
fig, axes = plt.subplots(3, 8, figsize=(8, 3.4))
for row, images, title in zip(
    axes, [X_test[:8], X_hat, X_new], ["data", "decoded", "sampled"], strict=True
):
    for ax, image in zip(row, images, strict=True):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(title)
fig.tight_layout()
plt.show()
