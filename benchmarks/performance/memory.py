"""Peak memory of fit, partial_fit, transform and score_samples against the size of X:
does the package copy the data?

Each operation runs in a fresh interpreter that first builds a float32, C-contiguous X
of ``--mib`` MiB (random grey levels), then records its peak resident memory (the
``ru_maxrss`` high-water mark) before and after the operation. The growth is what the
operation itself held at its peak: a full copy of X would add about 100 % of X. The
table of docs/user_guide.md is generated from docs/results/memory.json (``results_pages``).

    python benchmarks/performance/memory.py --mib 600
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    add_smoke_argument,
    machine_info,
    markdown_table,
    number,
    one_file_pages,
    parse_args,
    print_table,
    write_json,
)

OPERATIONS = ("fit", "fit (early stopping)", "partial_fit", "transform", "score_samples")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(operation: str, mib: float, n_features: int) -> dict:
    """In this process: build X, then run ``operation`` and report the peak's growth."""
    import torch

    from skvhp import IWAE

    torch.set_num_threads(1)
    n_samples = int(mib * 2**20 / (4 * n_features))
    rng = np.random.default_rng(0)
    X = np.empty((n_samples, n_features), dtype=np.float32)
    for start in range(0, n_samples, 10000):  # in blocks: no float64 temporary of X
        X[start : start + 10000] = rng.random((min(10000, n_samples - start), n_features))
    model = IWAE(
        n_components=8,
        hidden_layer_sizes=(64,),
        k=1,
        max_iter=1,
        batch_size=1000,
        n_importance_samples=1,
        early_stopping=operation == "fit (early stopping)",
        random_state=0,
        device="cpu",
    )
    if operation in ("transform", "score_samples"):
        model.set_params(max_iter=1).fit(X[:2000])
    before = _peak_mib()
    start = time.perf_counter()
    if operation.startswith("fit"):
        model.fit(X)
    elif operation == "partial_fit":
        model.partial_fit(X)
    elif operation == "transform":
        model.transform(X)
    else:
        model.score_samples(X)
    growth = _peak_mib() - before
    x_mib = X.nbytes / 2**20
    return {
        "operation": operation,
        "X (MiB)": x_mib,
        "peak growth (MiB)": growth,
        "growth / X": growth / x_mib,
        "seconds": time.perf_counter() - start,
    }


# How docs/user_guide.md names an operation (default: the method's name as code), and
# what it says beside a growth that copies X.
PAGE_NAMES = {"fit (early stopping)": "`fit` with `early_stopping=True`"}
PAGE_NOTES = {"fit (early stopping)": " (the split gathers the rows)"}


def page_table(payload: dict) -> list[str]:
    """The table of docs/user_guide.md, from a results file's contents."""
    rows = [
        {
            "operation": PAGE_NAMES.get(r["operation"], f"`{r['operation']}`"),
            "X (MiB)": number(r["X (MiB)"], 0),
            "peak growth (MiB)": number(r["peak growth (MiB)"], 0),
            "growth / X": f"{number(100 * r['growth / X'], 0)} %"
            + PAGE_NOTES.get(r["operation"], ""),
        }
        for r in payload["rows"]
    ]
    return markdown_table(rows, list(rows[0]))


def results_pages(results: Path) -> dict[str, str]:
    """The table docs/user_guide.md includes, from the results file in ``results`` alone
    (the documentation build regenerates it: ``_results_pages.py``)."""
    return one_file_pages(results, "memory.json", "performance/memory.py", page_table)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=float, default=600.0, help="size of X")
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--operations", nargs="*", default=list(OPERATIONS))
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # the worker
    parser.add_argument("--out", default=None, help="default: docs/results/memory.json")
    add_smoke_argument(parser, mib=8.0, operations=["fit", "transform"])
    args = parse_args(parser, argv)
    if args.one is not None:
        print(json.dumps(measure(args.one, args.mib, args.features)))
        return
    rows = []
    for operation in args.operations:
        command = [sys.executable, __file__, "--one", operation, "--mib", str(args.mib)]
        command += ["--features", str(args.features)]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print_table(rows[-1:], list(rows[-1]))
    payload = {"machine": machine_info("cpu"), "args": vars(args), "rows": rows}
    print()
    print("\n".join(page_table(payload)))
    write_json("memory", payload, args.out)


if __name__ == "__main__":
    main()
