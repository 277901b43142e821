"""One fixture file: the cases of one layer kind, computed, checked and written as JSON.

Used by make_layer_fixtures.py; README.md beside it describes the format field by field.
"""
import collections
import json
import os
import sys
import zlib

import numpy as np
import torch

FORMAT = "ringfold-layer-fixtures"
FORMAT_VERSION = 1
GENERATOR = "ringfold-core/src/test/python/make_layer_fixtures.py"

# An element passes when |actual - expected| <= TOLERANCE * max|expected| over its array, where each
# parameter's slice of grad_params is an array of its own (README.md derives the value). PyTorch's
# float32 values must lie within TOLERANCE / SELF_MARGIN of the float64 recomputation, which leaves
# most of the budget to the Java side's own rounding; the alternative a convention check rules out
# must be off by DISCRIMINATION times the tolerance.
TOLERANCE = 1e-5
TOLERANCE_RULE = ("|actual - expected| <= tolerance * max|expected| over the array; each parameter's slice "
                  "of grad_params (param_layout) is an array of its own")
SELF_MARGIN = 10
DISCRIMINATION = 10

# A layer as PyTorch computes it, on parameters already in Ringfold's layout (so that autograd returns
# their gradients in that layout too). layout: [(name, shape)] in order; make_params() draws them;
# forward(x, params) returns the output (forward(x, params, buffers) returns (output, {name: tensor})
# when make_buffers is given); it must work in float32 and float64 alike.
Layer = collections.namedtuple("Layer", "layout make_params forward output_shape make_buffers",
                               defaults=(None,))


class FixtureFile:
    """The cases of one layer kind; each is checked against its float64 recomputation when added."""

    def __init__(self, kind):
        self.kind = kind
        self.cases = []
        self.worst_error = 0.0

    def add(self, name, spec, hyperparameters, input_shape, batch_size, make_input, layer, mode=None,
            differentiable_input=True, input_fields=None, check=None):
        """Draws the case's values (input, parameters, buffers, then r, under the case's own seed),
        runs it, checks it and keeps it. check(label, x, params, buffers, out, extra, grads, r) may exit
        with a message."""
        label = "%s/%s" % (self.kind, name)
        seed = zlib.crc32(label.encode("utf-8"))
        torch.manual_seed(seed)
        x = make_input([batch_size] + list(input_shape))
        params = layer.make_params()
        buffers = layer.make_buffers() if layer.make_buffers else {}
        expect_shapes(label, "params", [list(p.shape) for p in params], [list(s) for _, s in layer.layout])

        out, grads, extra, r = run(layer, x, params, buffers, torch.float32, differentiable_input, None)
        out64, grads64, extra64, _ = run(layer, x, params, buffers, torch.float64, differentiable_input, r)
        expect_shapes(label, "output", list(out.shape), [batch_size] + list(layer.output_shape))

        case = {"name": name, "seed": seed, "spec": spec, "hyperparameters": hyperparameters}
        if mode:
            case["mode"] = mode
        case.update(batch_size=batch_size, input_shape=list(input_shape), output_shape=list(layer.output_shape),
                    param_layout=[{"name": n, "shape": list(s)} for n, s in layer.layout], input=flat(x))
        if input_fields:
            case.update(input_fields(x))
        case["params"] = flat(*params)
        case.update({k: flat(v) for k, v in buffers.items()})
        case["output"] = flat(out)
        case.update({k: flat(v) for k, v in extra.items()})
        case["r"] = flat(r)
        if differentiable_input:
            case["grad_input"] = flat(grads[0])
        case["grad_params"] = flat(*grads[1:])

        pairs = [("output", out, out64)] + [(k, extra[k], extra64[k]) for k in extra]
        if differentiable_input:
            pairs.append(("grad_input", grads[0], grads64[0]))
        pairs += [("grad of " + n, g, g64) for (n, _), g, g64 in zip(layer.layout, grads[1:], grads64[1:])]
        for what, a32, a64 in pairs:
            error = scaled_error(a32, a64)
            if error > TOLERANCE / SELF_MARGIN:
                sys.exit("%s %s: float32 error %.3g of the array's largest value against float64 (expected: "
                         "<= %.3g); the case is too ill-conditioned for the tolerance"
                         % (label, what, error, TOLERANCE / SELF_MARGIN))
            self.worst_error = max(self.worst_error, error)
        if check:
            check(label, x, params, buffers, out, extra, grads, r)
        self.cases.append(case)

    def text(self):
        """The file's JSON: one line per field, float32 values in their shortest round-trip decimals."""
        header = [("format", FORMAT), ("version", FORMAT_VERSION), ("kind", self.kind), ("generator", GENERATOR),
                  ("torch", torch.__version__), ("dtype", "float32"), ("loss", "sum(output * r)"),
                  ("tolerance", TOLERANCE), ("tolerance_rule", TOLERANCE_RULE),
                  ("seeds", "each case: torch.manual_seed(zlib.crc32(kind + '/' + name)), then input, params, "
                            "buffers and r drawn in that order")]
        lines = ["{"] + ["  %s: %s," % (json.dumps(k), field_text(v)) for k, v in header] + ['  "cases": [']
        for i, case in enumerate(self.cases):
            fields = ["    %s: %s" % (json.dumps(k), field_text(v)) for k, v in case.items()]
            lines.append("   {\n" + ",\n".join(fields) + "\n   }" + ("," if i + 1 < len(self.cases) else ""))
        return "\n".join(lines + ["  ]", "}"]) + "\n"

    def write(self, directory):
        """Writes KIND.json after checking that it reads back bit for bit; returns its size."""
        text = self.text()
        parsed = json.loads(text)
        for case, original in zip(parsed["cases"], self.cases):
            for key, value in original.items():
                read = np.asarray(case[key], dtype=np.float64).astype(np.float32) \
                    if isinstance(value, np.ndarray) else None
                if read is not None and read.tobytes() != value.tobytes():
                    sys.exit("%s/%s %s: does not read back bit for bit" % (self.kind, case["name"], key))
        with open(os.path.join(directory, self.kind + ".json"), "w", encoding="ascii", newline="\n") as f:
            f.write(text)
        return len(text)


