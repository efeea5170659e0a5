"""Data sets: loaders for the standard benchmarks (from a path you give) and generators.

The package never looks for data on its own: pass ``data_home`` (a folder holding the
``.npz`` files described in ``docs/datasets.md``) or set ``SKVHP_DATA``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._generators import (
    make_double_pendulum,
    make_pendulum,
    make_spheres,
    make_two_pendulums,
    render_pendulum,
)

__all__ = [
    "get_data_home",
    "load_binarized_mnist",
    "load_cmu_mocap",
    "load_fashion_mnist",
    "load_frey_faces",
    "load_mnist",
    "make_double_pendulum",
    "make_pendulum",
    "make_spheres",
    "make_two_pendulums",
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
