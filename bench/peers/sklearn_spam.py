#!/usr/bin/env python3
"""scikit-learn peer: bag-of-words logistic regression on the SpamAssassin split, one JSON line on stdout.

The same task as `ringfold train --data 'csv:data/spam-assassin/spam-train.csv?label=label&text=text&test=
data/spam-assassin/spam-test.csv' --model logistic`: token counts of the raw e-mails (headers included)
over a vocabulary of the --vocab-size most frequent tokens of the training file, then logistic regression.
scikit-learn fits it full-batch with L-BFGS and its default L2 penalty (C = 1.0), to convergence.

--tokens ringfold tokenises as Ringfold does (lower-case, runs of Unicode letters and digits: the regular
expression [^\\W_]+; Python's and Java's Unicode tables differ in a few rare characters); --tokens sklearn
keeps CountVectorizer's default ((?u)\\b\\w\\w+\\b: two characters or more, underscore inside tokens).
Ties at the vocabulary's cut are broken by numpy's sort in scikit-learn, by the token's text in Ringfold.
Only the fit is timed. The files come from data/spam_assassin.py.

Run with Debian's interpreter (/usr/bin/python3), where python3-sklearn is installed.
"""

import argparse
import csv
import json
import os
import platform
import sys
import time

import sklearn
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_args import positive_int  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'data', 'spam-assassin')
TOKEN_PATTERNS = {'ringfold': r'[^\W_]+', 'sklearn': r'(?u)\b\w\w+\b'}


def read(path):
    """(texts, labels) of a label,text CSV; labels 1 for spam."""
    csv.field_size_limit(sys.maxsize)  # some messages are longer than the default 128 KiB
    texts, labels = [], []
    with open(path, encoding='utf-8', newline='') as f:
        rows = csv.reader(f)
        if next(rows) != ['label', 'text']:
            sys.exit(f'{path}: header (expected: label,text)')
        for label, text in rows:
            texts.append(text)
            labels.append(1 if label == 'spam' else 0)
    return texts, labels


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--train', default=os.path.join(DATA, 'spam-train.csv'))
    p.add_argument('--test', default=os.path.join(DATA, 'spam-test.csv'))
    p.add_argument('--vocab-size', type=positive_int, default=20000, help='most frequent tokens kept (default 20000)')
    p.add_argument('--ngrams', type=int, choices=(1, 2), default=1)
    p.add_argument('--tokens', choices=sorted(TOKEN_PATTERNS), default='ringfold')
    p.add_argument('--max-iter', type=positive_int, default=1000, help='L-BFGS iteration cap (default 1000)')
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    x_train, y_train = read(args.train)
    x_test, y_test = read(args.test)
    vectorizer = CountVectorizer(lowercase=True, token_pattern=TOKEN_PATTERNS[args.tokens],
                                 ngram_range=(1, args.ngrams), max_features=args.vocab_size)
    start = time.perf_counter()
    train_counts = vectorizer.fit_transform(x_train)
    model = LogisticRegression(solver='lbfgs', max_iter=args.max_iter)
    model.fit(train_counts, y_train)
    fit_seconds = time.perf_counter() - start
    test_counts = vectorizer.transform(x_test)
    print(json.dumps({
        'peer': 'sklearn',
        'model': 'count-vectorizer-logistic-regression-lbfgs',
        'sklearn_version': sklearn.__version__,
        'python': platform.python_version(),
        'tokens': args.tokens,
        'token_pattern': TOKEN_PATTERNS[args.tokens],
        'vocab_size': len(vectorizer.vocabulary_),
        'ngrams': args.ngrams,
        'C': model.C,
        'iterations': int(model.n_iter_[0]),
        'train_rows': len(y_train),
        'test_rows': len(y_test),
        'fit_seconds': round(fit_seconds, 3),
        'train_accuracy': round(float(model.score(train_counts, y_train)), 5),
        'test_accuracy': round(float(model.score(test_counts, y_test)), 5),
    }))


if __name__ == '__main__':
    main(sys.argv[1:])