def run(layer, x, params, buffers, dtype, differentiable_input, r):
    """The forward pass, then the backward pass of sum(out * r). r is drawn here, after everything
    else, on the float32 run, and reused for the float64 one."""
    # Fresh leaves for each run, so that the float64 run starts from exactly the float32 values.
    xi = x.detach().to(dtype, copy=True).requires_grad_(differentiable_input)
    ps = [p.detach().to(dtype, copy=True).requires_grad_(True) for p in params]
    if layer.make_buffers:
        out, extra = layer.forward(xi, ps, {k: v.to(dtype, copy=True) for k, v in buffers.items()})
    else:
        out, extra = layer.forward(xi, ps), {}
    if r is None:
        r = torch.randn(out.shape, dtype=torch.float32)
    (out * r.to(dtype)).sum().backward()
    grads = [xi.grad if differentiable_input else None] + [p.grad for p in ps]
    return out.detach(), grads, {k: v.detach() for k, v in extra.items()}, r


def scaled_error(actual, reference):
    """max|actual - reference| / max|reference|: the quantity the tolerance bounds."""
    reference = reference.double()
    scale = reference.abs().max().item()
    diff = (actual.double() - reference).abs().max().item()
    if scale == 0.0:
        return 0.0 if diff == 0.0 else float("inf")
    return diff / scale


def expect_shapes(label, what, actual, expected):
    if actual != expected:
        sys.exit("%s: %s shape %s (expected: %s)" % (label, what, actual, expected))


def flat(*tensors):
    """The tensors' values one after another, row-major, as float32."""
    return np.concatenate([np.zeros(0, dtype=np.float32)]
                          + [t.detach().to(torch.float32).reshape(-1).numpy() for t in tensors])


def float32_text(v):
    """The shortest decimal that reads back as this float32, whether parsed straight to float
    (Float.parseFloat) or to double and then rounded to float (Jackson's floatValue())."""
    v = np.float32(v)
    if v == 0 or 1e-4 <= abs(v) < 1e7:
        text = np.format_float_positional(v, unique=True, trim="0")
    else:
        text = np.format_float_scientific(v, unique=True, trim="0")
    if np.float32(float(text)).tobytes() != v.tobytes():
        text = repr(float(v))   # the double's digits: exactly v, so both paths give v
    return text


def field_text(value):
    if isinstance(value, np.ndarray):
        return "[" + ",".join(float32_text(v) for v in value) + "]"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)
