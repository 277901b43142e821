package io.ringfold.train;

import io.ringfold.nn.LayerKind;
import io.ringfold.nn.Network;
import io.ringfold.solve.GlmProblem;
import io.ringfold.solve.Lbfgs;
import io.ringfold.solve.SolverReport;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.Matrix;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits a linear, logistic or softmax model with a full-batch solver ({@link SolverKind#fullBatch}): the normal
 * equations, L-BFGS or OWL-QN on {@link GlmProblem}'s objective, starting from zero. Each iteration is one entry
 * of the history (its "epoch"). The engines differ only in which blocks of rows a worker holds and how the
 * blocks' sums are exchanged, so all give the same parameters.
 */
public final class FullBatchFit {

    private FullBatchFit() {
    }

    /** Whether {@code config} fits {@code net} with a full-batch solver rather than mini-batches. */
    public static boolean applies(TrainingConfig config, Network net) {
        return config.resolvedSolver(net.inputSize()).fullBatch();
    }

    /**
     * Fits {@code net} (a single dense layer) on the {@code local} blocks of {@code blockCount}; every worker
     * calls this with its own blocks and the same validation data, and gets the same result.
     */
    public static TrainingResult fit(TrainingConfig config, Blas blas, Network net, int blockCount,
                                     List<GlmProblem.Block> local, GlmProblem.Exchange exchange, int workers,
                                     Matrix xVal, float[] yVal, TrainingListener listener) {
        if (net.nodes().size() != 1 || net.nodes().get(0).spec().kind() != LayerKind.DENSE) {
            throw new IllegalArgumentException("network " + net.describe() + " (expected: one dense layer, a linear, "
                    + "logistic or softmax model, for solver " + config.solver().id() + ")");
        }
        long t0 = System.nanoTime();
        SolverKind solver = config.resolvedSolver(net.inputSize());
        GlmProblem problem = new GlmProblem(blas, net.loss(), net.inputSize(), net.outputs(), blockCount, local,
                exchange, 0);
        problem.setL2(config.resolvedL2(problem.rows()));
        int rows = (int) problem.rows();
        boolean classification = net.loss().isClassification();
        double[] theta = new double[problem.parameterCount()];
        List<EpochMetrics> history = new ArrayList<>();
        double[] gradient = new double[theta.length];
        long[] last = {System.nanoTime()};
        Lbfgs.Progress progress = (iteration, objective, gradientNorm) -> {
            long now = System.nanoTime();
            Evaluation val = xVal == null ? null
                    : Evaluation.of(blas, net, toFloats(theta), xVal, yVal, config.batchSize());
            EpochMetrics m = EpochMetrics.of(iteration, problem.lastMeanLoss() * rows, problem.lastHits(), rows,
                    classification, net.outputs(), val, 0f, (now - last[0]) / 1e9);
            last[0] = now;
            history.add(m);
            listener.onIteration(iteration, objective, gradientNorm);
        };
        SolverReport report = null;
        if (solver == SolverKind.NORMAL) {
            double[] solved = problem.solveNormalEquations();
            if (solved != null) {
                System.arraycopy(solved, 0, theta, 0, theta.length);
                double objective = problem.evaluate(theta, gradient);
                double norm = 0;
                for (double g : gradient) {
                    norm = Math.max(norm, Math.abs(g));
                }
                progress.iteration(1, objective, norm);
                report = new SolverReport("normal", 1, objective, norm, true, "solved", List.of());
            } else {
                solver = SolverKind.LBFGS;
                report = new SolverReport("normal", 0, Double.NaN, Double.NaN, false, "singular", List.of());
            }
        }
        if (solver == SolverKind.LBFGS || solver == SolverKind.OWLQN) {
            double[] l1 = null;
            if (solver == SolverKind.OWLQN) {
                l1 = new double[theta.length];
                for (int i = 0; i < l1.length; i++) {
                    l1[i] = problem.penalised(i) ? config.l1() : 0;
                }
            }
            SolverReport solved = new Lbfgs(Lbfgs.memoryFor(theta.length), config.maxIter(), config.tol())
                    .minimize(solver.id(), problem::evaluate, theta, l1, progress);
            if (report != null) {
                solved = solved.withNote("normal equations: the system is singular (collinear or constant features);"
                        + " solved by lbfgs instead");
            }
            report = solved;
        }
        if (report == null) {
            throw new IllegalStateException("solver " + solver.id() + " is not a full-batch solver");
        }
        if (!Double.isFinite(report.objective())) {
            throw new IllegalStateException("training diverged: the objective is " + report.objective()
                    + " (expected: finite; look for infinite or huge values in the data)");
        }
        if (!report.converged()) {
            report = report.withNote("did not converge in " + report.iterations() + " iterations (" + report.stop()
                    + "): raise --max-iter or --tol");
        }
        if (classification && problem.lastHits() == rows) {
            report = report.withNote(problem.l2() > 0
                    ? "the training data are perfectly separable; the L2 penalty " + problem.l2() + " keeps the weights "
                    + "finite"
                    : "the training data are perfectly separable: without a penalty the weights grow with every "
                    + "iteration; set --l2 (for example 1/rows)");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new TrainingResult(toFloats(theta), history, history.size(), false, seconds,
                (long) rows * Math.max(1, history.size()), workers, blockCount, List.of(), report);
    }

    private static float[] toFloats(double[] theta) {
        float[] p = new float[theta.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) theta[i];
        }
        return p;
    }
}
