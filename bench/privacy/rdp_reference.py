#!/usr/bin/env python3
"""Reference ε for RdpAccountantTest, from two computations of the Rényi DP of the Poisson-subsampled Gaussian
mechanism, both with the Balle et al. (2020) RDP-to-(ε, δ) conversion minimised over dp_accounting's default orders
(1.1 to 10.9 by 0.1, 11 to 63, 128, 256, 512, 1024), the list RdpAccountant uses:

1. Opacus' series (Mironov, Talwar and Zhang 2019, §3.3): github.com/pytorch/opacus,
   opacus/accountants/analysis/rdp.py at commit 4d0ebc84613d214fbfd37fbfd1390e3747a625ce (2025-09-16),
   Apache License 2.0, (c) Meta Platforms, Inc. and affiliates. Needs numpy and scipy only.
2. This script's own quadrature of the definition, independent of any series:
   RDP(α) = log E_{z ~ N(0, σ²)}[((1 - q) + q exp((2z - 1) / 2σ²))^α] / (α - 1), by composite 16-point
   Gauss-Legendre on [-40σ - 1, α + 40σ + 1] in steps of σ/4, in log space (checked against mpmath at 40
   digits to 1e-11 on the table's extremes), and its own conversion.

Optionally also (3) Google's dp_accounting (github.com/google/differential-privacy, python/dp_accounting at commit
b5b0286e313b64a692abfc8c528d54ef47d960a0, Apache License 2.0, (c) Google LLC), printed as a last column but not in
the test: its fractional-order series adds the terms' magnitudes (an upper bound) and drops orders whose series
does not converge in 1000 terms, so for large q and small σ it reports a larger ε than the exact value (see
docs/privacy.md). Needs attrs too; absl's logging is replaced by Python's when absl is missing, and the package's
__init__ (which pulls in the PLD accountant) is not run.

No file of either project is copied here. Point the script at checkouts:

    git clone https://github.com/pytorch/opacus /tmp/opacus
    git -C /tmp/opacus checkout 4d0ebc84613d214fbfd37fbfd1390e3747a625ce
    python3 bench/privacy/rdp_reference.py /tmp/opacus/opacus/accountants/analysis/rdp.py
    # optionally, with dp_accounting:
    git clone https://github.com/google/differential-privacy /tmp/dp
    git -C /tmp/dp checkout b5b0286e313b64a692abfc8c528d54ef47d960a0
    python3 bench/privacy/rdp_reference.py /tmp/opacus/opacus/accountants/analysis/rdp.py /tmp/dp/python/dp_accounting

It prints the rows of the @CsvSource table in ringfold-core/src/test/java/io/ringfold/privacy/RdpAccountantTest.java:
N, B, sigma, epochs, delta, epsilon (Opacus), order (Opacus), epsilon (quadrature) [, epsilon (dp_accounting)].
A run of E epochs takes E * ceil(N / B) steps at sampling rate q = B / N, as `ringfold privacy` counts them.
"""
import importlib
import importlib.util
import logging
import math
import os
import sys
import types
import warnings

import numpy as np

# dp_accounting's DEFAULT_RDP_ORDERS, as RdpAccountant uses; Opacus' functions take any list of orders.
ORDERS = [1 + x / 10.0 for x in range(1, 100)] + list(range(11, 64)) + [128, 256, 512, 1024]

# (N, B): q from 2.6e-4 to 1.
SIZES = [(1_000_000, 256), (60_000, 64), (60_000, 256), (50_000, 1024), (10_000, 2000), (1_000, 500), (1_000, 1000)]
SIGMAS = [0.5, 0.8, 1.1, 2.0, 3.0, 5.0]
EPOCHS = [1, 5, 15, 30, 60, 100]
DELTAS = [1e-5, 1e-6]


GL_NODES, GL_WEIGHTS = np.polynomial.legendre.leggauss(16)


