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

    @Test
    void findsTheMinimumOfTheRosenbrockValley() {
        double[] x = new double[10];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 2 == 0 ? -1.2 : 1;
        }
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
}
