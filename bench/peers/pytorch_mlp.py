#!/usr/bin/env python3
"""PyTorch peer: MLP 784-128-10 on Fashion-MNIST, timed per epoch, one JSON line on stdout.

Same task as `ringfold train --model mlp --hidden 128 --activation relu --optimizer adam
--lr 0.001 --batch-size 128 --epochs 5`: inputs standardised per feature with the training set's
mean/std, ReLU hidden layer, softmax cross-entropy, Adam (PyTorch defaults betas 0.9/0.999,
eps 1e-8), minibatches of 128 drawn from a fresh seeded permutation each epoch.

Run with Debian's interpreter (/usr/bin/python3), where python3-torch is installed.
"""

import argparse
import json
import os
import platform
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_args import positive_float, positive_int  # noqa: E402
import fashion_mnist  # noqa: E402  (sibling module, found through the path set just above)




def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=positive_int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--epochs", type=positive_int, default=5)
    p.add_argument("--batch-size", type=positive_int, default=128)
    p.add_argument("--hidden", type=positive_int, default=128)
    p.add_argument("--lr", type=positive_float, default=1e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", default=fashion_mnist.DEFAULT_DIR)
    return p.parse_args(argv)


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).double().mean().item()


def main(argv):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # weight init; the batch order below has its own generator

    x_train, y_train, x_test, y_test = fashion_mnist.load(args.data_dir)
    x_train, x_test = fashion_mnist.standardise(x_train, x_test)
    x_train, x_test = torch.from_numpy(x_train), torch.from_numpy(x_test)
    y_train, y_test = torch.from_numpy(y_train), torch.from_numpy(y_test)
    n = x_train.shape[0]

    model = torch.nn.Sequential(
        torch.nn.Linear(784, args.hidden), torch.nn.ReLU(), torch.nn.Linear(args.hidden, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(args.seed)

    epoch_seconds = []
    for _ in range(args.epochs):
        model.train()
        start = time.perf_counter()
        # The shuffle is part of the epoch: Ringfold shuffles inside its timed loop too.
        perm = torch.randperm(n, generator=order)
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)

    model.eval()
    train_seconds = sum(epoch_seconds)
    print(json.dumps({
        "peer": "pytorch",
        "model": f"mlp-784-{args.hidden}-10-relu",
        "torch_version": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        # With 2 threads on a busy 2-core machine, OpenMP's default spin-waiting costs 10-30x; run.sh
        # sets PASSIVE. Recorded because it changes the timing that much.
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "unset"),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "seed": args.seed,
        "preprocessing": "standardised per feature (training mean/std)",
        "epoch_seconds": [round(s, 4) for s in epoch_seconds],
        "train_seconds": round(train_seconds, 4),
        "seconds_per_epoch": round(train_seconds / args.epochs, 4),
        "samples_per_second": round(n * args.epochs / train_seconds, 1),
        "final_loss": round(loss.item(), 5),
        "train_accuracy": round(accuracy(model, x_train, y_train), 5),
        "test_accuracy": round(accuracy(model, x_test, y_test), 5),
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
