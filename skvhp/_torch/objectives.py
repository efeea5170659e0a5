"""The training objectives, as plain functions of a model's ``forward_terms``.

Both are negative lower bounds on log p(x) per data point (at β = 1), averaged over the
batch; β < 1 down-weights the latent part of the bound (KL annealing, REWO, GECO).
"""

from __future__ import annotations

import numpy as np
import torch

from .distributions import log_mean_exp


def importance_weighted_loss(
    terms: dict[str, torch.Tensor], beta: torch.Tensor | None = None
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The negative k-sample bound of Burda et al., ``-mean_x log (1/k) Σ_i w_i``, from
    ``terms`` with k draws per row.

    With ``beta`` the latent part of each log-weight is scaled,
    ``log w_i = log p(x|z_i) + β log [p(z_i) / q(z_i|x)]`` (a warm-up); None is β = 1,
    the bound itself. Also returns ``elbo``, the mean of the k log-weights (the
    single-sample ELBO, ≤ the bound).
    """
    log_w = terms["log_w"]
    if beta is not None:
        beta = beta.to(log_w.dtype)
        log_w = terms["log_px"] + beta * (terms["log_pz"] - terms["log_qz"])
    bound = log_mean_exp(log_w, dim=0).mean()
    return -bound, {"elbo": terms["log_w"].mean()}


def single_sample_terms(
    terms: dict[str, torch.Tensor], x: torch.Tensor, likelihood: torch.nn.Module
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per row, from one draw z ~ q(z|x): ``nll`` = -log p(x|z), ``kl`` = log q(z|x) -
    log p(z) (a single-sample estimate of the KL term; with the hierarchical prior an
    upper bound on it in expectation), and the batch's constraint ``C``, the mean squared
    reconstruction error per feature against the decoder mean."""
    nll = -terms["log_px"][0]
    kl = (terms["log_qz"] - terms["log_pz"])[0]
    x_mean = likelihood.mean(terms["decoder_out"][0])
    return nll, kl, (x - x_mean).pow(2).mean()


def beta_weighted_loss(
    nll: torch.Tensor, kl: torch.Tensor, beta: torch.Tensor
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """``mean(nll) + β mean(kl)``, the β-weighted single-sample bound, with its parts:
    ``nll``, ``kl`` and ``bound`` (their sum, the β = 1 loss), batch means."""
    nll, kl = nll.mean(), kl.mean()
    return nll + beta.to(nll.dtype) * kl, {"nll": nll, "kl": kl, "bound": nll + kl}


def minimum_spanning_edges(D: torch.Tensor) -> torch.Tensor:
    """The edges (2, n - 1) of a minimum spanning tree of the complete graph with
    distances D (n, n): the pairs that 0-dimensional persistent homology of the Rips
    filtration pairs. Computed on the host (a read of D per call)."""
    from scipy.sparse.csgraph import minimum_spanning_tree

    weights = D.detach().double().cpu().numpy() + 1e-12  # csgraph reads 0 as no edge
    tree = minimum_spanning_tree(weights).tocoo()
    return torch.as_tensor(np.stack([tree.row, tree.col]), dtype=torch.long, device=D.device)


def topological_loss(x: torch.Tensor, z: torch.Tensor, scale: str = "mean") -> torch.Tensor:
    """The 0-dimensional topological loss of Moor et al. (2020) for a batch.

    With D^X, D^Z the batch's distance matrices in data and latent space and π^X, π^Z
    the edges of their minimum spanning trees,
    ``½ Σ_{π^X} (D^X - D^Z)² + ½ Σ_{π^Z} (D^Z - D^X)²``: the edges that hold the data
    together keep their length in the latent space, and no two codes come close (a short
    latent edge) unless their data are. A loop that closes over a gap in the data (an arc
    bent into a ring) is such a short latent edge.

    Only shape counts (the prior fixes the latent scale): D^X is divided by its mean, and
    D^Z (``scale``) by its own mean ("mean"), or by the factor that fits its tree edges
    to the data's best ("fitted": the least-squares scale over the edges compared, the
    closed form of the latent scale Moor et al. learn as a parameter). The mean of all
    pairs ties the edges to the batch's global spread, which the fitted scale leaves free.
    """
    D_X = torch.cdist(x.detach(), x.detach())
    D_Z = torch.cdist(z, z)
    n = x.shape[0]
    off_diagonal = n * (n - 1)
    D_X = D_X / D_X.sum().div(off_diagonal).clamp_min(1e-12)
    if scale == "fitted":
        i, j = torch.cat([minimum_spanning_edges(D_X), minimum_spanning_edges(D_Z)], dim=1)
        data, codes = D_X[i, j], D_Z[i, j]
        fit = (data * codes).sum() / codes.pow(2).sum().clamp_min(1e-12)
        return 0.5 * (data - fit * codes).pow(2).sum()
    D_Z = D_Z / D_Z.sum().div(off_diagonal).clamp_min(1e-12)
    loss = torch.zeros((), dtype=z.dtype, device=z.device)
    for i, j in (minimum_spanning_edges(D_X), minimum_spanning_edges(D_Z)):
        loss = loss + 0.5 * (D_X[i, j] - D_Z[i, j]).pow(2).sum()
    return loss
