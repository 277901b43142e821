#!/usr/bin/env python3
"""PyTorch peer: MLP 784-128-10 on Fashion-MNIST, timed per epoch, one JSON line on stdout.

Same task as `ringfold train --model mlp --hidden 128 --activation relu --optimizer adam
--lr 0.001 --batch-size 128 --epochs 5`: inputs standardised per feature with the training set's
mean/std, ReLU hidden layer, softmax cross-entropy, Adam (PyTorch defaults betas 0.9/0.999,
eps 1e-8), minibatches of 128 drawn from a fresh seeded permutation each epoch.

Run with Debian's interpreter (/usr/bin/python3), where python3-torch is installed.
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_args import positive_int  # noqa: E402  (sibling modules, found through the path set just above)
import torch_training  # noqa: E402


def parse_args(argv):
    p = torch_training.parser(__doc__.splitlines()[0], epochs=5, batch_size=128)
    p.add_argument("--hidden", type=positive_int, default=128)
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    torch_training.seeded(args)
    x_train, y_train, x_test, y_test = torch_training.load(args, (784,))
    model = torch.nn.Sequential(
        torch.nn.Linear(784, args.hidden), torch.nn.ReLU(), torch.nn.Linear(args.hidden, 10))
    trained = torch_training.train(model, x_train, y_train, args)
    print(json.dumps(torch_training.record(
        f"mlp-784-{args.hidden}-10-relu", args, x_train.shape[0], trained,
        train_accuracy=torch_training.accuracy(model, x_train, y_train),
        test_accuracy=torch_training.accuracy(model, x_test, y_test))))


if __name__ == "__main__":
    main(sys.argv[1:])
