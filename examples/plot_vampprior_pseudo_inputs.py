"""
VampPrior: the learned pseudo-inputs
====================================

The VampPrior (Tomczak & Welling 2018) is the mixture of the encoder's posteriors at K
learned *pseudo-inputs*, p(z) = (1/K) Σ_k q(z | u_k). The pseudo-inputs live in data
space, so they can be looked at: after training they resemble prototypes of the data.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from skvhp import VampPriorVAE

X = load_digits().data / 16.0
model = VampPriorVAE(
    n_components=8,
    hidden_layer_sizes=(128, 128),
    n_pseudo_inputs=16,
    warmup_epochs=10,
    max_iter=40,
    n_importance_samples=200,
    random_state=0,
).fit(X)
print(f"log-likelihood on the training digits: {model.score(X[:300]):.2f} nats per image")

# %%
# The 16 pseudo-inputs u_k (``pseudo_inputs_``), in [0, 1] like the data.
U = model.pseudo_inputs_
fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for ax, u in zip(axes.ravel(), U, strict=True):
    ax.imshow(u.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("learned pseudo-inputs")
fig.tight_layout()
plt.show()
