/**
 * Full-batch solvers of the convex objectives of linear, logistic and softmax models: L-BFGS, OWL-QN (with an
 * L1 term) and the normal equations of least squares. The sums over the training rows are made per block of rows
 * and added in block order, so the result does not depend on how many workers computed the blocks.
 */
package io.ringfold.solve;
