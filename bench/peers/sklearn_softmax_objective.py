#!/usr/bin/env python3
"""scikit-learn peer: multinomial logistic regression on Fashion-MNIST with L-BFGS to convergence, its final
training objective in Ringfold's form and the time, one JSON line on stdout (issue 18, Performance).

Same task as `ringfold train --data fashion-mnist --model softmax --solver lbfgs`: every pixel standardised
with the training mean and population standard deviation (constant pixels only centred), softmax
cross-entropy over 10 classes, L2 penalty C = 1. The objective is reported as Ringfold minimises it,

  objective = mean over the 60,000 training rows of (logsumexp(z) - z_y) + (l2 / 2) ||W||^2,  l2 = 1 / (C n),

intercepts unpenalised: scikit-learn's own objective (summed loss + ||W||^2 / 2C) divided by C n, which is
`sklearn_objective_over_cn` (from the optimiser's final value), and `objective` recomputed from coef_ here.

scikit-learn 1.2 hands its loss to scipy's L-BFGS-B with gtol = tol on the summed gradient, so with 60,000
rows its default tol 1e-4 is far below reach and the fit ends on scipy's relative objective decrease
(ftol 2.2e-9) or on --max-iter: `stop` says which. --trace records each iteration's time (through the
callback of that same scipy call) and reports, for each gap in --gaps, the seconds and iterations scikit-learn took to come within that gap of its final objective: the
time scikit-learn needs to reach "its objective within 1e-4". The objective after each iteration is the
value scipy last computed (scikit-learn's own function, divided by C n), so the trace costs no extra pass;
it prints a progress line on stderr every --progress-every iterations. Only the fit is timed.

  /usr/bin/python3 bench/peers/sklearn_softmax_objective.py [--max-iter 10000] [--trace]
  /usr/bin/python3 bench/peers/sklearn_softmax_objective.py --max-iter 20      # a short smoke run
"""

import argparse
import json
import os
import platform
import sys
import time
import warnings

import numpy as np
import scipy
import scipy.optimize
import sklearn
import sklearn.linear_model._logistic as sklearn_logistic
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_args import positive_float, positive_int  # noqa: E402
import fashion_mnist  # noqa: E402  (sibling module, found through the path set just above)
from sklearn_logreg import loaded_blas  # noqa: E402

DEFAULT_MAX_ITER = 10_000
DEFAULT_GAPS = (1e-2, 1e-3, 1e-4, 1e-5)


class TracedMinimize:
    """Stands in for scipy.optimize inside scikit-learn's logistic module: the same minimize call, whose
    objective function is wrapped to keep its last value, with a callback that records, after each
    iteration, the seconds since the call began and that value (L-BFGS-B's last evaluation is the
    accepted point); a line on stderr every `every` iterations. Everything else is scipy's."""

    def __init__(self, divisor, every):
        self.divisor, self.every = divisor, every
        self.seconds, self.objectives, self.result = [], [], None

    def minimize(self, fun, *args, **kwargs):
        start = time.perf_counter()
        last = [float('nan')]

        def evaluate(theta, *fun_args):
            value, gradient = fun(theta, *fun_args)
            last[0] = value
            return value, gradient

        def record(_):
            self.seconds.append(time.perf_counter() - start)
            self.objectives.append(float(last[0]) / self.divisor)
            if len(self.seconds) % self.every == 0:
                print(f'iteration {len(self.seconds)}: {self.seconds[-1]:.1f} s, objective {self.objectives[-1]:.10f}',
                      file=sys.stderr, flush=True)

        if 'callback' in kwargs or not kwargs.get('jac'):
            raise RuntimeError('scikit-learn called minimize with a callback or without jac=True (expected: its 1.2 lbfgs call)')
        self.result = scipy.optimize.minimize(evaluate, *args, callback=record, **kwargs)
        return self.result

    def __getattr__(self, name):
        return getattr(scipy.optimize, name)


class FinalResult(TracedMinimize):
    """Only keeps scipy's result (its final value and message): no callback, so nothing is added to the fit."""

    def minimize(self, *args, **kwargs):
        self.result = scipy.optimize.minimize(*args, **kwargs)
        return self.result


