#!/usr/bin/env python3
"""scikit-learn peer: linear and logistic models on the tabular fixtures, one JSON line per set and estimator.

The anchors of issue 18's quality bars, on the files data/tabular.py writes (sets.tsv lists them): for
classification `LogisticRegression()` (L-BFGS, C = 1, scikit-learn's defaults), for regression
`LinearRegression()` and `Ridge()` (alpha = 1). Preprocessing is fitted on the training file only: numeric
columns get mean imputation of empty cells, then StandardScaler; categorical columns become one-hot columns,
an empty cell being a category of its own (not scaled; a category unseen in training is all zeros). Ringfold's
defaults preprocess the same way (docs/training.md, "Missing values").

Each record has the test metric (accuracy or RMSE), the fit's time (preprocessing and model; the median of
--repeats fits) and the training objective in the form Ringfold minimises, on the preprocessed features X
(intercept b never penalised):

  objective = mean over training rows of loss(x w + b, y) + (l2 / 2) ||w||^2

with loss = log loss (binary: softplus(z) - y z; softmax: logsumexp(z) - z_y) and l2 = 1 / (C n), which is
LogisticRegression's own objective (C * summed loss + ||w||^2 / 2) divided by C n; for regression loss =
(y - z)^2 / 2 (half the squared error, as Ringfold's solvers and MLlib) and l2 = alpha / n, which is Ridge's
||y - X w - b||^2 + alpha ||w||^2 divided by 2 n (LinearRegression: l2 = 0). objective_standardised_target is the same objective with the target
divided by its training standard deviation, the scale in which Ringfold solves; it is objective / std^2.
`objective_converged` is the objective of the same model fitted to tol 1e-12 (to convergence), which is
what an exact solver must reach; `grad_max` (with --verify) is the largest entry of the objective's
gradient at that solution: about zero only if the formula above is the one scikit-learn minimised; for
LogisticRegression --verify also adds sklearn_objective_over_cn, scikit-learn's own objective value (from
its private loss module) divided by C n, which must equal `objective`.

  /usr/bin/python3 bench/peers/sklearn_tabular.py [--set NAME ...] [--repeats N] [--verify]
  /usr/bin/python3 bench/peers/sklearn_tabular.py --reference > ringfold-cli/src/test/resources/tabular/sklearn-reference.jsonl

--reference leaves the times out, so that its lines only change when the data or scikit-learn do: the
fixtures' sklearn-reference.jsonl, the expected figures of the tests on the fixtures, comes from it.
"""

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_args import positive_int  # noqa: E402

SETS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'ringfold-cli', 'src', 'test',
                        'resources', 'tabular')
CONVERGED_TOL = 1e-12
CONVERGED_MAX_ITER = 100_000


def read_sets(sets_dir):
    """[{set, task, label, categorical: [...], model}] from sets.tsv, in its order."""
    path = os.path.join(sets_dir, 'sets.tsv')
    with open(path, encoding='utf-8', newline='') as f:
        rows = list(csv.DictReader(f, delimiter='\t'))
    for r in rows:
        r['categorical'] = [] if r['categorical'] == '-' else r['categorical'].split(',')
    return rows


def read_csv(path, label, categorical):
    """(X as an object array: floats with NaN for numeric columns, strings for categorical; y; column names)."""
    with open(path, encoding='utf-8', newline='') as f:
        table = list(csv.reader(f))
    header, body = table[0], [r for r in table[1:] if r]
    if label not in header:
        sys.exit(f'{path}: no column {label!r} (has: {", ".join(header)})')
    li = header.index(label)
    columns = [c for i, c in enumerate(header) if i != li]
    x = np.empty((len(body), len(columns)), dtype=object)
    for j, c in enumerate(columns):
        i = header.index(c)
        for r, row in enumerate(body):
            v = row[i]
            x[r, j] = v if c in categorical else (float(v) if v != '' else np.nan)
    y = [row[li] for row in body]
    return x, y, columns


def preprocessor(columns, categorical):
    numeric = [j for j, c in enumerate(columns) if c not in categorical]
    cat = [j for j, c in enumerate(columns) if c in categorical]
    parts = [('numeric', Pipeline([('impute', SimpleImputer(strategy='mean')), ('scale', StandardScaler())]),
              numeric)]
    if cat:
        # An empty cell is a category of its own (its one-hot column), as Ringfold and OneHotEncoder treat
        # missing values.
        parts.append(('categorical', OneHotEncoder(handle_unknown='ignore', sparse_output=False), cat))
    return ColumnTransformer(parts)


