"""skvhp._torch.models: every model offers the declared interface, with the same terms."""

import pytest
import torch

from skvhp._torch.models import (
    TERMS,
    LatentVariableModel,
    SingleLayerVAE,
    TwoLayerVAE,
    TwoLayerVampVAE,
)
from skvhp._torch.priors import HierarchicalPrior, StandardNormalPrior

N_FEATURES, N_COMPONENTS = 12, 3


def _models() -> dict:
    torch.manual_seed(0)
    return {
        "single, standard normal": SingleLayerVAE(
            N_FEATURES, N_COMPONENTS, (16,), "tanh", "bernoulli", StandardNormalPrior(N_COMPONENTS)
        ),
        "single, hierarchical": SingleLayerVAE(
            N_FEATURES,
            N_COMPONENTS,
            (16,),
            "tanh",
            "gaussian",
            HierarchicalPrior(N_COMPONENTS, 2, (8,), "tanh", k=4),
        ),
        "two-layer IWAE": TwoLayerVAE(
            N_FEATURES, 5, N_COMPONENTS, (16,), (8,), "tanh", "bernoulli"
        ),
        "two-layer VampPrior": TwoLayerVampVAE(
            N_FEATURES,
            5,
            N_COMPONENTS,
            (16,),
            "gated",
            "bernoulli",
            torch.rand(7, 12),
            True,
            (0, 1),
        ),
    }


@pytest.mark.parametrize("name", list(_models()))
def test_every_model_returns_the_declared_terms(name):
    model = _models()[name]
    assert isinstance(model, LatentVariableModel)
    x = torch.rand(6, N_FEATURES).round()
    terms = model.forward_terms(x, 4, torch.Generator().manual_seed(1))
    assert tuple(terms) == TERMS
    for key in ("log_px", "log_pz", "log_qz", "log_w"):
        assert terms[key].shape == (4, 6), key
    assert terms["decoder_out"].shape[:2] == (4, 6)
    torch.testing.assert_close(terms["log_w"], terms["log_px"] + terms["log_pz"] - terms["log_qz"])
    # log_weights is forward_terms' log_w, from the same draws.
    log_w = model.log_weights(x, 4, torch.Generator().manual_seed(1))
    torch.testing.assert_close(log_w, terms["log_w"])
    assert model.sample_latent(5, torch.Generator().manual_seed(2)).shape == (5, N_COMPONENTS)
    z = torch.randn(5, N_COMPONENTS)
    assert model.decode_mean(z).shape == (5, N_FEATURES)
    assert model.sample_data(z, torch.Generator().manual_seed(3)).shape == (5, N_FEATURES)
    assert model.encode_mean(x).shape == (6, N_COMPONENTS)


def test_evaluation_width_is_the_widest_activation_of_a_pass():
    models = _models()
    assert models["single, standard normal"].evaluation_width() == 16
    # The hierarchical prior's networks run k times per z (nested), once (joint).
    hierarchical = models["single, hierarchical"]  # k = 4 passes of 8 units per z
    assert hierarchical.evaluation_width() == 32
    assert hierarchical.evaluation_width(prior_samples=1) == 16
    wide = SingleLayerVAE(
        4, 3, (5,), "tanh", "bernoulli", HierarchicalPrior(3, 2, (10,), "tanh", k=16)
    )
    assert wide.evaluation_width() == 160 and wide.evaluation_width(prior_samples=1) == 10
    assert models["two-layer IWAE"].evaluation_width() == 16
    # (x, z2) enters q(z1 | x, z2): the widest layer or mixture, plus z2.
    assert models["two-layer VampPrior"].evaluation_width() == 16 + N_COMPONENTS
