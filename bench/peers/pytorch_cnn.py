#!/usr/bin/env python3
"""PyTorch peer: the LeNet-style CNN of issue 17 on Fashion-MNIST, timed per epoch, one JSON line on stdout.

Same task as `ringfold train --data fashion-mnist --layers 'conv2d(20,5),relu,maxpool2d(2),conv2d(50,5),
relu,maxpool2d(2),flatten,dense(500),relu' --optimizer adam --lr 0.001 --batch-size 64 --epochs 2`:
[1, 28, 28] images standardised per pixel with the training set's mean/std, two 5x5 convolutions
(20 and 50 filters, no padding) each followed by ReLU and 2x2 max pooling, a dense layer of 500 with
ReLU, 10 outputs with softmax cross-entropy; Adam (PyTorch defaults betas 0.9/0.999, eps 1e-8),
minibatches of 64 drawn from a fresh seeded permutation each epoch. Convolutions run through oneDNN
where PyTorch was built with it (Debian's is); the record says so.

Run with Debian's interpreter (/usr/bin/python3), where python3-torch is installed.
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_training  # noqa: E402  (sibling module, found through the path set just above)

MODEL = "lenet-conv20x5-conv50x5-dense500"


def lenet():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 20, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),   # 20x24x24 -> 20x12x12
        torch.nn.Conv2d(20, 50, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),  # 50x8x8 -> 50x4x4
        torch.nn.Flatten(), torch.nn.Linear(50 * 4 * 4, 500), torch.nn.ReLU(), torch.nn.Linear(500, 10))


def main(argv):
    args = torch_training.parser(__doc__.splitlines()[0], epochs=2, batch_size=64).parse_args(argv)
    torch_training.seeded(args)
    x_train, y_train, x_test, y_test = torch_training.load(args, (1, 28, 28))
    model = lenet()
    trained = torch_training.train(model, x_train, y_train, args)
    # Training accuracy is left out: it costs a third of an epoch here, and no comparison uses it.
    print(json.dumps(torch_training.record(MODEL, args, x_train.shape[0], trained,
                                           test_accuracy=torch_training.accuracy(model, x_test, y_test))))


if __name__ == "__main__":
    main(sys.argv[1:])
