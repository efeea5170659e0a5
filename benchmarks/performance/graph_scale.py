"""Scale of LatentGraphInterpolator: build a k-NN graph over many latent points and
answer many interpolations. Prints a table and writes JSON.

    python benchmarks/performance/graph_scale.py --n-nodes 100000 --pairs 100 --dims 2 32
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    add_smoke_argument,
    machine_info,
    parse_args,
    peak_memory_mib,
    print_table,
    write_json,
)

from skvhp import LatentGraphInterpolator


def latent_points(n: int, dim: int, rng) -> np.ndarray:
    """A noisy ring in the first two coordinates, small noise in the others: a thin
    manifold, like the codes of a well-trained model."""
    t = rng.uniform(0, 2 * np.pi, n)
    Z = 0.05 * rng.normal(size=(n, dim))
    Z[:, 0] += np.cos(t)
    Z[:, 1] += np.sin(t)
    return Z


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-nodes", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--n-neighbors", type=int, default=10)
    parser.add_argument("--dims", nargs="*", type=int, default=[2, 32])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    add_smoke_argument(parser, n_nodes=2000, pairs=3, dims=[2])
    args = parse_args(parser, argv)

    rows = []
    for dim in args.dims:
        rng = np.random.default_rng(args.seed)
        Z = latent_points(args.n_nodes, dim, rng)
        start = time.perf_counter()
        graph = LatentGraphInterpolator(
            n_neighbors=args.n_neighbors,
            edges="union",  # the paper's graph, as in the recorded timings
            connect_components=False,
            random_state=args.seed,
        )
        graph.fit(Z)
        build = time.perf_counter() - start
        starts = latent_points(args.pairs, dim, rng)
        ends = latent_points(args.pairs, dim, rng)
        start = time.perf_counter()
        paths = graph.interpolate(starts, ends)
        answer = time.perf_counter() - start
        rows.append(
            {
                "latent dim": dim,
                "nodes": args.n_nodes,
                "edges": graph.graph_.nnz // 2,
                "components": graph.n_connected_components_,
                "build s": build,
                "pairs": args.pairs,
                "interpolate s": answer,
                "ms/pair": 1000 * answer / args.pairs,
                "mean path points": float(np.mean([len(p) for p in paths])),
                **peak_memory_mib("cpu"),
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    print()
    print_table(rows, list(rows[0]))
    write_json(
        "graph_scale", {"machine": machine_info("cpu"), "args": vars(args), "table": rows}, args.out
    )


if __name__ == "__main__":
    main()
