"""
Checkpoints, resuming and training chunk by chunk
=================================================

With ``warm_start=True`` a second ``fit`` resumes exactly where the first stopped: the
weights, Adam's state, the β-schedule and the random stream continue, so two fits of 5
epochs give the same model as one of 10, with or without a pickle (a checkpoint) in
between. ``partial_fit`` runs one epoch on the data it is given, for data that arrive in
chunks or do not fit in memory.
"""

import pickle

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skvhp import IWAE

X = load_digits().data / 16.0
params = dict(n_components=4, hidden_layer_sizes=(64,), random_state=0, warm_start=True)

once = IWAE(max_iter=10, **params).fit(X)
first = IWAE(max_iter=5, **params).fit(X)
checkpoint = pickle.dumps(first)  # e.g. saved at the end of a session
resumed = pickle.loads(checkpoint).fit(X)  # five more epochs
gap = max(
    (a - b).abs().max().item()
    for a, b in zip(
        once.module_.state_dict().values(), resumed.module_.state_dict().values(), strict=True
    )
)
print(f"epochs: {resumed.n_iter_}; largest parameter difference to one 10-epoch fit: {gap:.1e}")

# %%
# Training chunk by chunk: each ``partial_fit`` call is one pass over its chunk.
chunked = IWAE(n_components=4, hidden_layer_sizes=(64,), random_state=0)
for _ in range(10):
    for chunk in np.array_split(X, 3):
        chunked.partial_fit(chunk)
print(f"partial_fit calls: {chunked.n_iter_}")

fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(np.arange(1, 11), once.history_["loss"], "o-", label="fit, 10 epochs")
ax.plot(np.arange(1, 11), resumed.history_["loss"], "x--", label="5 + 5 through a pickle")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (negative IWAE bound, nats)")
ax.legend()
fig.tight_layout()
plt.show()
