"""Small network factories shared by every model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn

ACTIVATIONS = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "elu": nn.ELU,
    "softplus": nn.Softplus,
    "sigmoid": nn.Sigmoid,
}
ACTIVATION_NAMES = (*ACTIVATIONS, "gated")


class GatedDense(nn.Module):
    """h = (W x + b) ⊙ σ(V x + c): the gated dense layer of the VampPrior paper
    (Dauphin et al. 2017), used there in place of a linear layer and an activation."""

    def __init__(self, n_inputs: int, n_outputs: int):
        super().__init__()
        self.linear = nn.Linear(n_inputs, n_outputs)
        self.gate = nn.Linear(n_inputs, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x) * torch.sigmoid(self.gate(x))


class MLP(nn.Sequential):
    """A feed-forward stack that can run in bfloat16 and always returns float32.

    With ``autocast_dtype`` set (``mixed_precision=True`` during training) the matrix
    products and hidden activations run under autocast in that dtype; the output is cast
    back to float32, and autocast covers the network only, so every log-density, KL term
    and sum downstream is computed in float32.
    """

    autocast_dtype: torch.dtype | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.autocast_dtype is None:
            return super().forward(x)
        with torch.autocast(x.device.type, dtype=self.autocast_dtype):
            out = super().forward(x)
        return out.float()


@contextmanager
def networks_autocast(module: nn.Module, dtype: torch.dtype | None) -> Iterator[None]:
    """Run every :class:`MLP` inside ``module`` under autocast in ``dtype`` (None: in
    float32) for the duration of the block, then restore what each had before."""
    mlps = [child for child in module.modules() if isinstance(child, MLP)]
    previous = [mlp.autocast_dtype for mlp in mlps]
    for mlp in mlps:
        mlp.autocast_dtype = dtype
    try:
        yield
    finally:
        for mlp, old in zip(mlps, previous, strict=True):
            mlp.autocast_dtype = old


def make_mlp(
    n_inputs: int, hidden_layer_sizes: Sequence[int], n_outputs: int, activation: str = "tanh"
) -> MLP:
    """A multilayer perceptron: ``n_inputs -> hidden... -> n_outputs``, linear output.

    ``hidden_layer_sizes`` may be empty, which gives a single affine map. With
    ``activation="gated"`` every hidden layer is a :class:`GatedDense` layer.
    """
    layers: list[nn.Module] = []
    width = n_inputs
    for size in hidden_layer_sizes:
        if activation == "gated":
            layers.append(GatedDense(width, int(size)))
        else:
            layers += [nn.Linear(width, int(size)), ACTIVATIONS[activation]()]
        width = int(size)
    layers.append(nn.Linear(width, n_outputs))
    return MLP(*layers)


class GaussianHead(nn.Module):
    """An MLP that maps its input to the mean and log-variance of a diagonal Gaussian
    (with ``isotropic=True``, of a Gaussian with one variance shared by all outputs).

    The log-variance is clamped to [-12, 8] so that an early, wild step cannot produce
    an infinite density; well-trained models live far inside that range.
    """

    LOG_VAR_MIN, LOG_VAR_MAX = -12.0, 8.0

    def __init__(
        self,
        n_inputs: int,
        hidden_layer_sizes: Sequence[int],
        n_outputs: int,
        activation: str,
        *,
        isotropic: bool = False,
    ):
        super().__init__()
        self.n_outputs = n_outputs
        self.isotropic = isotropic  # one variance for every output: N(mean, σ² I)
        n_var = 1 if isotropic else n_outputs
        self.net = make_mlp(n_inputs, hidden_layer_sizes, n_outputs + n_var, activation)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.net(x)
        mean, log_var = out[..., : self.n_outputs], out[..., self.n_outputs :]
        log_var = log_var.clamp(self.LOG_VAR_MIN, self.LOG_VAR_MAX)
        return mean, log_var.expand_as(mean) if self.isotropic else log_var
