#!/usr/bin/env python3
"""Writes the PyTorch reference values for Ringfold's layer tests (issue 17).

For every layer kind, a few fixed cases: inputs, parameters in Ringfold's layout, PyTorch's float32
output, and the gradients of sum(output * r) for a fixed random r with respect to the input and the
parameters. The files land in ringfold-core/src/test/resources/nn/fixtures/, one JSON file per layer
kind; README.md beside this script describes them field by field and the tolerance to compare with.

Run from the repository root with Debian's python3-torch:
    python3 ringfold-core/src/test/python/make_layer_fixtures.py
(where the python3 on PATH lacks torch, e.g. under pyenv: /usr/bin/python3 ...). The output is
deterministic: one thread, per-case seeds, fixed key order and number formatting; a second run on the
same machine writes the same bytes.

Every array is recomputed in float64 from the same float32 inputs, and a case whose float32 values are
not well inside the tolerance of the float64 ones is refused (so a correct float32 implementation can
meet every fixture). The conventions the tests pin (the first maximum in pooling ties, the exact erf
GELU, the biased batch variance, the derivative at the kink of relu and leakyrelu) are checked here
against independent computations, and their alternatives must be off by far more than the tolerance
(so a test comparing against these values can fail).
"""
import os
import sys

sys.dont_write_bytecode = True   # write nothing beside the script (no __pycache__)

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:
    sys.exit("make_layer_fixtures.py: %s (expected: Debian's python3-torch and python3-numpy; "
             "apt-get install python3-torch, then run with /usr/bin/python3)" % e)

from fixture_file import DISCRIMINATION, SELF_MARGIN, TOLERANCE, FixtureFile, Layer, scaled_error  # noqa: E402

OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "..", "resources", "nn", "fixtures"))

BN_MOMENTUM = 0.1   # torch.nn.BatchNorm*d defaults
BN_EPSILON = 1e-5
LN_EPSILON = 1e-5   # torch.nn.LayerNorm default


# ---------------------------------------------------------------------------------------------------
# Values

def normal(shape, scale=1.0, shift=0.0):
    return torch.randn(shape, dtype=torch.float32) * scale + shift


def small_integers(low, high):
    """Small integers as floats: pooling windows then hold ties."""
    return lambda shape: torch.randint(low, high + 1, shape).to(torch.float32)


