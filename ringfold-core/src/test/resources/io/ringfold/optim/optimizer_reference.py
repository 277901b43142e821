#!/usr/bin/env python3
"""Independent float32 reference for OptimizerExactValuesTest.

Implements each update with numpy float32 scalars in the order PyTorch's single-tensor
implementations use (torch/optim/sgd.py, torch/optim/adam.py), from fixed weights and a
fixed gradient sequence, and prints the parameters after each step as float32 bit patterns.
Run: python3 optimizer_reference.py
"""
import math
import numpy as np

f = np.float32
W0 = [f(0.5), f(-1.25), f(2.0), f(0.0)]
GRADS = [[f(0.1), f(-0.2), f(0.3), f(-0.4)],
         [f(-0.05), f(0.15), f(0.25), f(1.0)],
         [f(0.2), f(0.2), f(-0.1), f(0.0)]]
LR = f(0.1)


def bits(ws):
    return ", ".join("0x%08x" % np.array(w, dtype=np.float32).view(np.uint32) for w in ws)


def sgd():
    w = list(W0)
    for g in GRADS:
        w = [wi - LR * gi for wi, gi in zip(w, g)]
    return w


def momentum(nesterov):
    mu = f(0.9)
    w = list(W0)
    v = [f(0)] * 4
    for g in GRADS:
        v = [mu * vi + gi for vi, gi in zip(v, g)]
        if nesterov:
            w = [wi - LR * (gi + mu * vi) for wi, gi, vi in zip(w, g, v)]
        else:
            w = [wi - LR * vi for wi, vi in zip(w, v)]
    return w


def adam():
    b1, b2, eps = f(0.9), f(0.999), f(1e-8)
    w = list(W0)
    m = [f(0)] * 4
    v = [f(0)] * 4
    for t, g in enumerate(GRADS, start=1):
        bc1 = 1.0 - math.pow(float(b1), t)
        bc2 = 1.0 - math.pow(float(b2), t)
        step = f(float(LR) / bc1)
        inv = f(1.0 / math.sqrt(bc2))
        m = [b1 * mi + (f(1) - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (f(1) - b2) * gi * gi for vi, gi in zip(v, g)]
        w = [wi - step * mi / (np.sqrt(vi) * inv + eps) for wi, mi, vi in zip(w, m, v)]
    return w


print("sgd      ", bits(sgd()))
print("momentum ", bits(momentum(False)))
print("nesterov ", bits(momentum(True)))
print("adam     ", bits(adam()))
