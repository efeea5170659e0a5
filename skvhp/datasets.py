"""Data sets: loaders for the standard benchmarks (from a path you give) and generators.

The package never looks for data on its own: pass ``data_home`` (a folder holding the
``.npz`` files described in ``docs/datasets.md``) or set ``SKVHP_DATA``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["get_data_home", "load_binarized_mnist"]


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
