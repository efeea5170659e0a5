"""skvhp._start and the VHP's init options: starts that keep the data's shape."""

import warnings

import numpy as np
import pytest
import torch
from scipy.sparse.csgraph import connected_components
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import kneighbors_graph
from threadpoolctl import threadpool_limits

from skvhp import VHPAutoencoder
from skvhp._start import (
    LAYOUT_NEIGHBOURS,
    LAYOUT_POINTS,
    NOISE_SHARE,
    _farthest_points,
    _isomap,
    _n_separate_pieces,
    _pieces,
    _subsample,
    _whiten,
    choose_layout,
    circular_coordinates,
    circular_layout,
    circular_loops,
    geodesic_distances,
    is_torus_start,
    manifold_layout,
    pca_coordinates,
    smooth_on_graph,
    spread_evenly,
    torus_embedding,
    winds,
)
from skvhp.datasets import make_double_pendulum, make_pendulum, make_two_pendulums
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
    # The widest coordinate at unit variance; a coordinate with under a tenth of its
    # spread (Isomap's second about an arc's line: 0.018 here) is divided by a tenth of
    # the widest one's spread, so it stays below 1.
    spread = layout.std(0)
    assert spread.max() == pytest.approx(1.0) and spread.min() > 0.0
    if method == "isomap":
        assert spread.min() < 0.5
    pca = pca_coordinates(X, 2)
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


@pytest.mark.parametrize("init", ["isomap", "spectral", "by-piece", "circular"])
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


def test_whitening_keeps_a_noise_coordinate_flat_and_whitens_the_others():
    rng = np.random.default_rng(0)
    line = np.c_[rng.normal(0, 10, 500), rng.normal(0, 0.01, 500)]  # an arc's Isomap
    flat = 0.01 / (NOISE_SHARE * 10)  # divided by a tenth of the widest spread
    np.testing.assert_allclose(_whiten(line, False).std(0), [1.0, flat], rtol=0.1)
    plane = np.c_[rng.normal(0, 10, 500), rng.normal(0, 8.9, 500)]  # MNIST's: 0.89
    np.testing.assert_allclose(_whiten(plane, False).std(0), 1.0)


def test_auto_chooses_the_start_that_keeps_the_shape_of_the_data(arc_images):
    """An open arc (no loop along its neighbour graph): PCA bends it into a C whose ends
    nearly meet, a loop in the latent space's Euclidean metric, and Isomap keeps it open;
    a closed ring: the circular start (a circle), made for loops, keeps its loop."""
    X, _ = arc_images
    pca = pca_coordinates(X, 2)
    chosen, coords, scores = choose_layout(X, pca, 2, seed=0)
    assert chosen == "isomap" and scores["pca"][0] == 1 and scores["isomap"][0] == 0
    assert "circular" not in scores and "spectral" not in scores  # no loop; Isomap kept it
    np.testing.assert_array_equal(coords, manifold_layout(X, "isomap", 2, seed=0))
    ring, _ = make_pendulum(1500, random_state=0)
    pca = pca_coordinates(ring, 2)
    chosen, coords, scores = choose_layout(ring, pca, 2, seed=0)
    assert chosen == "circular" and scores["circular"][0] == 0
    np.testing.assert_array_equal(coords, manifold_layout(ring, "circular", 2, seed=0))
    radius = np.linalg.norm(coords, axis=1)
    np.testing.assert_allclose(radius, radius.mean(), rtol=1e-6)  # on one circle


def test_the_circular_start_lays_out_as_many_loops_as_the_reading_allows():
    # Readings along the graph (bars of the geodesic diameter, as the shape harness's
    # data read): a ring's second bar is below the lower line (0.05), a torus's not.
    ring = {"metric": "geodesic", "H1": [0.38, 0.034, 0.033], "pieces": 1}
    torus = {"metric": "geodesic", "H1": [0.28, 0.091, 0.089], "pieces": 1}
    assert circular_loops(ring, 3) == 1
    assert circular_loops(torus, 3) == 2
    assert circular_loops(torus, 2) == 1  # a torus needs three coordinates
    assert circular_loops({"metric": "geodesic", "H1": [], "pieces": 1}, 3) == 1
    assert circular_loops(None, 3) == 1  # too few rows to read: one loop, the least


