/**
 * Evaluation of predictions: {@link io.ringfold.eval.ClassificationMetrics} (accuracy, log loss,
 * confusion matrix, macro F1, binary ROC AUC) and {@link io.ringfold.eval.RegressionMetrics} (RMSE, MAE,
 * R²). They take plain label and prediction arrays, so they depend on no model type and every trainer,
 * the CLI and the server report the same numbers.
 */
package io.ringfold.eval;
