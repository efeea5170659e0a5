"""The topological term, an option family of :class:`VHPAutoencoder` (``topology=``).

Its hyperparameters travel together in one object, as a kernel does in scikit-learn's
``GaussianProcessRegressor(kernel=...)``: ``get_params`` and ``set_params`` reach them
(``topology__weight`` in a grid search), and the torch layer's callback
(``skvhp._torch.callbacks.TopologicalTermCallback``) is built from it at each fit.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator

from ._validation import check_choice, check_float

REFERENCES = ("start", "data")
SCALES = ("mean", "fitted")
# weight="auto": on a torus start the codes kept its second loop at 0.28-0.44 with
# weight 1 (target 0.4) and at 0.40-0.51 with 100, on the shape harness's tuning tori
# (docs/research_log.md, 2026-12-08); elsewhere 1, the weight arcs and rings were tuned with.
AUTO_WEIGHT = 1.0
AUTO_TORUS_WEIGHT = 100.0


class TopologicalTerm(BaseEstimator):
    """The 0-dimensional topological loss of Moor et al. (2020), added to VHP's training
    loss: ``VHPAutoencoder(topology=TopologicalTerm())``.

    Per batch, the distances along the minimum spanning trees of a reference (the data,
    or the frozen start's codes) and of the posterior means, each made scale-free, must
    agree (``skvhp._torch.objectives.topological_loss``). It keeps codes apart whose
    reference points are apart, so a gap the start has (an open arc's ends) is not
    closed by training. Validation losses and ``score`` never include it. Our addition,
    not in Klushyn et al.

    Parameters
    ----------
    weight : float or "auto", default="auto"
        Its weight λ in the training loss; 0 switches it off. Larger values hold the
        reference's shape harder and cost likelihood. "auto": 100 where the term is
        measured against a start that is a torus (``init`` "circular" or "auto" laid
        out two loops), whose smaller loop training shrinks under a weight of 1; else 1.
        The fitted model's ``topology_weight_`` says which.
    reference : {"start", "data"}, default="start"
        What the codes' distances are compared with: the codes of the encoder as
        ``init`` pre-trained it, kept frozen ("start"; needs an ``init`` other than
        "random"; kept as the model's ``reference_encoder_`` so that a warm start
        continues with it), or the data's own distances ("data", as Moor et al.). On
        images use "start": pixel distances saturate between images that share no
        pixels, and against them the term distorts a ring.
    scale : {"mean", "fitted"}, default="mean"
        How the latent scale is left free: the codes' distances divided by their batch
        mean, like the reference's ("mean"), or scaled by the factor that fits their
        tree edges to the reference's best ("fitted": least squares over the edges, the
        closed form of the scale Moor et al. learn). "fitted" suits point clouds in
        clusters (Spheres, MNIST: docs/topology.md).

    Notes
    -----
    The trees are the batch's, so ``batch_size`` sets which distances the term compares:
    on data in many separate clusters, smaller batches (32 on Spheres) give it more edges
    between clusters. Each step costs the batch's distance matrices and two minimum
    spanning trees.

    References
    ----------
    M. Moor, M. Horn, B. Rieck, K. Borgwardt. Topological autoencoders. ICML 2020.

    Examples
    --------
    >>> from skvhp import TopologicalTerm, VHPAutoencoder
    >>> model = VHPAutoencoder(init="auto", topology=TopologicalTerm(weight=1.0))
    >>> model.get_params()["topology__reference"]
    'start'
    >>> model.set_params(topology__weight=10.0).topology
    TopologicalTerm(weight=10.0)
    """

    def __init__(self, weight: float | str = "auto", reference: str = "start", scale: str = "mean"):
        self.weight = weight
        self.reference = reference
        self.scale = scale

    def check(self, init: object, prefix: str = "topology__") -> None:
        """Raise a ``ValueError`` naming the option (``prefix`` + its name) if a value is
        invalid, or if the term is measured against a start that ``init`` does not make."""
        if not (isinstance(self.weight, str) and self.weight == "auto"):
            try:
                check_float(self.weight, f"{prefix}weight", 0.0)
            except ValueError:
                raise ValueError(
                    f"{prefix}weight must be a finite real number >= 0 or 'auto', "
                    f"got {self.weight!r}."
                ) from None
        check_choice(self.reference, f"{prefix}reference", REFERENCES)
        check_choice(self.scale, f"{prefix}scale", SCALES)
        if self.active and self.reference == "start" and isinstance(init, str) and init == "random":
            raise ValueError(
                f"{prefix}reference='start' compares the codes with the starting layout, "
                "which init='random' does not have; choose init='pca', 'isomap', "
                "'spectral' or 'auto', or TopologicalTerm(reference='data')."
            )

    @property
    def active(self) -> bool:
        """Whether the term adds anything to the loss (a weight above 0, or "auto")."""
        return isinstance(self.weight, str) or float(self.weight) > 0.0

    def weight_for(self, torus_start: bool) -> float:
        """The weight a fit uses: ``weight``, or for "auto" ``AUTO_TORUS_WEIGHT`` where
        the term is measured against a start that is a torus (the one case the shape
        harness tested it on), else ``AUTO_WEIGHT``."""
        if isinstance(self.weight, str):
            torus = torus_start and self.reference == "start"
            return AUTO_TORUS_WEIGHT if torus else AUTO_WEIGHT
        return float(self.weight)
