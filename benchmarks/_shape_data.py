"""The data of the shape harness (``shape_harness.py``): variants of each shape that
differ the way real data sets differ from each other, drawn by a renderer that is not the
package's, and real images turned through known angles.

Shapes and their truth:

- ``ring``: one pendulum through the full turn (S¹); truth: the angle.
- ``arc``: one pendulum through 270° (an interval, no loop); truth: the angle.
- ``two-rings``: two different pendulums, each through the full turn (two disjoint
  circles); truth: (angle, which pendulum).
- ``torus``: a double pendulum, both angles through the full turn (T²); truth: the two
  angles. For real images: an item turned by one angle and shifted cyclically along its
  rows by the other.

The renderer here (``soft``) draws each stroke and disc from its signed distance with a
smooth edge (a logistic ramp one ``edge`` pixel wide), not by counting covered sub-pixel
samples as ``skvhp.datasets.render_pendulum`` does; a variant then changes the image size,
stroke width, arm length, bob size, blur, pixel noise, the pivot's position and grey
levels against binarized pixels. Real images come from Fashion-MNIST and the Caltech 101
silhouettes (the shared data folder), turned by bilinear interpolation.

Every maker takes ``(n_samples, seed, data_home)`` and returns ``(X, truth)`` with X float32
in [0, 1]; the same seed gives the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import ndimage

ARC = 1.5 * np.pi  # the open arc's swing: 270°


@dataclass(frozen=True)
class Look:
    """How the soft renderer draws a pendulum, in units of the image size (lengths) or
    pixels (``edge``, ``blur``)."""

    image_size: int = 16
    stroke: float = 0.08  # rod width
    arm: float = 0.36  # rod length (the first rod of a double pendulum)
    arm2: float = 0.2  # the second rod of a double pendulum
    bob: float = 0.11  # bob radius
    pivot: tuple[float, float] = (0.0, 0.0)  # offset of the pivot from the centre
    edge: float = 1.0  # width of the anti-aliasing ramp, pixels (0.05: aliased)
    blur: float = 0.0  # Gaussian blur, pixels
    noise: float = 0.0  # std of added Gaussian pixel noise (clipped to [0, 1])
    binarize: bool = False  # one Bernoulli draw of every grey level


def _soft(distance: np.ndarray, edge: float) -> np.ndarray:
    """Coverage in [0, 1] from a signed distance (negative inside), a ramp ``edge`` wide."""
    return 1.0 / (1.0 + np.exp(np.clip(distance / (edge / 4.0), -50.0, 50.0)))


def _segment_distance(px, py, ax, ay, bx, by) -> np.ndarray:
    dx, dy = bx - ax, by - ay
    length2 = np.maximum(dx**2 + dy**2, 1e-12)
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0)
    return np.hypot(px - ax - t * dx, py - ay - t * dy)


def render(angles: np.ndarray, look: Look, rng: np.random.Generator) -> np.ndarray:
    """Images of a single (angles of shape (n,)) or double pendulum ((n, 2)), flattened."""
    s = look.image_size
    angles = np.asarray(angles, dtype=np.float64)
    double = angles.ndim == 2
    theta = angles.reshape(len(angles), -1)
    centre = np.arange(s) + 0.5 - s / 2
    py, px = (c.ravel()[None, :] for c in np.meshgrid(centre, centre, indexing="ij"))
    ox, oy = (o * s for o in look.pivot)
    half, bob = look.stroke * s / 2, look.bob * s
    jx = ox + look.arm * s * np.sin(theta[:, :1])
    jy = oy + look.arm * s * np.cos(theta[:, :1])
    distance = _segment_distance(px, py, ox, oy, jx, jy) - half
    if double:
        bx = jx + look.arm2 * s * np.sin(theta[:, 1:])
        by = jy + look.arm2 * s * np.cos(theta[:, 1:])
        distance = np.minimum(distance, _segment_distance(px, py, jx, jy, bx, by) - half)
        distance = np.minimum(distance, np.hypot(px - jx, py - jy) - 0.6 * bob)  # the joint
    else:
        bx, by = jx, jy
    distance = np.minimum(distance, np.hypot(px - bx, py - by) - bob)
    X = _soft(distance, look.edge)
    return _finish(X, s, look, rng)


def _finish(X: np.ndarray, s: int, look: Look, rng: np.random.Generator) -> np.ndarray:
    """Blur, noise and binarization of flattened images in [0, 1]."""
    if look.blur > 0.0:
        X = ndimage.gaussian_filter(X.reshape(-1, s, s), (0, look.blur, look.blur)).reshape(
            len(X), -1
        )
    if look.noise > 0.0:
        X = np.clip(X + rng.normal(0.0, look.noise, X.shape), 0.0, 1.0)
    if look.binarize:
        X = (rng.random(X.shape) < X).astype(np.float64)
    return np.clip(X, 0.0, 1.0).astype(np.float32)


# --------------------------------------------------------------------- real images
def _items(source: str, data_home: Path) -> np.ndarray:
    """Candidate items, (n, 28, 28) in [0, 1], object bright on dark."""
    if source == "fashion":
        with np.load(data_home / "fashion_mnist.npz") as data:
            return data["x_test"][:200].astype(np.float64) / 255.0
    with np.load(data_home / "caltech101_silhouettes_28.npz") as data:
        return 1.0 - data["x"][:400].astype(np.float64)  # 1 is the background there


def _turned(image: np.ndarray, angles: np.ndarray, shifts: np.ndarray | None) -> np.ndarray:
    """``image`` turned by each angle (radians, bilinear, about its centre) and, with
    ``shifts`` (fractions of a turn), rolled cyclically along its rows (sub-pixel, by
    interpolating between the two nearest whole shifts)."""
    out = np.empty((len(angles), image.size))
    for i, angle in enumerate(angles):
        turned = ndimage.rotate(image, np.degrees(angle), reshape=False, order=1, mode="constant")
        if shifts is not None:
            offset = shifts[i] * image.shape[1]
            low = int(np.floor(offset))
            w = offset - low
            turned = (1 - w) * np.roll(turned, low, axis=1) + w * np.roll(turned, low + 1, axis=1)
        out[i] = turned.ravel()
    return np.clip(out, 0.0, 1.0)


def pick_items(source: str, data_home: Path, n_items: int, seed: int) -> list[np.ndarray]:
    """``n_items`` items with no rotational near-symmetry (a turned item must not look
    like itself before a full turn), chosen by ``seed`` among the most asymmetric half."""
    items = _items(source, data_home)
    quarter = np.array(
        [np.abs(np.rot90(x) - x).mean() + np.abs(np.rot90(x, 2) - x).mean() for x in items]
    )
    candidates = np.argsort(quarter)[len(items) // 2 :]
    chosen = np.random.default_rng(seed).choice(candidates, size=n_items, replace=False)
    return [items[i] for i in chosen]


# --------------------------------------------------------------------- variants
@dataclass(frozen=True)
class Variant:
    """One data set of the harness: a shape, drawn by a look or from real images."""

    name: str
    shape: str  # ring, arc, two-rings, torus
    look: Look | None = None  # the soft renderer's look (None: real images)
    look2: Look | None = None  # the second pendulum of two-rings
    source: str | None = None  # real images: "fashion" or "caltech"
    extra: dict = field(default_factory=dict)

    @property
    def needs_data(self) -> bool:
        return self.source is not None

    def make(self, n_samples: int, seed: int, data_home: Path) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        high = ARC if self.shape == "arc" else 2.0 * np.pi
        if self.shape == "torus":
            truth = rng.uniform(0.0, 2.0 * np.pi, size=(n_samples, 2))
        else:
            truth = rng.uniform(0.0, high, size=n_samples)
        if self.source is not None:
            return self._real(truth, rng, seed, data_home)
        if self.shape == "two-rings":
            labels = rng.integers(0, 2, size=n_samples)
            X = np.empty((n_samples, self.look.image_size**2), dtype=np.float32)
            for label, look in ((0, self.look), (1, self.look2)):
                X[labels == label] = render(truth[labels == label], look, rng)
            return X, np.c_[truth, labels]
        return render(truth, self.look, rng), truth

    def _real(self, truth, rng, seed, data_home):
        n_items = 2 if self.shape == "two-rings" else 1
        items = pick_items(self.source, Path(data_home), n_items, seed)
        if self.shape == "two-rings":
            labels = rng.integers(0, 2, size=len(truth))
            X = np.empty((len(truth), items[0].size), dtype=np.float32)
            for label in (0, 1):
                X[labels == label] = _turned(items[label], truth[labels == label], None)
            return X, np.c_[truth, labels]
        if self.shape == "torus":
            X = _turned(items[0], truth[:, 0], truth[:, 1] / (2.0 * np.pi))
            return X.astype(np.float32), truth
        return _turned(items[0], truth, None).astype(np.float32), truth


def _pendulums(shape: str) -> dict[str, Variant]:
    """The soft renderer's variants of one shape (the double pendulum's looks are scaled
    to its two rods)."""
    base = Look(arm=0.22, bob=0.08, stroke=0.06, image_size=24) if shape == "torus" else Look()
    sizes = (28, 32) if shape == "torus" else (24, 28)
    looks = {
        "soft": base,
        **{f"size{n}": Look(**{**base.__dict__, "image_size": n}) for n in sizes},
        "thin": Look(**{**base.__dict__, "stroke": base.stroke * 0.6, "bob": base.bob * 0.8}),
        "thick": Look(**{**base.__dict__, "stroke": base.stroke * 1.8, "bob": base.bob * 1.3}),
        "long-arm": Look(**{**base.__dict__, "arm": base.arm * 1.2}),
        "short-arm": Look(**{**base.__dict__, "arm": base.arm * 0.75}),
        "aliased": Look(**{**base.__dict__, "edge": 0.05}),
        "blurred": Look(**{**base.__dict__, "blur": 0.8}),
        "noisy": Look(**{**base.__dict__, "noise": 0.1}),
        "off-centre": Look(**{**base.__dict__, "pivot": (0.08, -0.06)}),
        "binarized": Look(**{**base.__dict__, "binarize": True}),
    }
    out = {}
    for name, look in looks.items():
        look2 = None
        if shape == "two-rings":  # the second pendulum: shorter, thicker, a larger bob
            look2 = Look(
                **{
                    **look.__dict__,
                    "arm": look.arm * 0.66,
                    "stroke": look.stroke * 2,
                    "bob": look.bob * 1.45,
                }
            )
        out[f"{shape}/{name}"] = Variant(f"{shape}/{name}", shape, look, look2)
    return out


def _real(shape: str) -> dict[str, Variant]:
    return {
        f"{shape}/{source}": Variant(f"{shape}/{source}", shape, source=source)
        for source in ("fashion", "caltech")
    }


VARIANTS: dict[str, Variant] = {
    name: variant
    for shape in ("ring", "arc", "two-rings", "torus")
    for name, variant in {**_pendulums(shape), **_real(shape)}.items()
}
