"""The torch layer: networks, distributions, likelihoods, priors, models, objectives,
β-schedules, the training loop, evaluation and device logic.

It imports torch and numpy, never scikit-learn nor the estimator modules above it
(``tests/test_architecture.py`` checks this); the estimators in ``skvhp/`` are built on it.
"""