def softmax_objective(x, y, w, b, l2):
    """Ringfold's objective for weights w (K x d) and intercepts b (K), in float64, in row blocks."""
    total = 0.0
    for start in range(0, x.shape[0], 8192):
        z = x[start:start + 8192].astype(np.float64) @ w.T + b
        lse = np.logaddexp.reduce(z, axis=1)
        total += float(np.sum(lse - z[np.arange(z.shape[0]), y[start:start + 8192]]))
    return total / x.shape[0] + 0.5 * l2 * float(np.sum(w * w))


def time_to_gaps(trace, final, gaps):
    """{gap: seconds, iterations and objective} of the first iteration within gap of final (None if none)."""
    out = {}
    for gap in gaps:
        i = next((i for i, f in enumerate(trace.objectives) if f - final <= gap), None)
        out[f'{gap:g}'] = None if i is None else {'seconds': round(trace.seconds[i], 4), 'iterations': i + 1,
                                                  'objective': trace.objectives[i]}
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--max-iter', type=positive_int, default=DEFAULT_MAX_ITER,
                   help=f'L-BFGS iteration cap (default {DEFAULT_MAX_ITER}: convergence ends the fit first)')
    p.add_argument('--tol', type=positive_float, default=1e-4, help="scikit-learn's tol (default 1e-4, its own)")
    p.add_argument('--c', type=positive_float, default=1.0, help='inverse L2 strength (default 1.0, scikit-learn\'s)')
    p.add_argument('--trace', action='store_true', help='time to come within each of --gaps of the final objective')
    p.add_argument('--gaps', type=positive_float, nargs='+', default=list(DEFAULT_GAPS))
    p.add_argument('--progress-every', type=positive_int, default=100,
                   help='with --trace, a line on stderr every N iterations (default 100)')
    p.add_argument('--data-dir', default=fashion_mnist.DEFAULT_DIR)
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    x_train, y_train, x_test, y_test = fashion_mnist.load(args.data_dir)
    x_train, x_test = fashion_mnist.standardise(x_train, x_test)
    n = x_train.shape[0]
    l2 = 1.0 / (args.c * n)

    hook = TracedMinimize(args.c * n, args.progress_every) if args.trace else FinalResult(args.c * n, 0)
    model = LogisticRegression(multi_class='multinomial', solver='lbfgs', C=args.c, tol=args.tol,
                               max_iter=args.max_iter)
    original = sklearn_logistic.optimize
    sklearn_logistic.optimize = hook
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always', ConvergenceWarning)
            start = time.perf_counter()
            model.fit(x_train, y_train)
            fit_seconds = time.perf_counter() - start
    finally:
        sklearn_logistic.optimize = original
    if hook.result is None:
        raise SystemExit('scikit-learn did not call scipy.optimize.minimize (expected: its lbfgs path, 1.2)')

    objective = softmax_objective(x_train, y_train, model.coef_, model.intercept_, l2)
    record = {
        'peer': 'sklearn',
        'model': 'logistic-regression-multinomial-lbfgs',
        'sklearn_version': sklearn.__version__, 'scipy_version': scipy.__version__,
        'python': platform.python_version(),
        'C': args.c, 'l2': l2, 'tol': args.tol, 'max_iter': args.max_iter,
        'iterations': int(model.n_iter_[0]),
        'converged': not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        'stop': str(hook.result.message),
        'preprocessing': 'standardised per feature (training mean/population std)',
        'blas': loaded_blas(),
        'openblas_num_threads': os.environ.get('OPENBLAS_NUM_THREADS', 'unset (OpenBLAS uses all cores)'),
        'fit_seconds': round(fit_seconds, 4),
        'objective': objective,
        'sklearn_objective_over_cn': float(hook.result.fun) / (args.c * n),
        'train_accuracy': round(float(model.score(x_train, y_train)), 5),
        'test_accuracy': round(float(model.score(x_test, y_test)), 5),
    }
    if args.trace:
        record['traced_iterations'] = len(hook.objectives)
        record['seconds_to_gap'] = time_to_gaps(hook, objective, args.gaps)
    print(json.dumps(record))


if __name__ == '__main__':
    main(sys.argv[1:])
