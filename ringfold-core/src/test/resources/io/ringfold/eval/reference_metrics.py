#!/usr/bin/env python3
"""Independent references for ClassificationMetricsTest and RegressionMetricsTest, with numpy only. AUC is
computed by counting all positive/negative pairs (ties count 1/2), a different method from the rank formula
in RocAuc.java. Inputs are rounded to float32 first, as the Java code receives float[]. Log loss, PR AUC and
the per-class scores are scikit-learn's, from sklearn_metrics.py beside this file. Run: python3 reference_metrics.py"""
import numpy as np

# Binary, one probability column P(class 1), with tied scores across classes.
y = np.array([0, 0, 1, 1, 0, 1, 1, 0, 1, 0])
p1 = np.array([0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.4, 0.2, 0.65, 0.55], dtype=np.float32).astype(np.float64)
pos, neg = p1[y == 1], p1[y == 0]
pairs = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in pos for b in neg)
print('binary auc       %.17g' % (pairs / (len(pos) * len(neg))))
pred = (p1 > 0.5).astype(int)
print('binary accuracy  %.17g' % np.mean(pred == y))

# Three classes.
y3 = np.array([0, 1, 2, 2, 1, 0])
P = np.array([[0.7, 0.2, 0.1],
              [0.1, 0.6, 0.3],
              [0.2, 0.5, 0.3],
              [0.0, 0.1, 0.9],
              [0.5, 0.0, 0.5],
              [0.3, 0.3, 0.4]], dtype=np.float32).astype(np.float64)
pred3 = np.argmax(P, axis=1)  # first maximum on ties, as the Java code
print('multi predicted ', pred3.tolist())
f1 = []
for c in range(3):
    tp = np.sum((pred3 == c) & (y3 == c)); fp = np.sum((pred3 == c) & (y3 != c)); fn = np.sum((pred3 != c) & (y3 == c))
    f1.append(2 * tp / (2 * tp + fp + fn))
print('multi macroF1    %.17g' % np.mean(f1))

# Regression.
t = np.array([3.0, -0.5, 2.0, 7.0, 4.25], dtype=np.float32).astype(np.float64)
q = np.array([2.5, 0.0, 2.0, 8.0, 4.0], dtype=np.float32).astype(np.float64)
print('reg rmse         %.17g' % np.sqrt(np.mean((t - q) ** 2)))
print('reg mae          %.17g' % np.mean(np.abs(t - q)))
print('reg r2           %.17g' % (1 - np.sum((t - q) ** 2) / np.sum((t - t.mean()) ** 2)))
