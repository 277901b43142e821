#!/usr/bin/env python3
"""Tests for sklearn_tabular.py: the objective in Ringfold's form and its gradient, checked against finite
differences and against the objectives scikit-learn itself minimises; the CSV reading of empty cells.

Run: /usr/bin/python3 bench/peers/test_sklearn_tabular.py   (Debian's python3 with python3-sklearn)
"""

import os
import sys
import tempfile
import types
import unittest

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sklearn_tabular as peer  # noqa: E402  (sibling module, found through the path set just above)

SEED = 18
print(f'test_sklearn_tabular: seed {SEED}', file=sys.stderr)


def problem(task, rows=60, features=4, classes=3):
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(rows, features))
    if task == 'regression':
        y = x @ rng.normal(size=features) + 0.3 * rng.normal(size=rows) + 5.0
    elif task == 'binary':
        y = (x[:, 0] + 0.8 * rng.normal(size=rows) > 0).astype(np.int64)
    else:
        y = np.argmax(x[:, :classes] + 0.8 * rng.normal(size=(rows, classes)), axis=1)
    return x, y


class GradientTest(unittest.TestCase):
    def check(self, task, k):
        x, y = problem(task)
        rng = np.random.default_rng(SEED + 1)
        model = types.SimpleNamespace(coef_=rng.normal(size=(k, x.shape[1])), intercept_=rng.normal(size=k))
        l2 = 0.05
        value, grad_max = peer.evaluate_objective(task, x, y, model, l2)
        w, b = peer.linear_parts(model)
        dz = peer.objective_and_gradient(task, x @ w.T + b, y, w, l2)[1]
        analytic = np.hstack([dz.T @ x + l2 * w, dz.sum(axis=0)[:, None]])
        eps = 1e-6
        for i in range(k):
            for j in range(x.shape[1] + 1):
                plus, minus = w.copy(), w.copy()
                bp, bm = b.copy(), b.copy()
                if j < x.shape[1]:
                    plus[i, j] += eps
                    minus[i, j] -= eps
                else:
                    bp[i] += eps
                    bm[i] -= eps
                f = lambda ww, bb: peer.objective_and_gradient(task, x @ ww.T + bb, y, ww, l2)[0]  # noqa: E731
                numeric = (f(plus, bp) - f(minus, bm)) / (2 * eps)
                self.assertAlmostEqual(numeric, analytic[i, j], delta=1e-6, msg=f'{task} entry ({i}, {j})')
        self.assertAlmostEqual(grad_max, float(np.max(np.abs(analytic))), places=12)
        self.assertTrue(np.isfinite(value))

    def test_binary(self):
        self.check('binary', 1)

    def test_multiclass(self):
        self.check('multiclass', 3)

    def test_regression(self):
        self.check('regression', 1)


class SklearnObjectiveTest(unittest.TestCase):
    """At scikit-learn's solutions our objective is stationary only with the l2 that peer.estimators gives."""

    def solution(self, task, estimator):
        x, y = problem(task)
        l2 = dict((name, l2) for name, _, _, l2 in peer.estimators(task, len(y)))[type(estimator).__name__]
        return x, y, estimator.fit(x, y), l2

    def test_logistic_objective_is_sklearns_divided_by_c_n(self):
        for task in ('binary', 'multiclass'):
            x, y, model, l2 = self.solution(task, LogisticRegression(tol=1e-10, max_iter=10_000))
            value, grad_max = peer.evaluate_objective(task, x, y, model, l2)
            self.assertAlmostEqual(value, peer.sklearn_own_objective(task, x, y, model), places=12, msg=task)
            self.assertLess(grad_max, 1e-5, task)
            # Half the penalty would leave a gradient of l2/2 w: the check tells them apart.
            self.assertGreater(peer.evaluate_objective(task, x, y, model, l2 / 2)[1], 100 * grad_max, task)

    def test_least_squares_and_ridge_are_stationary(self):
        for estimator in (LinearRegression(), Ridge()):
            x, y, model, l2 = self.solution('regression', estimator)
            self.assertLess(peer.evaluate_objective('regression', x, y, model, l2)[1], 1e-10, type(estimator).__name__)
        x, y, ridge, l2 = self.solution('regression', Ridge())
        self.assertGreater(peer.evaluate_objective('regression', x, y, ridge, l2 / 2)[1], 1e-4)


class ReadCsvTest(unittest.TestCase):
    def test_empty_cells_are_nan_in_numeric_columns_and_empty_in_categorical_ones(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 't.csv')
            with open(path, 'w') as f:
                f.write('a,colour,y\n1.5,red,p\n,,q\n')
            x, y, columns = peer.read_csv(path, 'y', ['colour'])
        self.assertEqual(columns, ['a', 'colour'])
        self.assertEqual(y, ['p', 'q'])
        self.assertEqual(x[0, 0], 1.5)
        self.assertTrue(np.isnan(x[1, 0]))
        self.assertEqual(list(x[:, 1]), ['red', ''])

    def test_preprocessing_imputes_and_one_hots_as_documented(self):
        x = np.array([[1.0, 'red'], [np.nan, ''], [3.0, 'red'], [5.0, 'blue']], dtype=object)
        out = peer.preprocessor(['a', 'colour'], ['colour']).fit_transform(x)
        # a: mean 3 imputed, then standardised (mean 3, std sqrt(2)); colour: most frequent 'red', one-hot.
        np.testing.assert_allclose(out[:, 0], np.array([-2, 0, 0, 2]) / np.sqrt(2))
        np.testing.assert_array_equal(out[:, 1:], [[0, 1], [0, 1], [0, 1], [1, 0]])


if __name__ == '__main__':
    unittest.main()
