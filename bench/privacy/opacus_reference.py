#!/usr/bin/env python3
"""Reference ε for RdpAccountantTest, from Opacus' RDP analysis (an independent implementation of the same
Rényi DP of the Poisson-subsampled Gaussian mechanism and the same RDP-to-(ε, δ) conversion).

Source: github.com/pytorch/opacus, file opacus/accountants/analysis/rdp.py at commit
4d0ebc84613d214fbfd37fbfd1390e3747a625ce (2025-09-16), Apache License 2.0, (c) Meta Platforms, Inc. and
affiliates. The file is not copied here; point this script at a checkout of it:

    git clone https://github.com/pytorch/opacus /tmp/opacus
    git -C /tmp/opacus checkout 4d0ebc84613d214fbfd37fbfd1390e3747a625ce
    python3 bench/privacy/opacus_reference.py /tmp/opacus/opacus/accountants/analysis/rdp.py

It needs only numpy and scipy (the analysis file imports nothing else from Opacus). It prints the rows of the
@CsvSource table in ringfold-core/src/test/java/io/ringfold/privacy/RdpAccountantTest.java:
N, B, sigma, epochs, delta, epsilon, order. The orders are Opacus' RDPAccountant.DEFAULT_ALPHAS, and a run of
E epochs takes E * ceil(N / B) steps at sampling rate q = B / N, as `ringfold privacy` counts them.
"""
import importlib.util
import math
import sys
import warnings

ORDERS = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64))  # RDPAccountant.DEFAULT_ALPHAS

# (N, B): q from 2.6e-4 to 1.
SIZES = [(1_000_000, 256), (60_000, 64), (60_000, 256), (50_000, 1024), (10_000, 2000), (1_000, 500), (1_000, 1000)]
SIGMAS = [0.5, 0.8, 1.1, 2.0, 3.0, 5.0]
EPOCHS = [1, 5, 15, 30, 60, 100]
DELTAS = [1e-5, 1e-6]


def load(path):
    spec = importlib.util.spec_from_file_location("opacus_rdp", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: opacus_reference.py PATH/TO/opacus/accountants/analysis/rdp.py")
    rdp = load(sys.argv[1])
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
            r = rdp.compute_rdp(q=q, noise_multiplier=sigma, steps=steps, orders=ORDERS)
            eps, order = rdp.get_privacy_spent(orders=ORDERS, rdp=r, delta=delta)
            print(f"{n:>9}, {b:>5}, {sigma}, {epochs:>3}, {delta:g}, {float(eps):.10g}, {float(order):g}")
        k += 1


if __name__ == "__main__":
    main()
