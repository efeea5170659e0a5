"""LatentGraphInterpolator and the smoothness factor."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

from skvhp import IWAE, LatentGraphInterpolator, smoothness_factor

from .conftest import small


def circle(n=400, radius=2.0):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return radius * np.c_[np.cos(t), np.sin(t)]


def path_length(path):
    return float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum())


@pytest.mark.parametrize("algorithm", ["exact", "nndescent"])
def test_path_follows_the_circle_not_the_chord(algorithm):
    nodes = circle()
    graph = LatentGraphInterpolator(n_neighbors=6, algorithm=algorithm, random_state=0)
    graph.fit(nodes)
    start, end = np.array([2.0, 0.0]), np.array([-2.0, 0.0])
    path = graph.interpolate(start, end)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 2.0, atol=1e-9)
    assert path_length(path) == pytest.approx(2.0 * np.pi, rel=1e-3)  # half circumference
    assert path_length(path) > 1.5 * 4.0  # far longer than the chord


def test_quarter_arc_length_and_many_pairs_at_once():
    graph = LatentGraphInterpolator(n_neighbors=4).fit(circle(800, 1.0))
    starts = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    ends = np.array([[0.0, 1.0], [0.0, -1.0], [-1.0, 0.0]])
    paths = graph.interpolate(starts, ends)
    assert isinstance(paths, list) and len(paths) == 3
    for path in paths:
        assert path_length(path) == pytest.approx(np.pi / 2, rel=1e-3)
        np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-9)


def test_transform_gives_geodesic_distances():
    nodes = circle(400, 1.0)
    graph = LatentGraphInterpolator(n_neighbors=4).fit(nodes)
    D = graph.transform(np.array([[1.0, 0.0]]))
    assert D.shape == (1, 400)
    opposite = np.argmin(np.linalg.norm(nodes - [-1.0, 0.0], axis=1))
    assert D[0, opposite] == pytest.approx(np.pi, rel=1e-3)
    assert graph.get_feature_names_out()[0] == "latentgraphinterpolator0"


@pytest.mark.parametrize("edges", ["union", "mutual"])
def test_disconnected_graph_without_joining_warns_and_refuses_to_interpolate(edges):
    two_blobs = np.r_[circle(50, 1.0), circle(50, 1.0) + 100.0]
    with pytest.warns(UserWarning, match="2 connected components"):
        graph = LatentGraphInterpolator(n_neighbors=5, edges=edges, connect_components=False)
        graph.fit(two_blobs)
    assert graph.n_connected_components_ == 2
    assert graph.joining_edges_.shape == (0, 2)
    with pytest.raises(ValueError, match="connected components"):
        graph.interpolate([1.0, 0.0], [101.0, 100.0])
    assert np.isinf(graph.transform([[1.0, 0.0]])[0, 60])


def test_defaults_join_components_by_their_shortest_edge_without_a_warning():
    """Three clusters on a line: the defaults join them by the two shortest gaps (a
    joining edge is recorded), and a path from the first to the last crosses both."""
    blobs = [circle(40, 1.0) + [100.0 * i, 0.0] for i in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph = LatentGraphInterpolator(n_neighbors=5).fit(np.vstack(blobs))
    assert graph.n_connected_components_ == 1 and np.all(graph.component_labels_ == 0)
    joins = graph.joining_edges_
    assert joins.shape == (2, 2)
    gaps = np.linalg.norm(graph.nodes_[joins[:, 0]] - graph.nodes_[joins[:, 1]], axis=1)
    np.testing.assert_allclose(gaps, 98.0)  # the closest points of neighbouring circles
    path = graph.interpolate([-1.0, 0.0], [201.0, 0.0])
    assert path[0].tolist() == [-1.0, 0.0] and path[-1].tolist() == [201.0, 0.0]
    assert np.all(np.linalg.norm(np.diff(path, axis=0), axis=1) <= 98.0 + 1e-9)


def test_defaults_leave_a_stray_node_in_a_hole_hanging_on_one_edge():
    """A single node at the ring's centre: with mutual edges it has none of its own (its
    neighbours all have nearer ones), so joining hangs it on one edge and no path uses it."""
    nodes = np.vstack([circle(60, 1.0), [[0.0, 0.0]]])
    graph = LatentGraphInterpolator(n_neighbors=4).fit(nodes)
    assert graph.joining_edges_.shape == (1, 2) and 60 in graph.joining_edges_
    assert graph.graph_[60].nnz == 1
    arc = graph.interpolate([1.0, 0.0], [-1.0, 0.0])
    np.testing.assert_allclose(np.linalg.norm(arc, axis=1), 1.0, atol=1e-9)


def test_single_node_identical_ends_and_bad_input():
    graph = LatentGraphInterpolator().fit([[0.0, 0.0]])
    path = graph.interpolate([1.0, 1.0], [2.0, 2.0])
    np.testing.assert_array_equal(path, [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]])
    same = graph.interpolate([1.0, 1.0], [1.0, 1.0])
    np.testing.assert_array_equal(same, [[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="features"):
        graph.interpolate([1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="as many points"):
        graph.interpolate([[1.0, 1.0]], [[1.0, 1.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match="NaN"):
        graph.interpolate([np.nan, 1.0], [1.0, 1.0])
    for param, value in [
        ("n_neighbors", 0),
        ("n_nodes", 0),
        ("nodes", "all"),
        ("algorithm", "kd"),
        ("connect_components", "yes"),
    ]:
        with pytest.raises(ValueError, match=param):
            LatentGraphInterpolator(**{param: value}).fit(circle(10))


def test_interpolate_never_changes_the_fitted_graph():
    graph = LatentGraphInterpolator(n_neighbors=4).fit(circle(100))
    before = graph.graph_.copy()
    graph.interpolate(np.array([[3.0, 0.0], [0.0, 0.5]]), np.array([[-3.0, 0.0], [0.1, 0.1]]))
    graph.transform([[0.0, 0.0]])
    assert (graph.graph_ != before).nnz == 0 and graph.graph_.shape == (100, 100)


@pytest.fixture(scope="module")
def fitted_vae():
    from sklearn.datasets import load_digits

    X = load_digits().data[:300] / 16.0
    return X, small(IWAE, max_iter=3).fit(X)


def test_frozen_estimator_is_used_as_is_and_others_are_cloned(fitted_vae):
    X, vae = fitted_vae
    frozen = LatentGraphInterpolator(FrozenEstimator(vae), n_nodes=200, random_state=0).fit(X)
    assert frozen.estimator_.estimator is vae
    path, latent = frozen.interpolate(X[0], X[1], return_latent=True)
    assert path.shape[1] == 64 and latent.shape[1] == 2 and len(path) == len(latent) >= 2
    np.testing.assert_allclose(latent[0], vae.transform(X[:1])[0])
    np.testing.assert_allclose(path, vae.inverse_transform(latent))
    cloned = LatentGraphInterpolator(small(IWAE, max_iter=3), n_nodes=200, random_state=0)
    cloned.fit(X)
    assert cloned.estimator_ is not cloned.estimator and hasattr(cloned.estimator_, "module_")
    assert not hasattr(cloned.estimator, "module_")
    data_nodes = LatentGraphInterpolator(FrozenEstimator(vae), nodes="data").fit(X)
    np.testing.assert_allclose(data_nodes.nodes_, vae.transform(X))


def test_pickle_and_pipeline(fitted_vae):
    X, vae = fitted_vae
    graph = LatentGraphInterpolator(FrozenEstimator(vae), n_nodes=150, random_state=0).fit(X)
    restored = pickle.loads(pickle.dumps(graph))
    np.testing.assert_allclose(restored.transform(X[:5]), graph.transform(X[:5]))
    np.testing.assert_allclose(restored.interpolate(X[2], X[3]), graph.interpolate(X[2], X[3]))
    pipe = Pipeline([("graph", LatentGraphInterpolator(small(IWAE), n_nodes=50))])
    assert pipe.fit_transform(X).shape == (len(X), 50)


def test_smoothness_factor():
    line = np.c_[np.arange(10.0), 2 * np.arange(10.0)]
    np.testing.assert_allclose(smoothness_factor(line), [0.0, 0.0])
    zigzag = np.array([[0.0], [1.0], [0.0], [1.0]])
    np.testing.assert_allclose(smoothness_factor(zigzag), [2.0])  # |0-2+0|, |1-0+1|
    with pytest.raises(ValueError, match="3"):
        smoothness_factor([[0.0], [1.0]])


def test_mutual_edges_drop_the_shortcut_through_a_hole():
    """A chain of stray nodes across a ring's hole: the union k-NN graph links it to the
    ring and the path takes the chord; the mutual k-NN graph leaves it hanging on one
    edge (``connect_components``), so the path follows the ring."""
    t = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    ring = np.c_[np.cos(t), np.sin(t)]
    chain = np.c_[np.linspace(-0.75, 0.75, 6), np.zeros(6)]
    nodes = np.vstack([ring, chain])
    start, end = np.array([1.0, 0.0]), np.array([-1.0, 0.0])
    union = LatentGraphInterpolator(n_neighbors=4, edges="union").fit(nodes)
    mutual = LatentGraphInterpolator(n_neighbors=4).fit(nodes)  # the default edges
    assert path_length(union.interpolate(start, end)) == pytest.approx(2.0, rel=1e-6)
    arc = mutual.interpolate(start, end)
    assert path_length(arc) == pytest.approx(np.pi, rel=2e-3)  # along the ring
    np.testing.assert_allclose(np.linalg.norm(arc, axis=1), 1.0, atol=1e-9)
    # Mutual edges are a subset of the union's, with the same weights.
    u, m = union.graph_.toarray(), mutual.graph_.toarray()
    assert np.all((m == 0) | (m == u))
    with pytest.raises(ValueError, match="edges"):
        LatentGraphInterpolator(edges="both").fit(nodes)


def test_a_model_without_the_latent_interface_is_refused_before_training(digits01):
    from sklearn.decomposition import PCA

    with pytest.raises(ValueError, match="PCA has no sample_latent.*nodes='data'"):
        LatentGraphInterpolator(PCA(2)).fit(digits01)

    class Counting(PCA):
        fits = 0

        def fit(self, X, y=None):
            type(self).fits += 1
            return super().fit(X)

    with pytest.raises(ValueError, match="sample_latent"):
        LatentGraphInterpolator(Counting(2)).fit(digits01)
    assert Counting.fits == 0
    # With nodes="data", PCA has everything the graph needs.
    graph = LatentGraphInterpolator(PCA(2), nodes="data", n_neighbors=5).fit(digits01)
    assert graph.interpolate(digits01[0], digits01[1]).shape[1] == digits01.shape[1]
