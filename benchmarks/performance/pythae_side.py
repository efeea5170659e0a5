"""Pythae's IWAE and VAMP on the same data, layers, batch size and epochs as skvhp's,
for benchmarks/performance/speed.py. Runs in a separate environment that has pythae (it is not a
dependency of skvhp); prints one JSON object.

    /path/to/pythae-venv/bin/python benchmarks/performance/pythae_side.py --data data.npz --epochs 2

``--smoke`` trains both on 200 random binary images for one epoch (pythae is in the dev
extras, so CI runs this).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
import torch
from _common import add_smoke_argument, parse_args
from pythae.models import IWAE, VAMP, IWAEConfig, VAMPConfig
from pythae.models.base.base_utils import ModelOutput
from pythae.models.nn import BaseDecoder, BaseEncoder
from torch import nn


def mlp(sizes):
    layers = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        layers += [nn.Linear(a, b), nn.Tanh()]
    return nn.Sequential(*layers[:-1])


class Encoder(BaseEncoder):
    def __init__(self, hidden, latent):
        super().__init__()
        self.body = nn.Sequential(mlp([784, *hidden]), nn.Tanh())
        self.mean, self.log_var = nn.Linear(hidden[-1], latent), nn.Linear(hidden[-1], latent)

    def forward(self, x):
        h = self.body(x.reshape(len(x), -1))
        return ModelOutput(embedding=self.mean(h), log_covariance=self.log_var(h))


class Decoder(BaseDecoder):
    def __init__(self, hidden, latent):
        super().__init__()
        self.net = mlp([latent, *reversed(hidden), 784])

    def forward(self, z):
        return ModelOutput(reconstruction=torch.sigmoid(self.net(z)))


def build(name, hidden, latent, k, components):
    enc, dec = Encoder(hidden, latent), Decoder(hidden, latent)
    if name == "IWAE":
        config = IWAEConfig(
            input_dim=(784,), latent_dim=latent, reconstruction_loss="bce", number_samples=k
        )
        return IWAE(config, encoder=enc, decoder=dec)
    config = VAMPConfig(
        input_dim=(784,), latent_dim=latent, reconstruction_loss="bce", number_components=components
    )
    return VAMP(config, encoder=enc, decoder=dec)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help=".npz with 'train' and 'test' (required)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--score-points", type=int, default=3)
    parser.add_argument("--score-samples", type=int, default=5000)
    add_smoke_argument(parser, epochs=1, score_points=2, score_samples=10)
    args = parse_args(parser)
    if args.smoke:
        rng = np.random.default_rng(0)
        data = {
            k: (rng.random((n, 784)) < 0.2).astype(np.float32)
            for k, n in [("train", 200), ("test", 2)]
        }
    elif args.data is None:
        parser.error("--data is required (or --smoke)")
    else:
        data = np.load(args.data)
    X = torch.from_numpy(data["train"])
    X_test = torch.from_numpy(data["test"][: args.score_points])
    torch.manual_seed(0)  # a separate process: seeding it globally harms no one
    results = {}
    for name, hidden, latent in (("IWAE", (200, 200), 50), ("VAMP", (300, 300), 40)):
        model = build(name, hidden, latent, k=5, components=500)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        epoch_times = []
        for epoch in range(args.epochs):
            model.train()
            start = time.perf_counter()
            perm = torch.randperm(len(X))
            for i in range(0, len(X), args.batch_size):
                out = model({"data": X[perm[i : i + args.batch_size]]}, epoch=epoch)
                optimizer.zero_grad()
                out.loss.backward()
                optimizer.step()
            epoch_times.append(time.perf_counter() - start)
        model.eval()
        start = time.perf_counter()
        nll = model.get_nll(X_test, n_samples=args.score_samples, batch_size=100)
        score_s = time.perf_counter() - start
        results[name] = {
            "s/epoch": float(np.median(epoch_times)),
            "train samples/s": len(X) / float(np.median(epoch_times)),
            "score points*samples/s": len(X_test) * args.score_samples / score_s,
            "nll": float(nll),
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
