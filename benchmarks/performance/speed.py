"""Training and scoring speed of every estimator on binarized MNIST, beside the
machine's matrix-multiply rate for the same layer shapes.

For each model (the papers' architectures): training throughput (samples/s) and seconds
per epoch on a training subset, peak memory, and importance-sampled scoring throughput
(points x samples per second) with 5000 samples. The "physical limit" row times a plain
float32 matmul chain with the IWAE's layer shapes and batch x k rows, forward and
backward (3x the forward FLOPs), and reports our IWAE training step as a fraction of it.

    python benchmarks/performance/speed.py --train-size 10000 --epochs 2
    python benchmarks/performance/speed.py --device cuda --train-size 50000 --epochs 3

Rows marked "mixed" train with ``mixed_precision=True`` (bfloat16 products); their test
log-likelihood sits beside the float32 row's on the same test points. The two tables of
docs/benchmarks.md are generated from docs/results/speed_cpu.json (``results_pages``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
import torch
from _common import (
    ALGORITHM_1,
    DEFAULT_DATA,
    add_smoke_argument,
    fit_and_score,
    machine_info,
    markdown_table,
    number,
    parse_args,
    peak_memory_mib,
    print_table,
    results_page,
    write_json,
)

from skvhp import IWAE, VampPriorVAE, VHPAutoencoder
from skvhp.datasets import load_binarized_mnist

IWAE_LAYERS = [784, 200, 200, 100]  # encoder to (mean, log-var) of 50 units; decoder mirrors


def models(args) -> dict:
    common = dict(
        max_iter=args.epochs,
        batch_size=100,
        n_importance_samples=5000,
        device=args.device,
        random_state=0,
    )
    mixed = dict(common, mixed_precision=True)
    return {
        "IWAE (L=1, k=5)": IWAE(k=5, **common),
        "IWAE (L=1, k=5), mixed": IWAE(k=5, **mixed),
        "IWAE (L=2, k=5)": IWAE(k=5, n_layers=2, **common),
        # tanh 300-300 to match Pythae's VAMP layer for layer; L=2 keeps the paper's gates
        "VampPriorVAE (L=1, tanh)": VampPriorVAE(activation="tanh", warmup_epochs=1, **common),
        "VampPriorVAE (L=1, tanh), mixed": VampPriorVAE(
            activation="tanh", warmup_epochs=1, **mixed
        ),
        "VampPriorVAE (L=2)": VampPriorVAE(n_layers=2, warmup_epochs=1, **common),
        "VHPAutoencoder (REWO)": VHPAutoencoder(n_components=40, **ALGORITHM_1, **common),
    }


def iwae_forward_flops(rows: int) -> float:
    """Multiply-adds x 2 of the IWAE (L=1) networks for ``rows`` samples: the encoder runs
    on the batch, the decoder on batch x k."""
    enc = sum(a * b for a, b in zip(IWAE_LAYERS, IWAE_LAYERS[1:], strict=False))
    dec = 50 * 200 + 200 * 200 + 200 * 784
    return 2.0 * (rows / 5 * enc + rows * dec)


DECODER_SHAPES = [(50, 200), (200, 200), (200, 784)]
DECODER_FLOPS = 2.0 * sum(a * b for a, b in DECODER_SHAPES)  # per sample, forward


def matmul_rate(
    rows: int,
    device: str,
    dtype: torch.dtype = torch.float32,
    repeats: int = 50,
    backward: bool = True,
) -> float:
    """FLOP/s through the decoder's layer shapes (no activations), forward + backward
    (training) or forward only (scoring)."""
    dev = torch.device(device)
    weights = [
        torch.randn(a, b, device=dev, dtype=dtype, requires_grad=backward)
        for a, b in DECODER_SHAPES
    ]
    x = torch.randn(rows, 50, device=dev, dtype=dtype)
    flops = (3 if backward else 1) * DECODER_FLOPS * rows
    for i in range(repeats + 5):
        if i == 5:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
        h = x
        for w in weights:
            h = h @ w
        if backward:
            h.sum().backward()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    return flops * repeats / (time.perf_counter() - start)


# Pythae trains in float32 on the CPU (its `amp` option is CUDA only): our float32 rows
# are the like-for-like comparison, the mixed-precision rows what a user can switch on.
PEERS = {"IWAE": "IWAE (L=1, k=5)", "VAMP": "VampPriorVAE (L=1, tanh)"}


def pythae_rows(args, X_train, X_test, ours: list[dict]) -> list[dict]:
    """Run benchmarks/performance/pythae_side.py in the given interpreter; rows with ratios."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.npz"
        np.savez(data, train=X_train, test=X_test[:3])
        out = subprocess.run(
            [
                args.pythae_python,
                str(Path(__file__).with_name("pythae_side.py")),
                "--data",
                str(data),
                "--epochs",
                str(args.epochs),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    theirs = json.loads(out.strip().splitlines()[-1])  # pythae prints progress first
    by_name = {r["model"]: r for r in ours}
    rows = []
    for peer, mine in PEERS.items():
        row = {
            "model": f"Pythae {peer}",
            "s/epoch": theirs[peer]["s/epoch"],
            "train samples/s": theirs[peer]["train samples/s"],
            "score points*samples/s": theirs[peer]["score points*samples/s"],
        }
        if mine in by_name:
            row["train ratio (ours/theirs)"] = (
                by_name[mine]["train samples/s"] / row["train samples/s"]
            )
            row["score ratio (ours/theirs)"] = (
                by_name[mine]["score points*samples/s"] / row["score points*samples/s"]
            )
        if f"{mine}, mixed" in by_name:
            row["train ratio, mixed (ours/theirs)"] = (
                by_name[f"{mine}, mixed"]["train samples/s"] / row["train samples/s"]
            )
        rows.append(row)
        print_table(rows[-1:], list(rows[-1]))
    return rows


# The pages' names of models whose results-file name leaves out what the page says.
PAGE_NAMES = {
    "VampPriorVAE (L=2)": "VampPriorVAE (L=2, gated)",
    "VHPAutoencoder (REWO)": "VHPAutoencoder (REWO, K=16)",
}
PEER_NAMES = {"IWAE": "IWAE", "VAMP": "VampPrior"}  # the ratio table's rows


def page_tables(payload: dict) -> list[list[str]]:
    """The tables of docs/benchmarks.md, from a results file's contents: each model's
    throughput, then ours / Pythae (where Pythae ran)."""
    size = payload["args"]["train_size"]
    size = f"{size // 1000}k" if size % 1000 == 0 else str(size)
    rows = [
        {
            "model": PAGE_NAMES.get(r["model"], r["model"]),
            f"s / epoch ({size})": number(r["s/epoch"], 2),
            "train samples/s": number(r["train samples/s"], significant=4),
            "scoring points × samples / s": number(r["score points*samples/s"], significant=4),
            "test LL (nats)": number(r["test LL (nats)"], 1) if "test LL (nats)" in r else "–",
            "peak RSS": f"{r['peak_rss_mib']:.0f} MiB" if "peak_rss_mib" in r else "–",
        }
        for r in payload["table"]
    ]
    tables = [markdown_table(rows, list(rows[0]))]
    ratios = [
        {
            "ours / Pythae": PEER_NAMES[r["model"].removeprefix("Pythae ")],
            "training, float32": f"{number(r['train ratio (ours/theirs)'], significant=3)}×",
            "training, mixed precision": (
                f"{number(r['train ratio, mixed (ours/theirs)'], significant=3)}×"
                if "train ratio, mixed (ours/theirs)" in r
                else "–"
            ),
            "scoring": f"{number(r['score ratio (ours/theirs)'], significant=3)}×",
        }
        for r in payload["table"]
        if "train ratio (ours/theirs)" in r
    ]
    if ratios:
        tables.append(markdown_table(ratios, list(ratios[0])))
    return tables


def results_pages(results: Path) -> dict[str, str]:
    """The tables docs/benchmarks.md includes, from the results file in ``results``
    alone (the documentation build regenerates them: ``_results_pages.py``)."""
    path = results / "speed_cpu.json"
    if not path.exists():
        return {}
    tables = page_tables(json.loads(path.read_text()))
    return {"speed_cpu.md": results_page("performance/speed.py", [path.name], *tables)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--score-points", type=int, default=20)
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument(
        "--pythae-python",
        default=None,
        help="python of an environment with pythae: run its IWAE and VAMP side by side",
    )
    parser.add_argument("--out", default=None)
    add_smoke_argument(
        parser,
        train_size=200,
        epochs=1,
        score_points=3,
        models=["IWAE (L=1, k=5)", "VampPriorVAE (L=1, tanh)", "VHPAutoencoder (REWO)"],
    )
    args = parse_args(parser, argv)

    X_train, _, X_test = load_binarized_mnist(args.data_home)
    X_train, X_test = X_train[: args.train_size], X_test[: args.score_points]
    rows = []
    for name, model in models(args).items():
        if args.models and name not in args.models:
            continue
        log_likelihood, _, score_s = fit_and_score(model, X_train, X_test)
        epoch = float(np.median(np.diff([0.0, *model.history_["time"]])))
        rows.append(
            {
                "model": name,
                "s/epoch": epoch,
                "train samples/s": len(X_train) / epoch,
                "score points*samples/s": len(X_test) * 5000 / score_s,
                # the same test points for every model: float32 vs mixed precision
                "test LL (nats)": float(np.mean(log_likelihood)),
                **peak_memory_mib(args.device),
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    if args.pythae_python:
        rows += pythae_rows(args, X_train, X_test, rows)
    by_name = {r["model"]: r for r in rows}
    summary = {}
    for label, dtype, model in (
        ("float32", torch.float32, "IWAE (L=1, k=5)"),
        ("bfloat16", torch.bfloat16, "IWAE (L=1, k=5), mixed"),
    ):
        limit = matmul_rate(100 * 5, args.device, dtype)
        summary[f"{label} matmul GFLOP/s (decoder shapes, fwd+bwd)"] = limit / 1e9
        if model in by_name:
            ours = 3 * iwae_forward_flops(500) * by_name[model]["train samples/s"] / 100
            summary[f"{model} training GFLOP/s"] = ours / 1e9
            summary[f"{model}: fraction of the {label} matmul rate"] = ours / limit
    # Scoring's ceiling: every sample needs one decoder pass; if its float32 products ran
    # at the plain matmul rate (chunks as importance_log_likelihood cuts them) and all
    # else were free, this many points x samples per second could be scored.
    ceiling = matmul_rate(2**21 // 784, args.device, backward=False) / DECODER_FLOPS
    summary["scoring ceiling, points*samples/s (decoder matmuls only)"] = ceiling
    if "IWAE (L=1, k=5)" in by_name:
        summary["IWAE (L=1, k=5): fraction of the scoring ceiling"] = (
            by_name["IWAE (L=1, k=5)"]["score points*samples/s"] / ceiling
        )
    payload = {
        "machine": machine_info(args.device),
        "args": vars(args),
        "table": rows,
        "physical_limit": summary,
    }
    for table in page_tables(payload):
        print()
        print("\n".join(table))
    print()
    print_table([summary], list(summary))
    write_json(f"speed_{args.device.replace(':', '')}", payload, args.out)


if __name__ == "__main__":
    main()