def activation_input(extreme):
    """Normal values with exact zeros planted (where relu and leakyrelu have their kink) and a
    saturating value of each sign."""
    def make(shape):
        x = normal(shape, 2.0).reshape(-1)
        x[0] = 0.0
        x[x.numel() // 2] = 0.0
        x[1] = extreme
        x[2] = -extreme
        return x.reshape(shape)
    return make


def token_counts(max_count, empty_rows=()):
    """Token counts: about half the vocabulary absent from a row, the rest 1..max_count times."""
    def make(shape):
        c = torch.randint(1, max_count + 1, shape) * (torch.rand(shape) < 0.5)
        for row in empty_rows:
            c[row] = 0
        return c.to(torch.float32)
    return make


def token_lists(x):
    """Each row's token ids, each id repeated count times, ascending."""
    rows = []
    for row in x.reshape(x.shape[0], -1).tolist():
        rows.append([token for token, count in enumerate(row) for _ in range(int(count))])
    return rows


def shape_name(shape):
    return "x".join(map(str, shape))


# ---------------------------------------------------------------------------------------------------
# Layers (see fixture_file.Layer)

def no_params():
    return []


def dense(fan_in, units):
    def make():
        return [normal([fan_in, units], fan_in ** -0.5), normal([units], 0.5)]

    def forward(x, p):
        # Ringfold's [fanIn, fanOut] is Linear's weight transposed; F.linear on the transpose is what
        # torch.nn.Linear computes.
        return F.linear(x, p[0].t(), p[1])
    return Layer([("weight", [fan_in, units]), ("bias", [units])], make, forward, [units])


def conv2d(in_shape, filters, kernel, stride, padding):
    c, h, w = in_shape

    def make():
        return [normal([filters, c, kernel, kernel], (c * kernel * kernel) ** -0.5), normal([filters], 0.5)]

    def forward(x, p):
        return F.conv2d(x, p[0], p[1], stride=stride, padding=padding)
    out = [filters, (h + 2 * padding - kernel) // stride + 1, (w + 2 * padding - kernel) // stride + 1]
    return Layer([("weight", [filters, c, kernel, kernel]), ("bias", [filters])], make, forward, out)


def pool2d(in_shape, size, stride, pool):
    c, h, w = in_shape
    return Layer([], no_params, lambda x, p: pool(x, size, stride),
                 [c, (h - size) // stride + 1, (w - size) // stride + 1])


def elementwise(in_shape, fn):
    return Layer([], no_params, lambda x, p: fn(x), list(in_shape))


def batchnorm(in_shape, training):
    channels = in_shape[0]

    def make():
        return [normal([channels], 0.5, 1.0), normal([channels], 0.5)]

    def buffers():
        return {"running_mean": normal([channels], 0.5),
                "running_var": torch.rand([channels], dtype=torch.float32) * 2 + 0.5}

    def forward(x, p, b):
        mean, var = b["running_mean"], b["running_var"]   # updated in place when training
        out = F.batch_norm(x, mean, var, p[0], p[1], training=training, momentum=BN_MOMENTUM, eps=BN_EPSILON)
        return out, ({"running_mean_after": mean, "running_var_after": var} if training else {})
    return Layer([("gamma", [channels]), ("beta", [channels])], make, forward, list(in_shape), buffers)


def layernorm(in_shape):
    def make():
        return [normal(in_shape, 0.5, 1.0), normal(in_shape, 0.5)]

    def forward(x, p):
        return F.layer_norm(x, list(in_shape), p[0], p[1], eps=LN_EPSILON)
    return Layer([("gamma", list(in_shape)), ("beta", list(in_shape))], make, forward, list(in_shape))


def embeddingbag(vocab, dim, mode):
    def forward(x, p):
        ids, offsets = [], []
        for row in token_lists(x):
            offsets.append(len(ids))
            ids += row
        return F.embedding_bag(torch.tensor(ids, dtype=torch.long), p[0],
                               torch.tensor(offsets, dtype=torch.long), mode=mode)
    return Layer([("weight", [vocab, dim])], lambda: [normal([vocab, dim])], forward, [dim])


def residual(in_shape, block):
    """x + block(x); the block's parameters layer after layer, each in its own layout."""
    layers, shape = [], list(in_shape)
    for kind, args in block:
        if kind == "relu":
            layers.append(elementwise(shape, F.relu))
        elif kind == "dense":
            layers.append(dense(shape[0], *args))
        else:
            layers.append(conv2d(shape, *args))
        shape = layers[-1].output_shape
    if shape != list(in_shape):
        sys.exit("add block %s: output %s (expected: the input shape %s)" % (block, shape, in_shape))

    def make():
        return [p for layer in layers for p in layer.make_params()]

    def forward(x, p):
        y, at = x, 0
        for layer in layers:
            y = layer.forward(y, p[at:at + len(layer.layout)])
            at += len(layer.layout)
        return x + y
    layout = [("layers[%d].%s" % (i, n), s) for i, layer in enumerate(layers) for n, s in layer.layout]
    return Layer(layout, make, forward, list(in_shape))


# ---------------------------------------------------------------------------------------------------
# Convention checks: check(label, x, params, buffers, out, extra, grads, r), exiting with a message on
# failure

def pooled_gradient(x, r, size, stride, last):
    """Max pooling's input gradient with each window's r on its first (or last) maximum in row-major
    order, by np.argmax on the window; independent of torch."""
    xs, rs = x.numpy(), r.numpy().astype(np.float64)
    g = np.zeros(xs.shape, dtype=np.float64)
    n, c, oh, ow = rs.shape
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    window = xs[b, ch, i * stride:i * stride + size, j * stride:j * stride + size].reshape(-1)
                    k = len(window) - 1 - int(np.argmax(window[::-1])) if last else int(np.argmax(window))
                    g[b, ch, i * stride + k // size, j * stride + k % size] += rs[b, ch, i, j]
    return torch.from_numpy(g)


def first_maximum(size, stride, ties):
    def check(label, x, params, buffers, out, extra, grads, r):
        if scaled_error(grads[0], pooled_gradient(x, r, size, stride, False)) > TOLERANCE / SELF_MARGIN:
            sys.exit("%s: torch's gradient is not on the first maximum of each window" % label)
        last = pooled_gradient(x, r, size, stride, True)
        if ties and scaled_error(last, grads[0].double()) < DISCRIMINATION * TOLERANCE:
            sys.exit("%s: the ties do not tell the first maximum from the last" % label)
    return check


def biased_variance(label, x, params, buffers, out, extra, grads, r):
    """Training normalises with the biased batch variance and updates the running variance with the
    unbiased one (PyTorch's convention); each must be told apart from the other choice."""
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    xd = x.double()
    mean = xd.mean(dims, keepdim=True)
    errors = {}
    for unbiased in (False, True):
        var = xd.var(dims, unbiased=unbiased, keepdim=True)
        normalised = (xd - mean) / torch.sqrt(var + BN_EPSILON) * params[0].double().reshape(shape) \
            + params[1].double().reshape(shape)
        running = (1 - BN_MOMENTUM) * buffers["running_var"].double() + BN_MOMENTUM * var.reshape(-1)
        errors[unbiased] = (scaled_error(out, normalised), scaled_error(extra["running_var_after"], running))
    (biased_output, biased_running), (unbiased_output, unbiased_running) = errors[False], errors[True]
    if max(biased_output, unbiased_running) > TOLERANCE / SELF_MARGIN \
            or min(unbiased_output, biased_running) < DISCRIMINATION * TOLERANCE:
        sys.exit("%s: output against the biased variance %.3g, the unbiased %.3g; running variance against "
                 "the unbiased update %.3g, the biased %.3g (expected: the first of each pair <= %.3g, the "
                 "second >= %.3g)" % (label, biased_output, unbiased_output, unbiased_running, biased_running,
                                      TOLERANCE / SELF_MARGIN, DISCRIMINATION * TOLERANCE))


def exact_gelu(label, x, params, buffers, out, extra, grads, r):
    """GELU's tanh approximation must be told apart from the erf form."""
    xt = x.double().requires_grad_(True)
    approx = F.gelu(xt, approximate="tanh")
    (approx * r.double()).sum().backward()
    if max(scaled_error(approx.detach(), out.double()), scaled_error(xt.grad, grads[0].double())) \
            < DISCRIMINATION * TOLERANCE:
        sys.exit("%s: the values do not tell GELU's tanh approximation from the erf form" % label)


def kink(slope):
    """At x = 0 exactly, PyTorch's derivative is the negative side's (0 for relu, the slope for
    leakyrelu); that must be so, and the other side's derivative must be told apart."""
    def check(label, x, params, buffers, out, extra, grads, r):
        at_zero = x == 0
        if not at_zero.any() or not torch.equal(grads[0][at_zero], r[at_zero] * slope):
            sys.exit("%s: the derivative at 0 is not the negative side's, %s" % (label, slope))
        if scaled_error(torch.where(at_zero, r, grads[0]), grads[0]) < DISCRIMINATION * TOLERANCE:
            sys.exit("%s: the derivative at 0 is not told apart from the positive side's" % label)
    return check


# ---------------------------------------------------------------------------------------------------
# Cases

def dense_cases():
    fx = FixtureFile("dense")
    for fan_in, units, batch in [(7, 5, 1), (7, 5, 5), (13, 3, 5), (1, 1, 5), (17, 9, 3)]:
        fx.add("in%d_units%d_batch%d" % (fan_in, units, batch), "dense(%d)" % units, {"units": units},
               [fan_in], batch, normal, dense(fan_in, units))
    return fx


def conv2d_cases():
    fx = FixtureFile("conv2d")
    for shape, f, k, s, p, batch in [
            ([1, 8, 8], 3, 3, 1, 0, 1),
            ([1, 8, 8], 3, 3, 1, 0, 5),
            ([2, 7, 7], 4, 3, 2, 1, 5),   # stride and padding
            ([3, 6, 5], 2, 2, 1, 0, 5),   # H != W, even kernel
            ([2, 7, 7], 3, 4, 3, 1, 2),   # the stride leaves the last input row and column unread
            ([2, 5, 5], 3, 5, 1, 2, 5),   # 'same' padding, kernel 5
            ([3, 4, 4], 5, 1, 1, 0, 5),   # 1x1 kernel
            ([1, 5, 5], 2, 5, 1, 0, 5),   # kernel = input: 1x1 output
            ([1, 3, 3], 2, 3, 2, 2, 5)]:  # padding wider than half the kernel: corner windows mostly padding
        fx.add("in%s_f%d_k%d_s%d_p%d_batch%d" % (shape_name(shape), f, k, s, p, batch),
               "conv2d(%d,%d,%d,%d)" % (f, k, s, p), {"filters": f, "kernel": k, "stride": s, "padding": p},
               shape, batch, normal, conv2d(shape, f, k, s, p))
    return fx


def maxpool2d_cases():
    fx = FixtureFile("maxpool2d")
    for shape, size, stride, batch, values in [
            ([1, 6, 6], 2, 2, 1, "normal"),
            ([2, 6, 6], 2, 2, 5, "normal"),
            ([1, 7, 7], 3, 2, 5, "normal"),   # overlapping windows: gradients add up on a shared maximum
            ([2, 5, 5], 2, 2, 5, "normal"),   # the last row and column unread
            ([1, 4, 6], 2, 1, 5, "normal"),   # H != W, stride 1
            ([2, 6, 6], 2, 2, 5, "ties"),     # values in {0, 1, 2}: ties in most windows
            ([1, 5, 5], 3, 1, 5, "ties"),     # ties and overlapping windows
            ([1, 4, 4], 2, 2, 1, "equal")]:   # every value equal
        make = {"normal": normal, "ties": small_integers(0, 2), "equal": lambda s: torch.full(s, 1.5)}[values]
        suffix = {"normal": "", "ties": "_ties", "equal": "_all_equal"}[values]
        fx.add("in%s_size%d_stride%d_batch%d%s" % (shape_name(shape), size, stride, batch, suffix),
               "maxpool2d(%d,%d)" % (size, stride), {"size": size, "stride": stride}, shape, batch, make,
               pool2d(shape, size, stride, F.max_pool2d), check=first_maximum(size, stride, values != "normal"))
    return fx


def avgpool2d_cases():
    fx = FixtureFile("avgpool2d")
    for shape, size, stride, batch in [
            ([1, 6, 6], 2, 2, 1),
            ([2, 6, 6], 2, 2, 5),
            ([1, 7, 7], 3, 2, 5),   # overlapping windows
            ([2, 6, 6], 2, 3, 5),   # gaps between windows; the last row and column unread
            ([1, 4, 6], 3, 1, 5)]:  # H != W
        fx.add("in%s_size%d_stride%d_batch%d" % (shape_name(shape), size, stride, batch),
               "avgpool2d(%d,%d)" % (size, stride), {"size": size, "stride": stride}, shape, batch, normal,
               pool2d(shape, size, stride, F.avg_pool2d))
    return fx


def globalavgpool_cases():
    fx = FixtureFile("globalavgpool")
    for shape, batch in [([3, 4, 4], 1), ([3, 4, 4], 5), ([2, 5, 3], 5), ([4, 1, 1], 5)]:
        layer = Layer([], no_params, lambda x, p: F.adaptive_avg_pool2d(x, 1).reshape(x.shape[0], -1), [shape[0]])
        fx.add("in%s_batch%d" % (shape_name(shape), batch), "globalavgpool", {}, shape, batch,
               lambda s: normal(s, 1.0, 0.5), layer)
    return fx


def flatten_cases():
    fx = FixtureFile("flatten")
    for shape, batch in [([2, 3, 4], 5), ([1, 5, 3], 1)]:
        layer = Layer([], no_params, lambda x, p: x.reshape(x.shape[0], -1), [shape[0] * shape[1] * shape[2]])
        fx.add("in%s_batch%d" % (shape_name(shape), batch), "flatten", {}, shape, batch, normal, layer)
    return fx


def dropout_cases():
    fx = FixtureFile("dropout")
    for shape, rate, batch in [([2, 3, 3], 0.5, 5), ([7], 0.2, 1)]:
        fx.add("eval_in%s_rate%s_batch%d" % (shape_name(shape), rate, batch), "dropout(%s)" % rate,
               {"rate": rate}, shape, batch, normal,
               elementwise(shape, lambda x, rate=rate: F.dropout(x, rate, training=False)), mode="eval")
    return fx


def batchnorm_cases():
    fx = FixtureFile("batchnorm")
    # Batch 1 trains only on images (statistics over H x W). A vector batch takes 3 rows or more: with
    # 2 the input gradient is a difference of nearly equal terms, too ill-conditioned for float32.
    for mode, shape, batch in [("train", [7], 5), ("train", [4], 3), ("train", [3, 4, 4], 5),
                               ("train", [2, 3, 5], 1), ("eval", [7], 1), ("eval", [7], 5), ("eval", [3, 4, 4], 5)]:
        fx.add("%s_in%s_batch%d" % (mode, shape_name(shape), batch), "batchnorm",
               {"momentum": BN_MOMENTUM, "epsilon": BN_EPSILON}, shape, batch, lambda s: normal(s, 2.0, 1.0),
               batchnorm(shape, mode == "train"), mode=mode, check=biased_variance if mode == "train" else None)
    return fx


def layernorm_cases():
    fx = FixtureFile("layernorm")
    for shape, batch in [([7], 1), ([7], 5), ([2, 3, 3], 5), ([16], 3)]:
        fx.add("in%s_batch%d" % (shape_name(shape), batch), "layernorm", {"epsilon": LN_EPSILON}, shape, batch,
               lambda s: normal(s, 2.0, 1.0), layernorm(shape))
    return fx


def embeddingbag_cases():
    fx = FixtureFile("embeddingbag")
    for mode in ("sum", "mean"):
        for vocab, dim, batch, empty in [(11, 4, 1, ()), (11, 4, 5, ()), (7, 3, 4, (1,))]:
            fx.add("%s_vocab%d_dim%d_batch%d%s" % (mode, vocab, dim, batch, "_empty_row" if empty else ""),
                   "embeddingbag(%d,mode=%s)" % (dim, mode), {"dim": dim, "mode": mode}, [vocab], batch,
                   token_counts(3, empty), embeddingbag(vocab, dim, mode), differentiable_input=False,
                   input_fields=lambda x: {"input_tokens": token_lists(x)})
    return fx


ACTIVATIONS = [
    # (kind, spec, hyperparameters, function, extreme input, check)
    ("relu", "relu", {}, F.relu, 12.0, kink(0.0)),
    ("leakyrelu", "leakyrelu(0.01)", {"slope": 0.01}, lambda x: F.leaky_relu(x, 0.01), 12.0, kink(0.01)),
    ("leakyrelu", "leakyrelu(0.2)", {"slope": 0.2}, lambda x: F.leaky_relu(x, 0.2), 12.0, kink(0.2)),
    # Moderate inputs: a far tail would make the arrays' scale hide the tanh approximation.
    ("gelu", "gelu", {"approximation": "none"}, lambda x: F.gelu(x, approximate="none"), 4.0, exact_gelu),
    ("tanh", "tanh", {}, torch.tanh, 12.0, None),
    ("sigmoid", "sigmoid", {}, torch.sigmoid, 20.0, None),
]


def activation_cases():
    files = {}
    for kind, spec, hyper, fn, extreme, check in ACTIVATIONS:
        fx = files.setdefault(kind, FixtureFile(kind))
        for shape, batch in [([11], 1), ([2, 3, 3], 5)]:
            suffix = "_slope%s" % hyper["slope"] if "slope" in hyper else ""
            fx.add("in%s_batch%d%s" % (shape_name(shape), batch, suffix), spec, hyper, shape, batch,
                   activation_input(extreme), elementwise(shape, fn), check=check)
    return list(files.values())


def add_cases():
    fx = FixtureFile("add")
    dense_block = [("dense", (5,)), ("relu", ()), ("dense", (6,))]
    conv_block = [("conv2d", (3, 3, 1, 1)), ("relu", ()), ("conv2d", (2, 3, 1, 1))]
    for name, shape, block, batch in [("dense_block_batch1", [6], dense_block, 1),
                                      ("dense_block_batch5", [6], dense_block, 5),
                                      ("conv_block_batch2", [2, 4, 4], conv_block, 2)]:
        specs = [k if not a else "%s(%s)" % (k, ",".join(map(str, a))) for k, a in block]
        fx.add(name, "add(%s)" % ",".join(specs), {"block": specs}, shape, batch, normal, residual(shape, block))
    return fx


def main():
    torch.set_num_threads(1)   # one reduction order, whatever the machine's core count
    torch.use_deterministic_algorithms(True)
    files = [dense_cases(), conv2d_cases(), maxpool2d_cases(), avgpool2d_cases(), globalavgpool_cases(),
             flatten_cases(), dropout_cases(), batchnorm_cases(), layernorm_cases(), embeddingbag_cases()]
    files += activation_cases()
    files.append(add_cases())
    os.makedirs(OUT_DIR, exist_ok=True)
    total = 0
    for fx in files:
        size = fx.write(OUT_DIR)
        total += size
        print("%-14s %2d cases %7d bytes; float32 against float64: <= %.2g of the array's largest value"
              % (fx.kind, len(fx.cases), size, fx.worst_error))
    print("%d files, %d bytes in %s (torch %s)" % (len(files), total, OUT_DIR, torch.__version__))


if __name__ == "__main__":
    main()
