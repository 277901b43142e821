"""The training loop, evaluation and JSON record shared by the PyTorch peers (pytorch_mlp.py, pytorch_cnn.py).

Both train on Fashion-MNIST as Ringfold does: inputs standardised per feature with the training set's
mean/std, softmax cross-entropy, Adam (PyTorch's defaults: betas 0.9/0.999, eps 1e-8), minibatches
drawn from a fresh seeded permutation each epoch. Only the epoch loops are timed.
"""

import argparse
import os
import platform
import time
from typing import NamedTuple

import torch

from peer_args import positive_float, positive_int
import fashion_mnist

# Rows per forward pass when measuring accuracy: the CNN's first layer on all 60,000 images at once
# would need 2.8 GB of activations.
EVAL_CHUNK = 2000


def non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} (expected: >= 0)")
    return value


def parser(description, epochs, batch_size):
    """The options every PyTorch peer takes, with this peer's defaults for epochs and batch size."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", type=positive_int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--epochs", type=positive_int, default=epochs)
    p.add_argument("--batch-size", type=positive_int, default=batch_size)
    p.add_argument("--lr", type=positive_float, default=1e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--limit-batches", type=non_negative_int, default=0,
                   help="train only this many minibatches per epoch, for a short check (default 0: all)")
    p.add_argument("--data-dir", default=fashion_mnist.DEFAULT_DIR)
    return p


def load(args, example_shape):
    """Standardised Fashion-MNIST as tensors, each example reshaped to example_shape (e.g. (784,) or (1, 28, 28))."""
    x_train, y_train, x_test, y_test = fashion_mnist.load(args.data_dir)
    x_train, x_test = fashion_mnist.standardise(x_train, x_test)
    return (torch.from_numpy(x_train).reshape(-1, *example_shape), torch.from_numpy(y_train),
            torch.from_numpy(x_test).reshape(-1, *example_shape), torch.from_numpy(y_test))


def seeded(args):
    """Sets the thread count and the seed of weight initialisation; call before building the model."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # weight init; the batch order has its own generator (train)


class Trained(NamedTuple):
    """What train measured."""
    epoch_seconds: list
    epoch_cpu_seconds: list
    batches: int  # minibatches trained per epoch
    full_batches: int  # minibatches in a whole epoch
    final_loss: float


def train(model, x_train, y_train, args):
    """Trains the model in place and returns its timings."""
    n = x_train.shape[0]
    full_batches = (n + args.batch_size - 1) // args.batch_size
    batches = min(args.limit_batches, full_batches) if args.limit_batches else full_batches
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(args.seed)

    epoch_seconds, epoch_cpu_seconds = [], []
    loss = None
    for _ in range(args.epochs):
        model.train()
        start, start_cpu = time.perf_counter(), time.process_time()
        # The shuffle is part of the epoch: Ringfold shuffles inside its timed loop too.
        perm = torch.randperm(n, generator=order)
        for b in range(batches):
            idx = perm[b * args.batch_size:(b + 1) * args.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)
        epoch_cpu_seconds.append(time.process_time() - start_cpu)
    model.eval()
    return Trained(epoch_seconds, epoch_cpu_seconds, batches, full_batches, loss.item())


def accuracy(model, x, y):
    with torch.no_grad():
        hits = sum((model(x[i:i + EVAL_CHUNK]).argmax(dim=1) == y[i:i + EVAL_CHUNK]).sum().item()
                   for i in range(0, x.shape[0], EVAL_CHUNK))
    return hits / x.shape[0]


def record(model_name, args, n, trained, **accuracies):
    """The peer's JSON record: configuration, timings (trained is train's result) and the given accuracies."""
    epoch_seconds, epoch_cpu_seconds, batches, full_batches, final_loss = trained
    train_seconds = sum(epoch_seconds)
    per_batch = train_seconds / (batches * args.epochs)
    r = {
        "peer": "pytorch",
        "model": model_name,
        "torch_version": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        # With 2 threads on a busy 2-core machine, OpenMP's default spin-waiting costs 10-30x; the
        # drivers set PASSIVE. Recorded because it changes the timing that much.
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "unset"),
        "mkldnn": torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "seed": args.seed,
        "preprocessing": "standardised per feature (training mean/std)",
        "batches_per_epoch": batches,
        "full_epoch_batches": full_batches,
        "epoch_seconds": [round(s, 4) for s in epoch_seconds],
        # CPU time of all the process's threads: on a shared machine, what the epoch cost apart from
        # waiting for a core (1 thread: about the wall time a quiet machine would give).
        "epoch_cpu_seconds": [round(s, 4) for s in epoch_cpu_seconds],
        "train_seconds": round(train_seconds, 4),
        "seconds_per_epoch": round(train_seconds / args.epochs, 4),
        "seconds_per_batch": round(per_batch, 6),
    }
    if batches < full_batches:
        # A shortened run: what a whole epoch would take at this run's rate (first-batch costs included).
        r["projected_seconds_per_epoch"] = round(per_batch * full_batches, 2)
    r["samples_per_second"] = round(min(n, batches * args.batch_size) * args.epochs / train_seconds, 1)
    r["final_loss"] = round(final_loss, 5)
    r.update((name, round(value, 5)) for name, value in accuracies.items())
    return r
