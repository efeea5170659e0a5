"""Out-of-core training: binarized MNIST written to disk in chunks, trained with
``partial_fit`` one chunk at a time (memory-mapped) and through dask-ml's ``Incremental``,
against ``fit`` on the whole array in memory. Prints the test log-likelihood of each
(the same number of passes over the same images) and the peak numpy memory each
training loop held (tracemalloc), and writes ``docs/results/out_of_core.json``; the
table of docs/user_guide.md is generated from it (``results_pages``).

    python benchmarks/performance/out_of_core.py --epochs 3 --chunks 10
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    DEFAULT_DATA,
    add_smoke_argument,
    machine_info,
    markdown_table,
    number,
    one_file_pages,
    parse_args,
    print_table,
    write_json,
)


def page_table(payload: dict) -> list[str]:
    """The table of docs/user_guide.md, from a results file's contents (the names of the
    methods and classes in each row's name set as code)."""
    rows = [
        {
            "training": re.sub(r"\b(partial_fit|fit|Incremental)\b", r"`\1`", r["training"]),
            "test log-likelihood (nats)": number(r["test log-likelihood"], 1),
            "peak numpy memory": f"{number(r['peak numpy MiB'], 0)} MiB",
            "fit (s)": number(r["fit s"], 0),
        }
        for r in payload["rows"]
    ]
    return markdown_table(rows, list(rows[0]))


def results_pages(results: Path) -> dict[str, str]:
    """The table docs/user_guide.md includes, from the results file in ``results`` alone
    (the documentation build regenerates it: ``_results_pages.py``)."""
    return one_file_pages(results, "out_of_core.json", "performance/out_of_core.py", page_table)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=10)
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--importance-samples", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--out", default=None, help="default: docs/results/out_of_core.json")
    parser.add_argument("--train-size", type=int, default=None, help="default: all")
    add_smoke_argument(
        parser, train_size=500, epochs=1, chunks=2, test_size=5, importance_samples=5
    )
    args = parse_args(parser, argv)

    import torch

    from skvhp import IWAE
    from skvhp.datasets import load_binarized_mnist

    torch.set_num_threads(args.threads)
    X_train, _, X_test = load_binarized_mnist(args.data_home)
    X_train = X_train[: args.train_size]
    X_test = X_test[: args.test_size]

    def model():
        return IWAE(
            n_importance_samples=args.importance_samples,
            device="cpu",
            random_state=0,
        )

    rows = []

    def record(name, train):
        tracemalloc.start()
        start = time.perf_counter()
        fitted = train()
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append(
            {
                "training": name,
                "passes": args.epochs,
                "fit / partial_fit calls (n_iter_)": fitted.n_iter_,
                "test log-likelihood": float(fitted.score(X_test)),
                "peak numpy MiB": peak / 2**20,
                "fit s": seconds,
            }
        )
        print_table(rows[-1:], list(rows[-1]))

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, chunk in enumerate(np.array_split(X_train, args.chunks)):
            paths.append(Path(tmp) / f"chunk{i}.npy")
            np.save(paths[-1], chunk)
        del chunk

        def in_memory():
            X = np.concatenate([np.load(p) for p in paths])
            return model().set_params(max_iter=args.epochs).fit(X)

        def chunk_by_chunk():
            m = model()
            for _ in range(args.epochs):
                for p in paths:
                    m.partial_fit(np.load(p, mmap_mode="r"))
            return m

        def dask_ml():
            import dask.array as da
            from dask_ml.wrappers import Incremental

            blocks = [da.from_array(np.load(p, mmap_mode="r")) for p in paths]
            X = da.concatenate(blocks)
            inc = Incremental(model(), shuffle_blocks=True, random_state=0)
            for _ in range(args.epochs):
                inc.partial_fit(X)
            return inc.estimator_

        record("fit, whole array in memory", in_memory)
        record(f"partial_fit over {args.chunks} memory-mapped chunks", chunk_by_chunk)
        record(f"dask-ml Incremental over {args.chunks} blocks", dask_ml)

    payload = {"machine": machine_info("cpu"), "args": vars(args), "rows": rows}
    print()
    print("\n".join(page_table(payload)))
    write_json("out_of_core", payload, args.out)


if __name__ == "__main__":
    main()
