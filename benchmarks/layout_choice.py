"""Which start does ``VHPAutoencoder(init="auto")`` choose on each generated manifold?

For every manifold of the topology suite (the pendulum ring, the open arc, two rings, the
torus) and seed, on the training images the suite uses (the first 80 % of 15,000), it
computes the PCA and the Isomap start and their persistence distances to the data's own
(``skvhp._layouts.choose_layout``, as ``init="auto"`` does with the fit's seed; data in
separate pieces take the "by-piece" start without a comparison), and prints and writes
which start wins, with the two longest H1 bars of each start and of the chosen one (600
points, unit spread: does the start have the data's loops?). No VAE is trained: with the
same seed, ``init="auto"`` trains exactly as ``init=<the chosen start>``
(``tests/test_layouts.py``), so the suite's rows for that start are the auto start's
results.

    python benchmarks/layout_choice.py            # writes docs/results/layout_choice.json
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from _common import add_smoke_argument, machine_info, parse_args, print_table, write_json
from topology_suite import MANIFOLDS, load

from skvhp._layouts import choose_layout, manifold_layout
from skvhp._torch.init import pca_coordinates
from skvhp._validation import seed_from
from skvhp.topology import longest_bars


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--manifolds",
        nargs="*",
        default=["ring", "arc", "two-rings", "torus"],
        choices=["ring", "arc", "two-rings", "torus"],
    )
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    parser.add_argument("--n-images", type=int, default=15000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None, help="JSON path")
    add_smoke_argument(parser, manifolds=["arc"], seeds=[0], n_images=800)
    args = parse_args(parser, argv)
    torch.set_num_threads(args.threads)
    rows = []
    for manifold in args.manifolds:
        for seed in args.seeds:
            X = load(manifold, seed, args.n_images, data_home="")[0].astype(np.float32)
            n_components = MANIFOLDS[manifold].n_components
            start = time.perf_counter()
            pca = pca_coordinates(torch.as_tensor(X), n_components).numpy()
            # The fit's own seed, as VHPAutoencoder(random_state=seed) derives it.
            chosen, start_coords, distances = choose_layout(X, pca, n_components, seed_from(seed))
            isomap = manifold_layout(X, "isomap", n_components, seed_from(seed))
            loops = {
                name: longest_bars(coords, n_bars=2, max_dim=1, n_points=600)["H1"]
                for name, coords in (("PCA", pca), ("Isomap", isomap), ("chosen", start_coords))
            }
            rows.append(
                {
                    "manifold": manifold,
                    "seed": seed,
                    "chosen": chosen,
                    # None where the data fall into pieces: "by-piece" without comparing.
                    "distance to the data, PCA": distances.get("pca"),
                    "distance to the data, Isomap": distances.get("isomap"),
                    "H1 bars, PCA start": loops["PCA"],
                    "H1 bars, Isomap start": loops["Isomap"],
                    "H1 bars, chosen start": loops["chosen"],
                    "seconds": time.perf_counter() - start,
                }
            )
            print_table(rows[-1:], list(rows[-1]))
    print()
    print_table(rows, list(rows[0]))
    write_json(
        "layout_choice",
        {"machine": machine_info("cpu"), "args": vars(args), "rows": rows},
        args.out,
    )


if __name__ == "__main__":
    main()