def softplus(z):
    return np.logaddexp(0.0, z)


def objective_and_gradient(task, z, y, w, l2):
    """Ringfold's objective at logits z (n x K) for targets y, and d objective / d z (before X^T), per row."""
    n = z.shape[0]
    if task == 'binary':
        z1 = z[:, 0]
        loss = np.mean(softplus(z1) - y * z1)
        dz = (1.0 / (1.0 + np.exp(-z1)) - y)[:, None] / n
    elif task == 'multiclass':
        lse = np.logaddexp.reduce(z, axis=1)
        loss = np.mean(lse - z[np.arange(n), y])
        p = np.exp(z - lse[:, None])
        p[np.arange(n), y] -= 1.0
        dz = p / n
    else:
        r = z[:, 0] - y
        loss = 0.5 * np.mean(r * r)
        dz = r[:, None] / n
    return loss + 0.5 * l2 * float(np.sum(w * w)), dz


def linear_parts(model):
    """(W as K x d, b as K) of a fitted linear estimator, whatever its coef_ shape."""
    w = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
    b = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64))
    return w, b


def evaluate_objective(task, x, y, model, l2):
    """(objective, largest |gradient entry| over W and b) at the fitted model, on preprocessed features x."""
    w, b = linear_parts(model)
    z = x @ w.T + b
    value, dz = objective_and_gradient(task, z, y, w, l2)
    grad_w = dz.T @ x + l2 * w
    grad_b = dz.sum(axis=0)
    return value, float(max(np.max(np.abs(grad_w)), np.max(np.abs(grad_b))))


def sklearn_own_objective(task, x, y, model):
    """LogisticRegression's own objective at its solution divided by C n, from scikit-learn's private loss
    (sklearn.linear_model._linear_loss, the function its lbfgs minimises in 1.2: summed loss + ||w||^2 / 2C)."""
    from sklearn._loss.loss import HalfBinomialLoss, HalfMultinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss
    w, b = linear_parts(model)
    if task == 'binary':
        loss, coef = LinearModelLoss(HalfBinomialLoss(), fit_intercept=True), np.concatenate([w[0], b])
    else:
        loss = LinearModelLoss(HalfMultinomialLoss(n_classes=w.shape[0]), fit_intercept=True)
        coef = np.hstack([w, b[:, None]])
    value = loss.loss(coef, x, y.astype(np.float64), sample_weight=None, l2_reg_strength=1.0 / model.C)
    return float(value) / (model.C * x.shape[0])


def estimators(task, rows):
    """[(name, estimator, converged estimator, l2 in Ringfold's form)] for the task, scikit-learn's defaults."""
    if task == 'regression':
        ridge = Ridge()
        return [('LinearRegression', LinearRegression(), LinearRegression(), 0.0),
                ('Ridge', ridge, Ridge(tol=CONVERGED_TOL), ridge.alpha / rows)]
    logistic = LogisticRegression()
    return [('LogisticRegression', logistic,
             LogisticRegression(tol=CONVERGED_TOL, max_iter=CONVERGED_MAX_ITER), 1.0 / (logistic.C * rows))]


