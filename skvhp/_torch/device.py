"""Where tensors live: the device, local random generators, moving data and states
between devices, and whether this hardware has fast bfloat16."""

from __future__ import annotations

import platform
import warnings
from typing import Any

import numpy as np
import torch


def resolve_device(device: Any) -> torch.device:
    """``"auto"`` -> CUDA when available else CPU; ``"cpu"``, ``"cuda"``, ``"cuda:N"``."""
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}.")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError:
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}."
        ) from None
    if resolved.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}.")
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device={device!r} was asked for, but CUDA is not available.")
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r}: only {torch.cuda.device_count()} CUDA device(s) present."
            )
    return resolved


def make_generator(seed: int, device: torch.device) -> torch.Generator:
    """A local generator on ``device``: no global random state is touched."""
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator


def as_tensor(X: np.ndarray, device: torch.device) -> torch.Tensor:
    """X as a float32 tensor on ``device``, without a copy where none is needed.

    On the CPU a float32 C-contiguous X is shared, not copied (the package never writes
    into it, so a read-only X, a memory map, is fine); other dtypes or layouts take one
    float32 copy; another device takes one transfer.
    """
    X = np.asarray(X, dtype=np.float32, order="C")
    with warnings.catch_warnings():
        # A read-only array (a memmap) is shared as it is: nothing here writes into it.
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        tensor = torch.from_numpy(X)
    return tensor.to(device)


DEVICE_DATA_FRACTION = 0.5  # of the GPU's free memory that the data may take


def data_device(nbytes: int, device: torch.device) -> torch.device:
    """Where data of ``nbytes`` bytes live while a model on ``device`` uses them: on the
    device, unless it is a GPU whose free memory is less than twice that; then on the host,
    and batches move to the GPU one by one (:func:`to_device`)."""
    if device.type != "cuda":
        return device
    free, _ = torch.cuda.mem_get_info(device)
    return device if nbytes <= DEVICE_DATA_FRACTION * free else torch.device("cpu")


def to_device(x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """A batch on ``device``: from the host through pinned memory without waiting for the
    copy (the kernels that use it wait on the GPU's stream instead); as it is if it is
    there already."""
    if x.device == device:
        return x
    if device.type == "cuda":
        x = x.pin_memory()
    return x.to(device, non_blocking=True)


def loadable_device(device: torch.device) -> torch.device:
    """Where an unpickled model goes: its own device if this host has it; else the
    first GPU when the host has fewer GPUs than the saving one; else the CPU."""
    if device.type != "cuda":
        return device
    if not torch.cuda.is_available():
        return torch.device("cpu")
    if device.index is not None and device.index >= torch.cuda.device_count():
        return torch.device("cuda:0")
    return device


def on_cpu(value: Any) -> Any:
    """A copy of nested dicts / lists / tuples with every tensor detached on the CPU (a
    generator state, a CPU ``ByteTensor``, stays what it is)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: on_cpu(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(on_cpu(v) for v in value)
    return value


def cpu_bf16_units(cpuinfo: str = "/proc/cpuinfo") -> str | None:
    """The CPU's bfloat16 instruction set extension (``amx_bf16``, ``avx512_bf16`` or, on
    Arm, ``bf16``), or None when it has none or the flags cannot be read (not Linux)."""
    try:
        with open(cpuinfo) as fh:
            text = fh.read()
    except OSError:
        return None
    flags = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    return next((f for f in ("amx_bf16", "avx512_bf16", "bf16") if f in flags), None)


def cpu_name(cpuinfo: str = "/proc/cpuinfo") -> str:
    """The CPU's model name, for messages."""
    try:
        with open(cpuinfo) as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "this CPU"


def mixed_precision_dtype(device: torch.device) -> torch.dtype:
    """bfloat16: float32's exponent range, so no loss scaling is needed.

    Refused on CUDA devices without native bfloat16 (before Ampere: torch would emulate
    it, slowly); a warning on CPUs without bfloat16 units, where autocast runs an IWAE
    epoch about 15x slower than float32 (measured on an AMD EPYC without avx512_bf16).
    """
    if device.type == "cuda":
        if not torch.cuda.is_bf16_supported(including_emulation=False):
            name = torch.cuda.get_device_name(device)
            raise ValueError(
                f"mixed_precision=True trains in bfloat16, which {device} ({name}) has no "
                "native support for (it needs compute capability 8.0, Ampere, or newer); "
                "use mixed_precision=False."
            )
    elif cpu_bf16_units() is None:
        warnings.warn(
            f"mixed_precision=True on a CPU without bfloat16 units ({cpu_name()}: no "
            "amx_bf16, avx512_bf16 or bf16 flag): bfloat16 is emulated there and training "
            "can be an order of magnitude slower than float32. Use mixed_precision=False.",
            UserWarning,
            stacklevel=4,
        )
    return torch.bfloat16
