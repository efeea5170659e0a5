"""Data sets: loaders for the standard benchmarks (from a path you give) and generators.

The package never looks for data on its own: pass ``data_home`` (a folder holding the
``.npz`` files described in ``docs/datasets.md``) or set ``SKVHP_DATA``.
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch, check_random_state

__all__ = [
    "get_data_home",
    "load_binarized_mnist",
    "load_cmu_mocap",
    "load_fashion_mnist",
    "load_frey_faces",
    "load_mnist",
    "make_pendulum",
    "render_pendulum",
]


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The folder holding the ``.npz`` data files.

    Parameters
    ----------
    data_home : str or path-like, optional
        Used if given; otherwise the ``SKVHP_DATA`` environment variable.

    Raises
    ------
    ValueError
        If neither is set, or the folder does not exist.
    """
    if data_home is None:
        data_home = os.environ.get("SKVHP_DATA")
    if data_home is None:
        raise ValueError("data_home is not given and SKVHP_DATA is not set.")
    path = Path(data_home).expanduser()
    if not path.is_dir():
        raise ValueError(f"data_home {str(path)!r} is not a folder.")
    return path


def _load_npz(data_home, filename: str, arrays: tuple[str, ...]) -> dict[str, np.ndarray]:
    path = get_data_home(data_home) / filename
    if not path.is_file():
        raise ValueError(f"{filename} not found in {str(path.parent)!r}.")
    try:
        with np.load(path, allow_pickle=False) as data:
            loaded = {a: data[a] for a in arrays if a in data.files}
    except (OSError, EOFError, ValueError) as exc:  # not a zip, truncated, pickled
        raise ValueError(f"{path} is not a readable .npz file: {exc}") from exc
    missing = [a for a in arrays if a not in loaded]
    if missing:
        raise ValueError(f"{path} is malformed: missing arrays {missing}.")
    return loaded


