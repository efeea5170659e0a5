"""skvhp._layouts and the VHP's init options: layouts that keep the data's shape."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

from skvhp import VHPAutoencoder
from skvhp._layouts import (
    LAYOUT_NEIGHBOURS,
    LAYOUT_POINTS,
    _isomap,
    _n_separate_pieces,
    _pieces,
    _subsample,
    choose_layout,
    manifold_layout,
)
from skvhp._torch.init import pca_coordinates
from skvhp.datasets import make_pendulum, make_two_pendulums
from skvhp.topology import longest_bars


def PCA_2(points, n_components, neighbours):
    return PCA(n_components, svd_solver="full").fit_transform(points)


@pytest.fixture(scope="module")
def arc_images():
    X, angles = make_pendulum(1500, random_state=0, angle_range=(0.0, 1.5 * np.pi))
    return X, angles


@pytest.mark.parametrize("method", ["isomap", "spectral"])
def test_a_manifold_layout_keeps_an_arc_open_where_pca_closes_it(method, arc_images):
    X, angles = arc_images
    layout = manifold_layout(X, method, 2, seed=0, n_points=800)
    assert layout.shape == (len(X), 2)
    np.testing.assert_allclose(layout.mean(0), 0.0, atol=1e-9)
    np.testing.assert_allclose(layout.std(0), 1.0)
    pca = pca_coordinates(torch.as_tensor(X), 2).numpy()
    assert longest_bars(pca, n_points=400)["H1"][0] > 0.5  # PCA bends the arc into a loop
    assert longest_bars(layout, n_points=400)["H1"][0] < 0.2
    # Along the arc the layout is monotone in the angle: its first coordinate (isomap) or
    # one of them (spectral) ranks the images as the angle does.
    rank = np.argsort(np.argsort(angles))
    corr = max(abs(np.corrcoef(np.argsort(np.argsort(c)), rank)[0, 1]) for c in layout.T)
    assert corr > 0.9


def test_layout_is_reproducible():
    X, _ = make_pendulum(400, random_state=1)
    np.testing.assert_array_equal(
        manifold_layout(X, "isomap", 2, seed=3), manifold_layout(X, "isomap", 2, seed=3)
    )


@pytest.mark.parametrize("init", ["isomap", "spectral", "by-piece"])
def test_vhp_starts_from_the_layout(init):
    X, _ = make_pendulum(400, random_state=2)
    model = VHPAutoencoder(
        n_components=2,
        hidden_layer_sizes=(32,),
        prior_hidden_layer_sizes=(16,),
        init=init,
        schedule="constant",
        learning_rate=1e-7,
        max_iter=1,
        n_importance_samples=10,
        random_state=0,
    ).fit(X)
    # One epoch at a tiny learning rate: the codes are still the layout's.
    layout = manifold_layout(X, init, 2, seed=model._seed_)
    Z = model.transform(X)
    assert LinearRegression().fit(layout, Z).score(layout, Z) > 0.95
    with pytest.raises(ValueError, match="init"):
        VHPAutoencoder(init="tsne").fit(X)


def test_isomap_lays_out_separate_pieces_side_by_side_each_at_its_own_shape():
    """Two rings far apart (and one stray point): each ring gets its own layout, round and
    closed, and the two stay apart; scikit-learn's Isomap alone would join them."""
    t = np.linspace(0, 2 * np.pi, 300, endpoint=False)
    ring = np.c_[np.cos(t), np.sin(t), np.zeros((300, 3))]
    X = np.vstack([ring, 2.0 * ring + [50.0, 0, 0, 0, 0], [[25.0, 0, 0, 0, 0]]])
    layout = manifold_layout(X, "isomap", 2, seed=0)
    np.testing.assert_allclose(layout.mean(0), 0.0, atol=1e-9)
    np.testing.assert_allclose((layout**2).mean(), 1.0)  # one common scale
    first, second = layout[:300], layout[300:600]
    # Side by side along the first axis, not overlapping (the larger piece on the left).
    assert second[:, 0].max() < first[:, 0].min()
    assert np.ptp(second[:, 0]) > 1.5 * np.ptp(first[:, 0])  # each at its own size
    for piece in (first, second):  # round: an even radius about the piece's centre
        radius = np.linalg.norm(piece - piece.mean(0), axis=1)
        assert radius.std() < 0.05 * radius.mean()
        assert longest_bars(piece, n_points=300)["H1"][0] > 1.5  # a closed loop (circle: √3)
    assert longest_bars(layout[:600], n_points=600)["H0"][0] > 0.3  # apart


