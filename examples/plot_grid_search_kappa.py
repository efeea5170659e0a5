"""
Choosing κ with GridSearchCV
============================

``score`` is the mean importance-sampled log-likelihood, so scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV` can choose κ, the tolerance on the
reconstruction error, like any other hyper-parameter. Scoring with 5000 importance
samples (the papers' protocol) costs 5000 forward passes per held-out image: for a
search, a few hundred samples are enough to compare candidates quickly.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from skvhp import VHPAutoencoder

X = load_digits().data / 16.0

# %%
# A short recipe first: the RMS error per pixel the model reaches at β = 1.
probe = VHPAutoencoder(
    n_components=2,
    hidden_layer_sizes=(64,),
    prior_hidden_layer_sizes=(32,),
    schedule="constant",
    max_iter=10,
    random_state=0,
).fit(X)
rms = float(np.sqrt(probe.history_["C"][-1]))
print(f"RMS error at beta = 1: {rms:.3f}")

# %%
# Then the search over κ at and above it (a κ below it needs a longer fit to leave
# REWO's initial phase), with 3-fold cross-validation.
kappas = [round(f * rms, 3) for f in (1.0, 1.1, 1.25)]
print(f"kappa candidates: {kappas}")
search = GridSearchCV(
    VHPAutoencoder(
        n_components=2,
        hidden_layer_sizes=(64,),
        prior_hidden_layer_sizes=(32,),
        max_iter=10,
        batch_size=32,
        alpha=0.9,  # a running average Ĉ that follows a short fit (the default, 0.99, lags)
        n_importance_samples=200,
        random_state=0,
    ),
    {"kappa": kappas},
    cv=3,
)
start = time.perf_counter()
search.fit(X)
print(f"search took {time.perf_counter() - start:.0f} s; best kappa {search.best_params_}")

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.errorbar(
    kappas,
    search.cv_results_["mean_test_score"],
    yerr=search.cv_results_["std_test_score"],
    marker="o",
    capsize=3,
)
ax.set_xlabel("κ (RMS error per pixel)")
ax.set_ylabel("held-out log-likelihood (nats per image)")
ax.set_title("3-fold cross-validation over κ")
fig.tight_layout()
plt.show()
