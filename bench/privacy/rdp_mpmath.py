#!/usr/bin/env python3
"""Reference RDP of one step of the Poisson-subsampled Gaussian mechanism for SampledGaussianRdpTest, from the
definition (Mironov, Talwar and Zhang 2019, eq. for A_alpha) integrated by mpmath at 40 digits, with no series:

    RDP(alpha) = log E_{z ~ N(0, s^2)}[((1 - q) + q exp((2z - 1) / (2 s^2)))^alpha] / (alpha - 1)

Needs mpmath only (python3 bench/privacy/rdp_mpmath.py; about 30 s). Prints q, sigma, alpha, RDP.
"""
import mpmath as mp

mp.mp.dps = 40

# The fractional series' hardest corner (alpha near 1, sigma 0.5, large q), integer and large orders, small q.
POINTS = [(0.2, 0.5, 1.3), (0.2, 0.5, 1.1), (0.02048, 0.5, 1.7), (0.5, 0.5, 1.2), (0.004267, 1.1, 8.1),
          (0.2, 5, 10.1), (0.000256, 2.0, 63), (0.5, 3.0, 4.4), (0.5, 0.5, 63)]


def rdp(q, sigma, alpha):
    q, s, a = mp.mpf(q), mp.mpf(sigma), mp.mpf(alpha)

    def integrand(z):
        return mp.npdf(z, 0, s) * ((1 - q) + q * mp.exp((2 * z - 1) / (2 * s * s))) ** a

    # The integrand has a mode near 0 and, for large alpha, one near z = alpha: split there.
    points = sorted({-mp.inf, -10 * s, mp.mpf(0), mp.mpf(0.5), a / 2, a, a + 10 * s, 2 * a + 20 * s, mp.inf})
    return mp.log(mp.quad(integrand, points)) / (a - 1)


for q, sigma, alpha in POINTS:
    print(f"{q}, {sigma}, {alpha}, {float(rdp(q, sigma, alpha))!r}")
