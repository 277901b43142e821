/**
 * Evaluation of predictions: {@link io.ringfold.eval.ClassificationMetrics} (accuracy, log loss, confusion
 * matrix, per-class precision, recall and F1 with their macro means, binary ROC AUC and PR AUC) and
 * {@link io.ringfold.eval.RegressionMetrics} (RMSE, MAE, R²), defined as scikit-learn defines them; and
 * {@link io.ringfold.eval.KFold}, the seeded folds of cross-validation. They take plain label and prediction
 * arrays, so they depend on no model type and every trainer, the CLI and the server report the same numbers.
 */
package io.ringfold.eval;
