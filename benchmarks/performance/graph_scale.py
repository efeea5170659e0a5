"""Scale of LatentGraphInterpolator: build a k-NN graph over many latent points and
answer many interpolations. Prints a table and writes JSON; the table of
docs/benchmarks.md is generated from docs/results/graph_scale.json (``results_pages``).

    python benchmarks/performance/graph_scale.py --n-nodes 100000 --pairs 100 --dims 2 32
"""

from __future__ import annotations

import argparse
import json
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
    parse_args,
    peak_memory_mib,
    print_table,
    results_page,
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


def page_rows(payload: dict) -> list[dict]:
    """The table of docs/benchmarks.md, from a results file's contents."""
    return [
        {
            "latent dim": r["latent dim"],
            "nodes": number(r["nodes"], 0),
            "undirected edges": number(r["edges"], 0),
            "build (s)": number(r["build s"], 1),
            f"{r['pairs']} interpolations (s)": number(r["interpolate s"], 2),
            "ms / pair": number(r["ms/pair"], 1),
            "peak RSS": f"{r['peak_rss_mib']:.0f} MiB",
        }
        for r in payload["table"]
    ]


def results_pages(results: Path) -> dict[str, str]:
    """The page docs/benchmarks.md includes, from the results file in ``results`` alone
    (the documentation build regenerates it: ``_results_pages.py``)."""
    path = results / "graph_scale.json"
    if not path.exists():
        return {}
    rows = page_rows(json.loads(path.read_text()))
    table = markdown_table(rows, list(rows[0]))
    return {"graph_scale.md": results_page("performance/graph_scale.py", [path.name], table)}


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
    payload = {"machine": machine_info("cpu"), "args": vars(args), "table": rows}
    lines = page_rows(payload)
    print()
    print("\n".join(markdown_table(lines, list(lines[0]))))
    write_json("graph_scale", payload, args.out)


if __name__ == "__main__":
    main()