def fit(x_raw, y, columns, categorical, estimator):
    """(fitted pipeline, seconds, converged?) of preprocessing + estimator on the training data."""
    pipe = Pipeline([('prep', preprocessor(columns, categorical)), ('model', estimator)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', ConvergenceWarning)
        start = time.perf_counter()
        pipe.fit(x_raw, y)
        seconds = time.perf_counter() - start
    return pipe, seconds, not any(issubclass(w.category, ConvergenceWarning) for w in caught)


def run_set(s, sets_dir, repeats, verify, reference):
    name, task, label, categorical = s['set'], s['task'], s['label'], s['categorical']
    x_train, y_train_raw, columns = read_csv(os.path.join(sets_dir, name + '-train.csv'), label, categorical)
    x_test, y_test_raw, test_columns = read_csv(os.path.join(sets_dir, name + '-test.csv'), label, categorical)
    if test_columns != columns:
        sys.exit(f'{name}: test columns {test_columns} (expected: the training columns {columns})')
    if task == 'regression':
        y_train, y_test = np.array(y_train_raw, dtype=np.float64), np.array(y_test_raw, dtype=np.float64)
        classes = None
    else:
        classes = sorted(set(y_train_raw))
        unknown = sorted(set(y_test_raw) - set(classes))
        if unknown:
            sys.exit(f'{name}: test classes {unknown} not in the training file (expected: {classes})')
        y_train = np.array([classes.index(v) for v in y_train_raw])
        y_test = np.array([classes.index(v) for v in y_test_raw])
    rows = len(y_train)
    for est_name, estimator, tight, l2 in estimators(task, rows):
        times = []
        for _ in range(repeats):
            pipe, seconds, converged = fit(x_train, y_train, columns, categorical, clone(estimator))
            times.append(seconds)
        features = pipe.named_steps['prep'].transform(x_train[:1]).shape[1]
        x_pre = pipe.named_steps['prep'].transform(x_train).astype(np.float64)
        model = pipe.named_steps['model']
        objective, _ = evaluate_objective(task, x_pre, y_train, model, l2)
        tight_pipe, _, tight_converged = fit(x_train, y_train, columns, categorical, tight)
        tight_objective, tight_grad = evaluate_objective(task, x_pre, y_train, tight_pipe.named_steps['model'], l2)
        record = {
            'peer': 'sklearn', 'set': name, 'task': task, 'estimator': est_name,
            'params': {k: v for k, v in estimator.get_params().items()
                       if k in ('C', 'alpha', 'solver', 'max_iter', 'tol', 'multi_class', 'fit_intercept')},
            'sklearn_version': sklearn.__version__, 'python': platform.python_version(),
            'train_rows': rows, 'test_rows': len(y_test), 'columns': len(columns),
            'categorical': categorical, 'features': int(features),
            'missing_train_cells': int(sum(1 for v in x_train.ravel() if v == '' or (isinstance(v, float) and np.isnan(v)))),
            'l2': l2, 'objective': objective,
        }
        if task == 'regression':
            pred = pipe.predict(x_test)
            var = float(np.var(y_train))
            record.update({
                'test_rmse': float(np.sqrt(np.mean((pred - y_test) ** 2))),
                'target_std': var ** 0.5,
                'objective_standardised_target': objective / var,
                'objective_converged': tight_objective,
                'objective_converged_standardised_target': tight_objective / var,
            })
        else:
            record.update({
                'classes': classes,
                'test_accuracy': float(np.mean(pipe.predict(x_test) == y_test)),
                'iterations': int(np.max(model.n_iter_)), 'converged': converged,
                'objective_converged': tight_objective,
                'iterations_converged': int(np.max(tight_pipe.named_steps['model'].n_iter_)),
                'converged_reached_tol': tight_converged,
            })
        if not reference:
            record['fit_seconds'] = statistics.median(times)
            record['repeats'] = repeats
        if verify:
            record['grad_max'] = tight_grad
            if task != 'regression':
                record['sklearn_objective_over_cn'] = sklearn_own_objective(task, x_pre, y_train, model)
        print(json.dumps(record), flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--sets-dir', default=SETS_DIR, help='where sets.tsv and the CSV files are (default: the fixtures)')
    p.add_argument('--set', action='append', help='a set of sets.tsv (repeatable; default: all)')
    p.add_argument('--repeats', type=positive_int, default=5, help='fits timed per set and estimator (default 5)')
    p.add_argument('--reference', action='store_true',
                   help='no times (one fit each): the lines of the committed sklearn-reference.jsonl of the fixtures')
    p.add_argument('--verify', action='store_true',
                   help="add grad_max (the objective's largest gradient entry at the converged solution) and, "
                        "for LogisticRegression, sklearn_objective_over_cn")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    sets = read_sets(args.sets_dir)
    known = [s['set'] for s in sets]
    for name in args.set or []:
        if name not in known:
            sys.exit(f'--set: {name} (expected: one of {", ".join(known)})')
    for s in sets:
        if args.set is None or s['set'] in args.set:
            run_set(s, args.sets_dir, 1 if args.reference else args.repeats, args.verify,
                    args.reference)


if __name__ == '__main__':
    main(sys.argv[1:])