def test_auto_chooses_the_start_whose_persistence_matches_the_data(arc_images):
    """An open arc: Isomap (open, like the data); a closed ring: PCA (Isomap of ring
    images tears it)."""
    X, _ = arc_images
    pca = pca_coordinates(torch.as_tensor(X), 2).numpy()
    chosen, coords, distances = choose_layout(X, pca, 2, seed=0)
    assert chosen == "isomap" and distances["isomap"] < distances["pca"]
    np.testing.assert_array_equal(coords, manifold_layout(X, "isomap", 2, seed=0))
    ring, _ = make_pendulum(1500, random_state=0)
    pca = pca_coordinates(torch.as_tensor(ring), 2).numpy()
    chosen, coords, _ = choose_layout(ring, pca, 2, seed=0)
    assert chosen == "pca" and coords is pca


def test_auto_lays_out_separate_pieces_each_with_the_start_that_keeps_its_shape(arc_images):
    """An arc (Isomap keeps it open, PCA closes it) and, apart from it, a ring (PCA keeps
    it round, Isomap tears it): "auto" takes the "by-piece" start, which gives each piece
    its own choice, at one size, side by side."""
    arc, _ = arc_images
    ring, _ = make_pendulum(1500, random_state=1)
    X = np.vstack([arc, ring + 3.0])  # brighter: no image of one is near one of the other
    pca = pca_coordinates(torch.as_tensor(X), 2).numpy()
    chosen, coords, distances = choose_layout(X, pca, 2, seed=0)
    assert chosen == "by-piece" and distances == {}
    np.testing.assert_array_equal(coords, manifold_layout(X, "by-piece", 2, seed=0))
    first, second = coords[:1500], coords[1500:]
    assert longest_bars(first, n_points=400)["H1"][0] < 0.2  # the arc stays open
    assert longest_bars(second, n_points=400)["H1"][0] > 1.0  # the ring stays a loop
    assert longest_bars(coords, n_points=600)["H0"][0] > 0.3  # apart
    radii = [np.sqrt(((p - p.mean(0)) ** 2).sum(1).mean()) for p in (first, second)]
    assert radii[0] == pytest.approx(radii[1], rel=0.1)  # one size
    # On the subsample the layout is computed on, the arc's coordinates are an affine
    # image of its own Isomap, the ring's of its own PCA: each piece chose.
    pick = _subsample(len(X), 0, LAYOUT_POINTS)[0]
    for piece, reference in ((pick[pick < 1500], _isomap), (pick[pick >= 1500], PCA_2)):
        own = reference(X[piece], n_components=2, neighbours=LAYOUT_NEIGHBOURS)
        fit = LinearRegression().fit(own, coords[piece])
        assert fit.score(own, coords[piece]) > 1 - 1e-6  # the other start: < 0.99


def test_only_pieces_further_apart_than_the_neighbour_edges_count_as_separate():
    """The 10-NN graph of 2000 ring images falls into two pieces where sampling is thin;
    they are closer than its longest edge, so "auto" keeps the ring one piece (PCA).
    Two different pendulums are far apart: two pieces."""
    ring, _ = make_pendulum(2000, random_state=0)
    assert len(_pieces(ring, LAYOUT_NEIGHBOURS, 2)) == 2  # the k-NN graph alone cuts it
    assert _n_separate_pieces(ring, LAYOUT_NEIGHBOURS, 2) == 1
    pca = pca_coordinates(torch.as_tensor(ring), 2).numpy()
    assert choose_layout(ring, pca, 2, seed=0)[0] == "pca"
    two, _, _ = make_two_pendulums(2000, random_state=0)
    assert _n_separate_pieces(two, LAYOUT_NEIGHBOURS, 2) == 2


def test_vhp_auto_trains_exactly_as_the_start_it_chose(arc_images):
    X, _ = arc_images
    common = dict(
        n_components=2,
        hidden_layer_sizes=(32,),
        prior_hidden_layer_sizes=(16,),
        max_iter=1,
        kappa=0.3,
        n_importance_samples=10,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        auto = VHPAutoencoder(init="auto", **common).fit(X)
        assert auto.layout_ in ("pca", "isomap")
        chosen = VHPAutoencoder(init=auto.layout_, **common).fit(X)
        plain = VHPAutoencoder(init="random", **common).fit(X)
    assert chosen.layout_ == auto.layout_ and plain.layout_ is None
    for a, b in zip(auto.module_.parameters(), chosen.module_.parameters(), strict=True):
        assert torch.equal(a, b)