def test_auto_lays_out_separate_pieces_each_with_the_start_that_keeps_its_shape(arc_images):
    """An arc (Isomap keeps it open, PCA closes it) and, apart from it, a ring (PCA keeps
    it round, Isomap tears it): "auto" takes the "by-piece" start, which gives each piece
    its own choice, at one size, side by side."""
    arc, _ = arc_images
    ring, _ = make_pendulum(1500, random_state=1)
    X = np.vstack([arc, ring + 3.0])  # brighter: no image of one is near one of the other
    pca = pca_coordinates(X, 2)
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
    they are closer than its longest edge, so "auto" keeps the ring one piece.
    Two different pendulums are far apart: two pieces."""
    ring, _ = make_pendulum(2000, random_state=0)
    assert len(_pieces(ring, LAYOUT_NEIGHBOURS, 2)) == 2  # the k-NN graph alone cuts it
    assert _n_separate_pieces(ring, LAYOUT_NEIGHBOURS, 2) == 1
    pca = pca_coordinates(ring, 2)
    assert choose_layout(ring, pca, 2, seed=0)[0] == "circular"  # one piece, one loop
    two, _, _ = make_two_pendulums(2000, random_state=0)
    assert _n_separate_pieces(two, LAYOUT_NEIGHBOURS, 2) == 2


@pytest.mark.parametrize("data", ["arc", "ring"])
def test_vhp_auto_trains_exactly_as_the_start_it_chose(data, arc_images):
    X = arc_images[0] if data == "arc" else make_pendulum(1500, random_state=0)[0]
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
        assert auto.layout_ == {"arc": "isomap", "ring": "circular"}[data]
        chosen = VHPAutoencoder(init=auto.layout_, **common).fit(X)
        plain = VHPAutoencoder(init="random", **common).fit(X)
    assert chosen.layout_ == auto.layout_ and plain.layout_ is None
    for a, b in zip(auto.module_.parameters(), chosen.module_.parameters(), strict=True):
        assert torch.equal(a, b)


def _winding_error(angle: np.ndarray, truth: np.ndarray, a: int, b: int) -> float:
    """Mean |angle − (a θ₁ + b θ₂) − offset| on the circle, the offset fitted, after the
    angle is spread evenly by rank (as the circular start does): small when the angle
    winds once round, monotonically, along a θ₁ + b θ₂."""
    angle = 2 * np.pi * np.argsort(np.argsort(angle)) / len(angle)
    residual = np.exp(1j * (angle - truth @ np.array([a, b])))
    residual /= np.exp(1j * np.angle(residual.mean()))
    return float(np.abs(np.angle(residual)).mean())


def test_circular_coordinates_of_a_noisy_circle_follow_its_angle():
    rng = np.random.default_rng(0)
    theta = rng.uniform(0, 2 * np.pi, 300)
    points = np.c_[np.cos(theta), np.sin(theta)] + rng.normal(0, 0.05, (300, 2))
    distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
    angles, lifetimes = circular_coordinates(distances, 1)
    assert angles.shape == (300, 1) and lifetimes[0] == lifetimes.max()
    assert ((angles >= 0) & (angles < 2 * np.pi)).all()
    # Once round, either way. 300 ranks of uniform angles are themselves ~0.13 rad off.
    truth = np.c_[theta, np.zeros_like(theta)]
    error = min(_winding_error(angles[:, 0], truth, s, 0) for s in (1, -1))
    assert error < 0.2
    assert lifetimes[0] > 1.0  # a unit circle's loop lives from ~0.05 to ~√3


def test_circular_coordinates_of_a_torus_are_a_basis_of_its_loops():
    """On a flat torus (S¹ × S¹ in R⁴) the two coordinates wind once round independent
    loops: each is a θ₁ + b θ₂ for integers with a unimodular pair (det ±1), as any
    chart of the torus by two angles is."""
    rng = np.random.default_rng(1)
    truth = rng.uniform(0, 2 * np.pi, (500, 2))
    points = np.c_[np.cos(truth), np.sin(truth)][:, [0, 2, 1, 3]]
    distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
    angles, lifetimes = circular_coordinates(distances, 2)
    windings = []
    for column in range(2):
        candidates = [(a, b) for a in range(-2, 3) for b in range(-2, 3) if (a, b) != (0, 0)]
        errors = {ab: _winding_error(angles[:, column], truth, *ab) for ab in candidates}
        best = min(errors, key=errors.get)
        assert errors[best] < 0.2
        windings.append(best)
    assert abs(np.linalg.det(np.array(windings))) == pytest.approx(1.0)
    assert lifetimes[0] >= lifetimes[1] > 0.5


def test_torus_embedding_is_the_torus_of_radii_2_and_1():
    angles = np.random.default_rng(2).uniform(0, 2 * np.pi, (100, 2))
    points = torus_embedding(angles, 4)
    assert points.shape == (100, 4) and (points[:, 3] == 0).all()
    tube = (np.hypot(points[:, 0], points[:, 1]) - 2) ** 2 + points[:, 2] ** 2
    np.testing.assert_allclose(tube, 1.0)
    circle = torus_embedding(angles[:, :1], 2)
    np.testing.assert_allclose(np.hypot(circle[:, 0], circle[:, 1]), 1.0)


def test_farthest_points_take_the_farthest_each_time():
    points = np.random.default_rng(3).normal(size=(60, 3))
    distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
    chosen = _farthest_points(distances, 10)
    assert chosen[0] == 0 and len(set(chosen)) == 10
    for k in range(1, 10):
        assert distances[chosen[k], chosen[:k]].min() == distances[:, chosen[:k]].min(1).max()


def test_geodesic_distances_run_along_the_neighbour_graph():
    # Points on a line: the 2-NN graph is the chain, so paths add up the steps; a far
    # piece is joined by the shortest link there is (4 → 100).
    points = np.r_[np.arange(5.0), 100 + np.arange(3.0)][:, None]
    distances = geodesic_distances(points, 2)
    assert distances[0, 4] == pytest.approx(4.0)
    assert distances[0, 7] == pytest.approx(102.0)
    assert np.isfinite(distances).all()


def test_geodesic_distances_join_a_loop_cut_in_two_places_at_both_cuts():
    """A loop whose 2-NN graph is cut twice (dense stretches 0.05 apart, gaps of 0.15)
    while a sparse stretch has 2-NN edges of 0.4: both cuts are shorter than that and
    are joined, so paths cross each gap directly and the loop stays a loop."""
    dense = np.arange(0.0, 2.0, 0.05)
    positions = np.r_[dense, dense + 2.15, np.arange(4.3, 6.3, 0.2)]  # gaps at 2 and 4.15
    positions = np.r_[positions, 6.3 + dense]  # back round to the start: 8.25 + 0.15
    radius = (positions[-1] + 0.15) / (2 * np.pi)
    angle = positions / radius
    points = radius * np.c_[np.cos(angle), np.sin(angle)]
    graph = kneighbors_graph(points, 2)
    assert connected_components(graph, directed=False)[0] == 2  # the cuts are real
    distances = geodesic_distances(points, 2)
    for end, start in ((len(dense) - 1, len(dense)), (2 * len(dense) - 1, 2 * len(dense))):
        chord = np.linalg.norm(points[end] - points[start])
        assert distances[end, start] == pytest.approx(chord)
    angles, lifetimes = circular_coordinates(distances, 1)
    assert lifetimes[0] > 1.0


@pytest.mark.parametrize("threads", [1, 2])
def test_the_circular_start_lays_out_a_double_pendulum_as_a_torus(threads):
    """The circular start reads both loops of a double pendulum off its images: its
    codes have two long H1 bars and an H2 bar, where PCA's have neither; with one BLAS
    thread as with two (the loop count once turned on a ratio within 3 % of its line,
    and the thread count's rounding decided it)."""
    X, _ = make_double_pendulum(3000, random_state=0)
    with threadpool_limits(threads):
        coords = manifold_layout(X, "circular", 3, seed=0)
    assert coords.shape == (3000, 3)
    bars = longest_bars(coords, n_bars=2, max_dim=2, n_points=400)
    assert min(bars["H1"]) > 0.4 and bars["H2"][0] > 0.12
    pca = longest_bars(PCA(3).fit_transform(X), n_bars=2, max_dim=2, n_points=400)
    assert min(pca["H1"]) < 0.4 and pca["H2"][0] < 0.12


def test_smoothing_on_the_neighbour_graph_removes_jitter_and_keeps_the_winding():
    """Angles of points on a circle, jittered by 0.2 rad, averaged along the points'
    own 10-NN graph: the error against the true angle drops and the angles still wind
    once round (no step larger than a small fraction of the circle)."""
    rng = np.random.default_rng(0)
    truth = np.sort(rng.uniform(0, 2 * np.pi, 1000))
    points = np.c_[np.cos(truth), np.sin(truth)]
    noisy = np.mod(truth + rng.normal(0, 0.2, truth.shape), 2 * np.pi)[:, None]

    def error(angles):
        return np.abs(np.angle(np.exp(1j * (angles[:, 0] - truth)))).mean()

    smoothed = smooth_on_graph(points, noisy, neighbours=10, steps=4)
    assert smoothed.shape == noisy.shape
    assert error(smoothed) < 0.4 * error(noisy)
    steps = np.angle(np.exp(1j * np.diff(np.r_[smoothed[:, 0], smoothed[0, 0]])))
    assert np.abs(steps).max() < 0.3 and abs(steps.sum()) == pytest.approx(2 * np.pi)


def test_spread_evenly_fills_the_torus_in_blocks_as_in_one():
    """The conditional ranks, computed in blocks of rows, match the closed form: with
    angles already uniform and independent, the spread keeps each point's cell."""
    rng = np.random.default_rng(1)
    angles = rng.uniform(0, 2 * np.pi, (5000, 2))
    spread = spread_evenly(angles)
    counts = np.histogram2d(*spread.T, bins=5, range=[[0, 2 * np.pi]] * 2)[0]
    assert counts.min() > 0.8 * 200 and counts.max() < 1.2 * 200
    first = np.argsort(np.argsort(angles[:, 0]))
    np.testing.assert_allclose(spread[:, 0], 2 * np.pi * first / 5000)
    half = 250
    order = np.argsort(first)
    for i in (0, 1234, 4999):  # brute force: the rank within the window of the first angle
        window = order[(first[i] + np.arange(-half, half + 1)) % 5000]
        expected = 2 * np.pi * (angles[window, 1] < angles[i, 1]).mean()
        assert spread[i, 1] == pytest.approx(expected)


def test_the_circular_start_needs_two_coordinates_and_a_loop():
    X, _ = make_pendulum(300, random_state=0)
    with pytest.raises(ValueError, match="n_components >= 2"):
        VHPAutoencoder(n_components=1, init="circular", max_iter=1).fit(X)
    # A segment has no loop at all.
    segment = np.linspace(0, 1, 300)[:, None] * np.ones((1, 5))
    with pytest.raises(ValueError, match="found no loop"):
        manifold_layout(segment, "circular", 2, seed=0)


@pytest.mark.parametrize("init", ["isomap", "spectral", "by-piece", "circular", "auto"])
@pytest.mark.parametrize("n_components", [2, 3])
def test_too_few_rows_for_a_manifold_start_get_a_clear_error(init, n_components):
    X = np.random.default_rng(0).random((n_components + 2, 6))
    model = VHPAutoencoder(
        n_components=n_components,
        init=init,
        hidden_layer_sizes=(4,),
        prior_hidden_layer_sizes=(4,),
        max_iter=1,
        random_state=0,
    )
    for n in range(1, n_components + 2):
        with pytest.raises(
            ValueError,
            match=rf"init='{init}' needs at least {n_components + 2} training .*\(got {n}\)",
        ):
            model.fit(X[:n])
    assert not hasattr(model, "module_")
    if init in ("isomap", "spectral", "auto"):  # enough rows: the start is computed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X)
        assert model.layout_ in ("isomap", "spectral", "pca")


def test_a_single_row_fits_with_the_pca_start_without_torch_warnings():
    X = np.random.default_rng(0).random((1, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = VHPAutoencoder(
            n_components=2, hidden_layer_sizes=(4,), prior_hidden_layer_sizes=(4,), max_iter=1
        ).fit(X)
    assert np.all(np.isfinite(model.transform(X)))


def test_an_array_or_a_callable_start_trains_exactly_as_the_named_one():
    """init as coordinates (one row per row of X) or as a callable that returns them:
    the same start as the name that computes them, bit for bit, also where early
    stopping holds rows out (the array is indexed by the training rows)."""
    from skvhp._start import manifold_layout

    X = make_pendulum(600, random_state=0)[0]
    common = dict(
        n_components=2,
        hidden_layer_sizes=(16,),
        prior_hidden_layer_sizes=(8,),
        max_iter=2,
        kappa=0.3,
        n_importance_samples=10,
        random_state=0,
        shape_check=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        named = VHPAutoencoder(init="pca", **common).fit(X)
        array = VHPAutoencoder(init=pca_coordinates(X, 2), **common).fit(X)

        def isomap(X, n_components, seed):
            return manifold_layout(X, "isomap", n_components, seed)

        called = VHPAutoencoder(init=isomap, **common).fit(X)
        by_name = VHPAutoencoder(init="isomap", **common).fit(X)
        held_out = dict(common, early_stopping=True, validation_fraction=0.25)
        rows_named = VHPAutoencoder(init="pca", **held_out).fit(X)
        # The coordinates of all rows; the fit takes those of its training rows, whose
        # PCA (on the training rows alone) differs: the same only up to the rows' own PCA.
        from skvhp._torch.training import validation_rows

        train, _ = validation_rows(len(X), 0.25, rows_named._seed_)
        coords = np.zeros((len(X), 2))
        coords[train] = pca_coordinates(X[train], 2)
        rows_array = VHPAutoencoder(init=coords, **held_out).fit(X)
    assert (array.layout_, called.layout_) == ("array", "callable")
    for a, b in ((named, array), (by_name, called), (rows_named, rows_array)):
        for p, q in zip(a.module_.parameters(), b.module_.parameters(), strict=True):
            assert torch.equal(p, q)
    assert array.get_params()["posterior"] == "auto" and array._isotropic_posterior()


def test_array_and_callable_starts_are_checked_and_a_changed_array_refused_on_resume():
    X = make_pendulum(200, random_state=0)[0]
    common = dict(n_components=2, hidden_layer_sizes=(8,), max_iter=1, random_state=0)
    for bad, match in (
        (np.zeros((200, 3)), r"init must have shape \(n_samples, 2\)"),
        (np.zeros((199, 2)), r"init must have shape \(200, 2\)"),
        (np.full((200, 2), np.nan), "init must hold finite numbers"),
        (lambda X, n, seed: np.zeros((5, n)), "the coordinates init returned must have"),
        ([[0.0, 1.0]], "init must be one of"),
        ("umap", "init must be one of"),
    ):
        with pytest.raises(ValueError, match=match):
            VHPAutoencoder(init=bad, **common).fit(X)
    coords = pca_coordinates(X, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = VHPAutoencoder(init=coords, warm_start=True, **common).fit(X)
        model.set_params(init=coords.copy()).fit(X)  # the same values: it resumes
        model.set_params(init=coords + 1.0)
        with pytest.raises(ValueError, match="changed since the model was fitted: init"):
            model.fit(X)


def test_a_torus_start_is_the_circular_start_with_two_loops():
    angles = np.random.default_rng(0).uniform(0, 2 * np.pi, (100, 2))
    assert is_torus_start("circular", torus_embedding(angles, 3))
    assert not is_torus_start("circular", torus_embedding(angles[:, :1], 3))  # a circle
    assert not is_torus_start("pca", torus_embedding(angles, 3))
    assert not is_torus_start("circular", torus_embedding(angles[:, :1], 2))


def test_the_circular_start_keeps_a_second_loop_only_where_its_angle_goes_round():
    """A pendulum ring with pixel noise has a short second H1 class whose circular
    coordinate barely moves: asked for two loops, the layout keeps one, and a noisy
    ring of few rows (whose reading does not rule a second loop out) starts as a
    circle in three coordinates; a double pendulum keeps both."""
    rng = np.random.default_rng(0)
    assert winds(rng.uniform(0, 2 * np.pi, 500)) and not winds(rng.normal(1.0, 0.3, 500))
    ring, _ = make_pendulum(600, random_state=1)
    noisy = ring + rng.normal(0, 0.07, ring.shape)
    assert circular_layout(noisy, 2, LAYOUT_NEIGHBOURS)[1].shape[1] == 1
    X, _ = make_double_pendulum(2000, random_state=0)
    assert circular_layout(X, 2, LAYOUT_NEIGHBOURS)[1].shape[1] == 2
    few = make_pendulum(120, random_state=1)[0]
    few = few + np.random.default_rng(0).normal(0, 0.07, few.shape)
    assert not is_torus_start("circular", manifold_layout(few, "circular", 3, seed=0))