def load_binarized_mnist(
    data_home: str | os.PathLike | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Statically binarized MNIST (Larochelle & Murray, 2011): 50k / 10k / 10k.

    Parameters
    ----------
    data_home : str or path-like, optional
        Folder holding ``binarized_mnist.npz`` (see :func:`get_data_home`).

    Returns
    -------
    X_train, X_valid, X_test : ndarray of shape (n, 784), float32 in {0, 1}
        Row-major 28x28 images.
    """
    data = _load_npz(data_home, "binarized_mnist.npz", ("x_train", "x_valid", "x_test"))
    return tuple(
        np.unpackbits(data[k], axis=1)[:, :784].astype(np.float32)
        for k in ("x_train", "x_valid", "x_test")
    )


def _load_grey_mnist(data_home, filename: str):
    d = _load_npz(data_home, filename, ("x_train", "y_train", "x_test", "y_test"))
    flat = [(d[k].reshape(len(d[k]), -1) / 255.0).astype(np.float32) for k in ("x_train", "x_test")]
    return flat[0], d["y_train"], flat[1], d["y_test"]


def load_mnist(data_home: str | os.PathLike | None = None):
    """MNIST grey levels scaled to [0, 1] (for dynamic binarization), 60k / 10k.

    Returns
    -------
    X_train : ndarray of shape (60000, 784), float32 in [0, 1]
    y_train : ndarray of shape (60000,)
    X_test : ndarray of shape (10000, 784), float32 in [0, 1]
    y_test : ndarray of shape (10000,)
    """
    return _load_grey_mnist(data_home, "mnist.npz")


def load_fashion_mnist(data_home: str | os.PathLike | None = None):
    """Fashion-MNIST grey levels scaled to [0, 1], 60k / 10k (as :func:`load_mnist`)."""
    return _load_grey_mnist(data_home, "fashion_mnist.npz")


def load_frey_faces(data_home: str | os.PathLike | None = None) -> np.ndarray:
    """Brendan Frey's face images: 1965 grey-level frames of 28 x 20 pixels.

    Parameters
    ----------
    data_home : str or path-like, optional
        Folder holding ``frey_faces.npz`` (see :func:`get_data_home`).

    Returns
    -------
    X : ndarray of shape (1965, 560), float32 in [0, 1]
        Pixel values / 255, row-major 28 x 20 images. There is no standard split.
    """
    x = _load_npz(data_home, "frey_faces.npz", ("x",))["x"]
    return (x.reshape(len(x), -1) / 255.0).astype(np.float32)


def load_cmu_mocap(
    data_home: str | os.PathLike | None = None,
    *,
    drop_root_rotation: bool = True,
    wrap_angles: bool = True,
) -> Bunch:
    """CMU motion capture: five motions, joint angles at 30 fps (Klushyn et al., section 4.2).

    4642 frames of walk, jog, balance, martial arts and dance from the CMU Graphics Lab
    database, 53 Acclaim joint angles per frame in radians (see the data's README).

    Parameters
    ----------
    data_home : str or path-like, optional
        Folder holding ``cmu_mocap.npz`` (see :func:`get_data_home`).
    drop_root_rotation : bool, default=True
        Drop the root rotation (the first three channels), leaving the 50 body angles of
        Chen et al. (2015). The root drifts far in the turning clips (up to 21.8 rad).
    wrap_angles : bool, default=True
        Wrap every angle into (-π, π]. The hand, wrist and thumb channels of some clips
        wind up to 17 rad; wrapping maps equal poses to equal values.

    Returns
    -------
    Bunch with
        data : ndarray of shape (4642, 50 or 53), float32, radians
        motion : ndarray of shape (4642,), int64 in 0..4 (index into ``motion_names``)
        clip : ndarray of shape (4642,), int64 (index into ``clip_names``)
        frame : ndarray of shape (4642,), int64, frame index within the clip
        motion_names, clip_names, channels : ndarray of str
    """
    arrays = ("x", "motion", "frame", "clip", "motion_names", "channels", "clip_names")
    d = _load_npz(data_home, "cmu_mocap.npz", arrays)
    x, channels = d["x"].astype(np.float32), d["channels"]
    if x.ndim != 2 or x.shape[1] != len(channels) or len(d["motion"]) != len(x):
        raise ValueError("cmu_mocap.npz is malformed: inconsistent array shapes.")
    if drop_root_rotation:
        keep = ~np.char.startswith(channels.astype(str), "root_")
        x, channels = x[:, keep], channels[keep]
    if wrap_angles:
        x = (np.pi - np.mod(np.pi - x, 2 * np.pi)).astype(np.float32)  # into (-π, π]
    return Bunch(
        data=x,
        motion=d["motion"],
        clip=d["clip"],
        frame=d["frame"],
        motion_names=d["motion_names"],
        clip_names=d["clip_names"],
        channels=channels,
    )


def make_pendulum(
    n_samples: int = 15000,
    image_size: int = 16,
    random_state=None,
    return_angles: bool = True,
    *,
    supersampling: int = 4,
    rod_width: float = 0.08,
    bob_radius: float = 0.11,
):
    """Grey-level images of a pendulum swinging around the image centre.

    The data set of Klushyn et al. (2019), Sec. 4.1: the joint angle θ is uniform in
    [0, 2π) and is the only degree of freedom. A rod from the centre ends in a round
    bob; θ = 0 points straight down and θ grows counter-clockwise as seen on the image.
    Pixels hold the covered fraction of their area (anti-aliasing by
    ``supersampling`` × ``supersampling`` samples per pixel), so values lie in [0, 1].

    Geometry, in units of the image size s: rod length 0.36 s, rod width ``rod_width`` s,
    bob radius ``bob_radius`` s (defaults at s = 16: 5.8, 1.3 and 1.8 pixels). The paper
    does not give them; they matter for the paper's model as written (docs/pendulum.md).

    To learn the latent ring of the paper's Sec. 4.1 from these images, fit
    ``VHPAutoencoder(n_components=2, init="pca", posterior="isotropic")`` (the
    *pendulum settings*; everything else at its defaults): the encoder starts on the
    principal ring and stays frozen during REWO's initial phase, and the posterior is
    isotropic. Over 8 seeds this keeps the ring round and closed with the learned prior
    on it, for the default geometry and for thicker and thinner pendulums
    (``benchmarks/pendulum_topology.py``, results in docs/pendulum.md).

    Parameters
    ----------
    n_samples : int, default=15000
    image_size : int, default=16
        Images are ``image_size`` x ``image_size``, flattened row-major.
    random_state : int, RandomState instance or None
    return_angles : bool, default=True
    supersampling : int, default=4
    rod_width, bob_radius : float, default=0.08, 0.11
        In units of the image size.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size**2), float32 in [0, 1]
    angles : ndarray of shape (n_samples,), float64 in [0, 2π)
        Only if ``return_angles``.

    Examples
    --------
    >>> from skvhp.datasets import make_pendulum
    >>> X, angles = make_pendulum(100, random_state=0)
    >>> X.shape, float(X.min()) >= 0.0, float(X.max()) <= 1.0
    ((100, 256), True, True)
    """
    for name, value, low in (
        ("n_samples", n_samples, 1),
        ("image_size", image_size, 4),
        ("supersampling", supersampling, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    rng = check_random_state(random_state)
    angles = rng.uniform(0.0, 2.0 * np.pi, size=n_samples)
    for name, value in (("rod_width", rod_width), ("bob_radius", bob_radius)):
        if not (isinstance(value, (int, float)) and 0 < value < 1):
            raise ValueError(
                f"{name} must be in (0, 1) (a fraction of the image size), got {value!r}."
            )
    X = render_pendulum(angles, image_size, supersampling, rod_width, bob_radius)
    return (X, angles) if return_angles else X


def render_pendulum(
    angles: np.ndarray,
    image_size: int = 16,
    supersampling: int = 4,
    rod_width: float = 0.08,
    bob_radius: float = 0.11,
) -> np.ndarray:
    """Render pendulum images for given joint angles (see :func:`make_pendulum`)."""
    s, ss = image_size, supersampling
    # Sub-pixel sample positions, in pixel units, image centre at (s/2, s/2).
    offsets = (np.arange(ss) + 0.5) / ss
    coords = (np.arange(s)[:, None] + offsets[None, :]).ravel()
    py, px = np.meshgrid(coords, coords, indexing="ij")  # (s*ss, s*ss)
    px, py = px.ravel() - s / 2, py.ravel() - s / 2
    length, half_width, bob = 0.36 * s, rod_width / 2 * s, bob_radius * s
    X = np.empty((len(angles), s * s), dtype=np.float32)
    for start in range(0, len(angles), 512):
        theta = np.asarray(angles[start : start + 512], dtype=np.float64)[:, None]
        # Bob centre: down (+y on the image) at θ = 0, counter-clockwise on screen.
        bx, by = length * np.sin(theta), length * np.cos(theta)
        # Distance of each sample point to the rod segment from the centre to the bob.
        t = np.clip((px * bx + py * by) / length**2, 0.0, 1.0)
        rod = (px - t * bx) ** 2 + (py - t * by) ** 2 <= half_width**2
        disk = (px - bx) ** 2 + (py - by) ** 2 <= bob**2
        covered = (rod | disk).reshape(-1, s, ss, s, ss).mean(axis=(2, 4))
        X[start : start + 512] = covered.reshape(-1, s * s)
    return X
