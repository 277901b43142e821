"""Fashion-MNIST loading and preprocessing shared by the peer programs.

Reads the IDX files straight from the gzip archives (format: big-endian magic, dimension sizes,
then unsigned bytes; see http://yann.lecun.com/exdb/mnist/) so that no peer library's own data
loader, cache or download path is involved in what we time or in what we feed the models.
"""

import gzip
import os
import struct

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"

# IDX magic numbers: 0x0000 then type 0x08 (unsigned byte) then the number of dimensions.
_MAGIC_IMAGES = 0x00000803
_MAGIC_LABELS = 0x00000801


def _read_idx(path, expected_magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    if magic != expected_magic:
        raise ValueError(f"{path}: IDX magic 0x{magic:08x} (expected: 0x{expected_magic:08x})")
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {body.size} bytes of data (expected: {int(np.prod(dims))} for dims {dims})")
    return body.reshape(dims)


def load(data_dir=DEFAULT_DIR):
    """Returns (x_train, y_train, x_test, y_test): uint8 images flattened to 784 columns, int64 labels."""
    def part(name, magic):
        path = os.path.join(data_dir, name)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"Fashion-MNIST file: {path} not found (expected: Debian package dataset-fashion-mnist)")
        return _read_idx(path, magic)

    x_train = part("train-images-idx3-ubyte.gz", _MAGIC_IMAGES).reshape(-1, 784)
    y_train = part("train-labels-idx1-ubyte.gz", _MAGIC_LABELS).astype(np.int64)
    x_test = part("t10k-images-idx3-ubyte.gz", _MAGIC_IMAGES).reshape(-1, 784)
    y_test = part("t10k-labels-idx1-ubyte.gz", _MAGIC_LABELS).astype(np.int64)
    if x_train.shape[0] != y_train.shape[0] or x_test.shape[0] != y_test.shape[0]:
        raise ValueError(f"image/label counts differ: train {x_train.shape[0]}/{y_train.shape[0]}, "
                         f"test {x_test.shape[0]}/{y_test.shape[0]}")
    return x_train, y_train, x_test, y_test


def standardise(x_train, x_test):
    """Per-feature z-scores with the training set's mean and population std, as float32.

    This matches Ringfold's preprocessing. Pixels that are constant over the training set (std 0)
    are only centred: dividing by zero would turn them into NaN, and they carry no signal anyway.
    """
    train = x_train.astype(np.float64)
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std[std == 0.0] = 1.0

    def scale(x):
        return ((x.astype(np.float64) - mean) / std).astype(np.float32)

    return scale(x_train), scale(x_test)