def rdp_quadrature(q, sigma, alpha):
    """RDP of one step at order alpha, by quadrature of E_{mu0}[(mu / mu0)^alpha] in log space."""
    lo, hi = -40 * sigma - 1, alpha + 40 * sigma + 1
    segments = int(math.ceil((hi - lo) / (sigma / 4)))
    edges = np.linspace(lo, hi, segments + 1)
    mid, half = (edges[:-1] + edges[1:]) / 2, (edges[1:] - edges[:-1]) / 2
    z = (mid[:, None] + half[:, None] * GL_NODES[None, :]).ravel()
    w = (half[:, None] * GL_WEIGHTS[None, :]).ravel()
    log_ratio = np.logaddexp(math.log1p(-q) if q < 1 else -np.inf, math.log(q) + (2 * z - 1) / (2 * sigma ** 2))
    g = -z ** 2 / (2 * sigma ** 2) - math.log(sigma * math.sqrt(2 * math.pi)) + alpha * log_ratio
    top = g.max()
    return (top + math.log(np.sum(w * np.exp(g - top)))) / (alpha - 1)


def epsilon_quadrature(q, sigma, steps, delta):
    best = math.inf
    for a in ORDERS:
        eps = steps * rdp_quadrature(q, sigma, a) + math.log((a - 1) / a) - (math.log(delta) + math.log(a)) / (a - 1)
        best = min(best, eps)
    return best


def load_opacus(path):
    spec = importlib.util.spec_from_file_location("opacus_rdp", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_dp_accounting(python_dir):
    try:
        importlib.import_module("absl.logging")
    except ImportError:
        absl = types.ModuleType("absl")
        absl.logging = logging
        sys.modules["absl"] = absl
        sys.modules["absl.logging"] = logging
    package = types.ModuleType("dp_accounting")
    package.__path__ = [os.path.join(python_dir, "dp_accounting")]
    sys.modules["dp_accounting"] = package
    dp_event = importlib.import_module("dp_accounting.dp_event")
    package.dp_event = dp_event
    package.privacy_accountant = importlib.import_module("dp_accounting.privacy_accountant")
    return dp_event, importlib.import_module("dp_accounting.rdp.rdp_privacy_accountant")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: rdp_reference.py PATH/TO/opacus/accountants/analysis/rdp.py"
                 " [PATH/TO/differential-privacy/python/dp_accounting]")
    opacus = load_opacus(sys.argv[1])
    dp_accounting = load_dp_accounting(sys.argv[2]) if len(sys.argv) == 3 else None
    warnings.simplefilter("ignore")  # "optimal order is the smallest/largest alpha": expected at the extremes
    k = 0
    for n, b in SIZES:
        for s_index, sigma in enumerate(SIGMAS):
            # Each (N, B) meets every sigma once, with epochs and delta rotating so that all values appear
            # across sizes without a full product.
            epochs = EPOCHS[(s_index + k) % len(EPOCHS)]
            delta = DELTAS[(s_index + k) % len(DELTAS)]
            q = b / n
            steps = epochs * math.ceil(n / b)
            r = opacus.compute_rdp(q=q, noise_multiplier=sigma, steps=steps, orders=ORDERS)
            eps, order = opacus.get_privacy_spent(orders=ORDERS, rdp=r, delta=delta)
            row = (f"{n:>9}, {b:>5}, {sigma}, {epochs:>3}, {delta:g}, {float(eps):.10g}, {float(order):g},"
                   f" {epsilon_quadrature(q, sigma, steps, delta):.10g}")
            if dp_accounting:
                dp_event, dpa = dp_accounting
                accountant = dpa.RdpAccountant(orders=ORDERS)
                accountant.compose(dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma)), steps)
                row += f", {float(accountant.get_epsilon_and_optimal_order(delta)[0]):.10g}"
            print(row)
        k += 1


if __name__ == "__main__":
    main()
