#!/usr/bin/python3
"""scikit-learn's numbers for ClassificationMetricsTest: ROC AUC, average precision (PR AUC), log loss,
per-class precision, recall, F1 and support, and their macro averages, on the test's fixed inputs.

Run with Debian's python3-sklearn (1.2.1 when the numbers were taken): /usr/bin/python3 sklearn_metrics.py
The inputs are rounded to float32 first, as the Java code receives float[]. log_loss clips at the machine
epsilon of its input's dtype; the Java code clips at float32's (its input is float32) and sums in double,
so the reference is log_loss on the float64 copy with eps=float32 eps; log_loss on the float32 array itself
(eps="auto") is printed beside it and agrees to float32 rounding.
"""
import numpy as np
import sklearn
from sklearn.metrics import (average_precision_score, log_loss, precision_recall_fscore_support,
                             roc_auc_score)

EPS32 = float(np.finfo(np.float32).eps)


def f32(values):
    return np.array(values, dtype=np.float32)


def binary(name, y, p1, threshold=0.5):
    p32 = f32(p1)
    p = p32.astype(np.float64)
    # Class 1 when P(class 1) exceeds the threshold, as Ringfold's Model.predictedClasses and scikit-learn's
    # predict (decision_function > 0, that is P > 0.5).
    pred = (p > threshold).astype(int)
    print('%s roc_auc    %.17g' % (name, roc_auc_score(y, p)))
    print('%s pr_auc     %.17g' % (name, average_precision_score(y, p)))
    print('%s log_loss   %.17g  (float32 input: %.9g)' % (name, log_loss(y, p, eps=EPS32), log_loss(y, p32)))
    per_class(name, y, pred, 2)


def multi(name, y, rows):
    p32 = f32(rows)
    k = p32.shape[1]
    p = p32.astype(np.float64)
    pred = np.argmax(p, axis=1)  # first maximum on ties, as the Java code
    print('%s predicted  %s' % (name, pred.tolist()))
    print('%s log_loss   %.17g  (float32 input: %.9g)' % (
        name, log_loss(y, p, eps=EPS32, labels=list(range(k))), log_loss(y, p32, labels=list(range(k)))))
    per_class(name, y, pred, k)


def per_class(name, y, pred, k):
    # Every class of the model, a class with no prediction (or no example) scoring 0, as zero_division=0.
    pr, rc, f1, sup = precision_recall_fscore_support(y, pred, labels=list(range(k)), zero_division=0)
    for c in range(k):
        print('%s class %d    precision %.17g recall %.17g f1 %.17g support %d' % (name, c, pr[c], rc[c], f1[c], sup[c]))
    # Macro averages over the classes in y or in the predictions (scikit-learn's default labels).
    mp, mr, mf, _ = precision_recall_fscore_support(y, pred, average='macro', zero_division=0)
    print('%s macro      precision %.17g recall %.17g f1 %.17g' % (name, mp, mr, mf))


print('scikit-learn', sklearn.__version__)

# ClassificationMetricsTest.BINARY_*: ties at 0.4 across the classes.
binary('binary', [0, 0, 1, 1, 0, 1, 1, 0, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.4, 0.2, 0.65, 0.55])

# The same at decision threshold 0.6: other predictions, the same log loss and areas.
binary('binary@0.6', [0, 0, 1, 1, 0, 1, 1, 0, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.4, 0.2, 0.65, 0.55], 0.6)

# Heavy ties (four rows at exactly 0.5, predicted 0), and probabilities 0 and 1 on the wrong side (clipped).
binary('ties', [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0],
       [0.8, 0.8, 0.8, 0.5, 0.5, 0.5, 0.5, 0.2, 0.2, 0.2, 0.0, 1.0])

# Three classes; row 4's true class has probability 0 (clipped, then the row renormalised).
multi('multi', [0, 1, 2, 2, 1, 0], [[0.7, 0.2, 0.1],
                                    [0.1, 0.6, 0.3],
                                    [0.2, 0.5, 0.3],
                                    [0.0, 0.1, 0.9],
                                    [0.5, 0.0, 0.5],
                                    [0.3, 0.3, 0.4]])

# Four classes: class 2 is in y but never predicted, class 3 neither in y nor predicted (left out of the
# macro averages); rows that do not sum to 1 are renormalised.
multi('four', [0, 0, 1, 1, 2, 0, 1], [[0.9, 0.05, 0.05, 0.0],
                                      [0.3, 0.6, 0.1, 0.0],
                                      [0.2, 0.7, 0.1, 0.0],
                                      [0.1, 0.8, 0.1, 0.0],
                                      [0.6, 0.2, 0.2, 0.0],
                                      [0.5, 0.3, 0.1, 0.2],
                                      [0.3, 0.3, 0.3, 0.3]])
