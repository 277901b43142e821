package io.ringfold.solve;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LbfgsTest {

    /** The extended Rosenbrock function, whose minimum is 0 at (1, ..., 1): a curved valley L-BFGS must follow. */
    private static double rosenbrock(double[] x, double[] g) {
        double f = 0;
        java.util.Arrays.fill(g, 0);
        for (int i = 0; i + 1 < x.length; i += 2) {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            f += 100 * a * a + b * b;
            g[i] += -400 * x[i] * a - 2 * b;
            g[i + 1] += 200 * a;
        }
        return f;
    }

    /** The classic start (-1.2, 1, -1.2, 1, ...), on the far side of the valley's bend. */
    private static double[] rosenbrockStart() {
        double[] x = new double[10];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 2 == 0 ? -1.2 : 1;
        }
        return x;
    }

    @Test
    void findsTheMinimumOfTheRosenbrockValley() {
        double[] x = rosenbrockStart();
        SolverReport r = new Lbfgs(10, 500, 1e-12).minimize("lbfgs", LbfgsTest::rosenbrock, x, null, null);
        assertThat(r.converged()).as(r.describe()).isTrue();
        for (double v : x) {
            assertThat(v).isCloseTo(1, within(1e-5));
        }
        assertThat(r.objective()).isLessThan(1e-10);
    }

    /**
     * {@code 1/2 ||x - c||^2 + lambda ||x||_1} is minimised by soft-thresholding c at lambda: OWL-QN must set the
     * entries with {@code |c_i| <= lambda} exactly to zero and shrink the others by lambda.
     */
    @Test
    void owlqnSolvesTheLassoOfAnOrthogonalDesignWithExactZeros() {
        double[] c = {3, -0.2, 0.5, -2, 0.05, 1.5};
        double lambda = 0.6;
        double[] l1 = new double[c.length];
        java.util.Arrays.fill(l1, lambda);
        double[] x = new double[c.length];
        SolverReport r = new Lbfgs(10, 200, 1e-12).minimize("owlqn", (p, g) -> {
            double f = 0;
            for (int i = 0; i < p.length; i++) {
                f += 0.5 * (p[i] - c[i]) * (p[i] - c[i]);
                g[i] = p[i] - c[i];
            }
            return f;
        }, x, l1, null);
        assertThat(r.converged()).as(r.describe()).isTrue();
        for (int i = 0; i < c.length; i++) {
            double expected = Math.signum(c[i]) * Math.max(0, Math.abs(c[i]) - lambda);
            if (expected == 0) {
                assertThat(x[i]).as("entry %d", i).isEqualTo(0.0);
            } else {
                assertThat(x[i]).as("entry %d", i).isCloseTo(expected, within(1e-9));
            }
        }
    }

    @Test
    void reportsNotConvergedWhenTheIterationsRunOut() {
        double[] x = {-1.2, 1};
        int[] calls = {0};
        SolverReport r = new Lbfgs(10, 3, 1e-12).minimize("lbfgs", LbfgsTest::rosenbrock, x, null,
                (it, f, g) -> calls[0]++);
        assertThat(r.converged()).isFalse();
        assertThat(r.iterations()).isEqualTo(3);
        assertThat(r.stop()).isEqualTo("max-iter");
        assertThat(calls[0]).isEqualTo(3);
    }

    @Test
    void anObjectiveThatIsNotFiniteAtTheStartIsReportedNotIterated() {
        SolverReport r = new Lbfgs(10, 50, 1e-9).minimize("lbfgs", (p, g) -> Double.NaN, new double[2], null, null);
        assertThat(r.converged()).isFalse();
        assertThat(r.iterations()).isZero();
        assertThat(r.stop()).contains("NaN");
    }

    @Test
    void keepsAsManyPairsAsFitItsBudgetWithinItsBounds() {
        assertThat(Lbfgs.memoryFor(7_850)).isEqualTo(Lbfgs.MAX_MEMORY);
        assertThat(Lbfgs.memoryFor(0)).isEqualTo(Lbfgs.MAX_MEMORY);
        assertThat(Lbfgs.memoryFor(100_000)).isEqualTo((int) (Lbfgs.MEMORY_BYTES / (16 * 100_000)));
        assertThat(Lbfgs.memoryFor(10_000_000)).isEqualTo(Lbfgs.MIN_MEMORY);
    }

    /**
     * The two-loop recursion over the newest {@code m} pairs must equal the inverse Hessian that m BFGS updates build
     * from {@code gamma I}, applied to the gradient, also after the ring of pairs has wrapped around several times.
     */
    @Test
    void theTwoLoopRecursionEqualsTheDenseBfgsUpdatesOfTheNewestPairs() {
        int n = 7;
        int m = 4;
        java.util.Random random = new java.util.Random(3);
        Lbfgs.Pairs pairs = new Lbfgs.Pairs(m, n);
        java.util.List<double[][]> kept = new java.util.ArrayList<>();
        double[] x = new double[n];
        double[] g = new double[n];
        for (int step = 0; step < 11; step++) {
            double[] xNew = new double[n];
            double[] gNew = new double[n];
            for (int i = 0; i < n; i++) {
                xNew[i] = x[i] + random.nextGaussian();
                // y = A s with A symmetric positive definite (diagonal 1..n), so y.s > 0.
                gNew[i] = g[i] + (i + 1) * (xNew[i] - x[i]);
            }
            if (step == 5) {
                // A pair of negative curvature is refused and must leave the kept ones intact.
                double[] gBad = new double[n];
                for (int i = 0; i < n; i++) {
                    gBad[i] = g[i] - (xNew[i] - x[i]);
                }
                pairs.offer(x, xNew, g, gBad);
            }
            pairs.offer(x, xNew, g, gNew);
            double[] s = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                s[i] = xNew[i] - x[i];
                y[i] = gNew[i] - g[i];
            }
            kept.add(new double[][] {s, y});
            if (kept.size() > m) {
                kept.remove(0);
            }
            x = xNew;
            g = gNew;

            double[] pg = new double[n];
            for (int i = 0; i < n; i++) {
                pg[i] = random.nextGaussian();
            }
            double[] d = new double[n];
            Lbfgs.direction(pg, pairs, d);
            double[] expected = denseBfgsDirection(kept, pg);
            assertThat(pairs.size()).isEqualTo(kept.size());
            for (int i = 0; i < n; i++) {
                assertThat(d[i]).as("step %d entry %d", step, i).isCloseTo(expected[i], within(1e-9 * (1 + Math.abs(expected[i]))));
            }
        }
    }

    /** {@code -H pg}, H built by BFGS updates {@code H = (I - rho s y') H (I - rho y s') + rho s s'} from gamma I. */
    private static double[] denseBfgsDirection(java.util.List<double[][]> pairs, double[] pg) {
        int n = pg.length;
        double[][] last = pairs.get(pairs.size() - 1);
        double gamma = Lbfgs.dot(last[0], last[1]) / Lbfgs.dot(last[1], last[1]);
        double[][] h = new double[n][n];
        for (int i = 0; i < n; i++) {
            h[i][i] = gamma;
        }
        for (double[][] p : pairs) {
            double[] s = p[0];
            double[] y = p[1];
            double rho = 1 / Lbfgs.dot(s, y);
            double[][] left = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    left[i][j] = (i == j ? 1 : 0) - rho * s[i] * y[j];
                }
            }
            double[][] next = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double v = 0;
                    for (int a = 0; a < n; a++) {
                        for (int b = 0; b < n; b++) {
                            v += left[i][a] * h[a][b] * left[j][b];
                        }
                    }
                    next[i][j] = v + rho * s[i] * s[j];
                }
            }
            h = next;
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                d[i] -= h[i][j] * pg[j];
            }
        }
        return d;
    }

    @Test
    void aMemoryFarSmallerThanTheIterationsStillFindsTheMinimum() {
        double[] x = rosenbrockStart();
        SolverReport r = new Lbfgs(2, 2000, 1e-12).minimize("lbfgs", LbfgsTest::rosenbrock, x, null, null);
        assertThat(r.converged()).as(r.describe()).isTrue();
        for (double v : x) {
            assertThat(v).isCloseTo(1, within(1e-5));
        }
    }
}
