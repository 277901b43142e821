package io.ringfold.solve;

/**
 * Limited-memory BFGS (Nocedal and Wright, Algorithm 7.5, with a strong-Wolfe line search, Algorithms 3.5 and
 * 3.6), and with an L1 term its orthant-wise variant OWL-QN (Andrew and Gao, 2007): the pseudo-gradient in place
 * of the gradient, directions and steps kept within the current orthant, and a backtracking line search, as
 * Spark MLlib's and scikit-learn's solvers do. Every operation is sequential double arithmetic, so the same
 * objective values give the same iterates on every worker.
 */
public final class Lbfgs {

    /** The smooth part of the objective: returns its value at {@code x} and writes its gradient. */
    @FunctionalInterface
    public interface Objective {
        double evaluate(double[] x, double[] gradient);
    }

    /** Called after each iteration with the objective (penalties included) and the largest gradient entry. */
    @FunctionalInterface
    public interface Progress {
        void iteration(int iteration, double objective, double gradientNorm);
    }

    /**
     * Most correction pairs kept. More pairs approximate the curvature of an ill-conditioned problem better, for a
     * pass over them per iteration, far cheaper than a pass over the rows (bench/RESULTS.md, "Full-batch solvers").
     */
    public static final int MAX_MEMORY = 320;
    /** Fewest correction pairs kept, whatever the size: scipy's and MLlib's default. */
    public static final int MIN_MEMORY = 10;
    /** Bytes the pairs of one solver may take, unless {@link #MIN_MEMORY} pairs need more. */
    public static final long MEMORY_BYTES = 64L << 20;

    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;
    private static final int MAX_LINE_SEARCH = 30;

    private final int memory;
    private final int maxIter;
    private final double tol;

    /**
     * @param memory  correction pairs kept ({@link #memoryFor} chooses; scipy and MLlib keep 10)
     * @param maxIter iterations at most
     * @param tol     stop when an iteration improves the objective by less than {@code tol * max(|f|, 1)}, or the
     *                largest (pseudo-)gradient entry is below {@code tol}
     */
    public Lbfgs(int memory, int maxIter, double tol) {
        if (memory <= 0 || maxIter <= 0 || !(tol >= 0)) {
            throw new IllegalArgumentException("memory " + memory + ", maxIter " + maxIter + ", tol " + tol
                    + " (expected: memory > 0, maxIter > 0, tol >= 0)");
        }
        this.memory = memory;
        this.maxIter = maxIter;
        this.tol = tol;
    }

    /**
     * Correction pairs for a problem of {@code parameters} unknowns: as many as fit {@link #MEMORY_BYTES}, between
     * {@link #MIN_MEMORY} and {@link #MAX_MEMORY}.
     */
    public static int memoryFor(int parameters) {
        long perPair = 2L * Double.BYTES * Math.max(1, parameters);
        return (int) Math.max(MIN_MEMORY, Math.min(MAX_MEMORY, MEMORY_BYTES / perPair));
    }

    /**
     * Minimises {@code f(x) + sum_i l1[i] |x_i|} from {@code x} (updated in place). {@code l1} null means no
     * L1 term (plain L-BFGS); otherwise OWL-QN. Returns how it ended; {@code solver} names it in the report.
     */
    public SolverReport minimize(String solver, Objective f, double[] x, double[] l1, Progress progress) {
        int n = x.length;
        double[] g = new double[n];
        double[] pg = new double[n];
        double[] d = new double[n];
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        Pairs pairs = new Pairs(Math.min(memory, maxIter), n);
        double fx = f.evaluate(x, g) + l1Norm(x, l1);
        pseudoGradient(x, g, l1, pg);
        double gnorm = maxAbs(pg);
        int iter = 0;
        String stop = "max-iter";
        boolean converged = false;
        if (!Double.isFinite(fx)) {
            return new SolverReport(solver, 0, fx, gnorm, false, "the objective at the start is " + fx, java.util.List.of());
        }
        while (iter < maxIter) {
            if (gnorm <= tol) {
                converged = true;
                stop = "gradient";
                break;
            }
            direction(pg, pairs, d);
            if (l1 != null) {
                for (int i = 0; i < n; i++) {
                    if (d[i] * pg[i] >= 0) {
                        d[i] = 0;
                    }
                }
            }
            double slope = dot(d, pg);
            if (!(slope < 0)) {
                // Not a descent direction (a stale curvature pair): restart from steepest descent.
                pairs.clear();
                for (int i = 0; i < n; i++) {
                    d[i] = -pg[i];
                }
                slope = -dot(pg, pg);
            }
            double step = pairs.isEmpty() ? Math.min(1.0, 1.0 / Math.sqrt(-slope)) : 1.0;
            double fNew = l1 == null
                    ? wolfe(f, x, fx, g, d, slope, step, xNew, gNew)
                    : orthantBacktrack(f, x, fx, pg, d, step, l1, xNew, gNew);
            if (Double.isNaN(fNew)) {
                stop = "line search found no decrease";
                converged = gnorm <= Math.sqrt(tol) && iter > 0;
                break;
            }
            iter++;
            pairs.offer(x, xNew, g, gNew);
            double fOld = fx;
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = fNew;
            pseudoGradient(x, g, l1, pg);
            gnorm = maxAbs(pg);
            if (progress != null) {
                progress.iteration(iter, fx, gnorm);
            }
            if (fOld - fx <= tol * Math.max(1.0, Math.max(Math.abs(fOld), Math.abs(fx)))) {
                converged = true;
                stop = "objective";
                break;
            }
        }
        if (gnorm <= tol && !converged) {
            converged = true;
            stop = "gradient";
        }
        return new SolverReport(solver, iter, fx, gnorm, converged, stop, java.util.List.of());
    }

    /** The two-loop recursion: {@code d = -H pg}, H the inverse Hessian approximation of the stored pairs. */
    static void direction(double[] pg, Pairs pairs, double[] d) {
        int n = pg.length;
        for (int i = 0; i < n; i++) {
            d[i] = -pg[i];
        }
        int m = pairs.size();
        double[] alpha = pairs.alpha;
        for (int k = m - 1; k >= 0; k--) {
            int slot = pairs.slot(k);
            alpha[k] = pairs.rho[slot] * dot(pairs.s[slot], d);
            axpy(-alpha[k], pairs.y[slot], d);
        }
        if (m > 0) {
            int last = pairs.slot(m - 1);
            double gamma = 1.0 / (pairs.rho[last] * dot(pairs.y[last], pairs.y[last]));
            for (int i = 0; i < n; i++) {
                d[i] *= gamma;
            }
        }
        for (int k = 0; k < m; k++) {
            int slot = pairs.slot(k);
            double beta = pairs.rho[slot] * dot(pairs.y[slot], d);
            axpy(alpha[k] - beta, pairs.s[slot], d);
        }
    }

    /**
     * The newest {@code memory} correction pairs {@code s = x' - x}, {@code y = g' - g}, with {@code rho = 1 / (y.s)},
     * in a ring of arrays allocated once; pair 0 is the oldest. The ring has one slot more than it keeps, so that a
     * candidate pair is written where it drops nothing until its curvature is accepted.
     */
    static final class Pairs {
        final double[][] s;
        final double[][] y;
        final double[] rho;
        final double[] alpha;
        private int first;
        private int size;

        Pairs(int memory, int n) {
            s = new double[memory + 1][n];
            y = new double[memory + 1][n];
            rho = new double[memory + 1];
            alpha = new double[memory];
        }

        int size() {
            return size;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void clear() {
            size = 0;
        }

        int slot(int k) {
            return (first + k) % s.length;
        }

        /** Keeps the step's pair when its curvature {@code y.s} is positive enough; drops the oldest when full. */
        void offer(double[] x, double[] xNew, double[] g, double[] gNew) {
            int slot = slot(size);
            double[] sv = s[slot];
            double[] yv = y[slot];
            for (int i = 0; i < sv.length; i++) {
                sv[i] = xNew[i] - x[i];
                yv[i] = gNew[i] - g[i];
            }
            double sy = dot(sv, yv);
            if (!(sy > 1e-10 * dot(yv, yv))) {
                return;
            }
            rho[slot] = 1.0 / sy;
            if (size < s.length - 1) {
                size++;
            } else {
                first = (first + 1) % s.length;
            }
        }
    }

    /**
     * A step along {@code d} meeting the strong Wolfe conditions; writes the new point and gradient and returns
     * the objective there, or NaN when none is found (the point is then not moved).
     */
    private static double wolfe(Objective f, double[] x, double f0, double[] g0, double[] d, double slope0,
                                double step, double[] xNew, double[] gNew) {
        Point lo = new Point(0, f0, slope0, g0.clone());
        double prevStep = 0;
        double prevF = f0;
        for (int i = 0; i < MAX_LINE_SEARCH; i++) {
            double fa = evaluateAt(f, x, d, step, xNew, gNew);
            double da = dot(gNew, d);
            if (!Double.isFinite(fa) || fa > f0 + C1 * step * slope0 || (i > 0 && fa >= prevF)) {
                return zoom(f, x, f0, slope0, d, lo, new Point(step, fa, da, null), xNew, gNew);
            }
            if (Math.abs(da) <= -C2 * slope0) {
                return fa;
            }
            if (da >= 0) {
                return zoom(f, x, f0, slope0, d, new Point(step, fa, da, gNew.clone()), lo, xNew, gNew);
            }
            lo = new Point(step, fa, da, gNew.clone());
            prevStep = step;
            prevF = fa;
            step *= 2;
        }
        return restore(x, d, lo, xNew, gNew, prevStep > 0);
    }

    private record Point(double step, double f, double slope, double[] gradient) {
    }

    private static double zoom(Objective f, double[] x, double f0, double slope0, double[] d, Point lo, Point hi,
                               double[] xNew, double[] gNew) {
        for (int i = 0; i < MAX_LINE_SEARCH; i++) {
            double a = interpolate(lo, hi);
            double fa = evaluateAt(f, x, d, a, xNew, gNew);
            double da = dot(gNew, d);
            if (!Double.isFinite(fa) || fa > f0 + C1 * a * slope0 || fa >= lo.f()) {
                hi = new Point(a, fa, da, null);
            } else {
                if (Math.abs(da) <= -C2 * slope0) {
                    return fa;
                }
                if (da * (hi.step() - lo.step()) >= 0) {
                    hi = lo;
                }
                lo = new Point(a, fa, da, gNew.clone());
            }
            if (Math.abs(hi.step() - lo.step()) <= 1e-16 * Math.max(1, Math.abs(lo.step()))) {
                break;
            }
        }
        return restore(x, d, lo, xNew, gNew, lo.step() > 0);
    }

    /** The best point found when the search ran out: {@code lo} if it moved at all (sufficient decrease holds). */
    private static double restore(double[] x, double[] d, Point lo, double[] xNew, double[] gNew, boolean moved) {
        if (!moved) {
            return Double.NaN;
        }
        for (int i = 0; i < x.length; i++) {
            xNew[i] = x[i] + lo.step() * d[i];
        }
        System.arraycopy(lo.gradient(), 0, gNew, 0, gNew.length);
        return lo.f();
    }

    /** The minimiser of the cubic through both ends, kept inside the middle 80% of the interval; else bisection. */
    private static double interpolate(Point lo, Point hi) {
        double a = lo.step();
        double b = hi.step();
        double mid = (a + b) / 2;
        if (!Double.isFinite(hi.f()) || !Double.isFinite(hi.slope())) {
            return mid;
        }
        double d1 = lo.slope() + hi.slope() - 3 * (lo.f() - hi.f()) / (a - b);
        double disc = d1 * d1 - lo.slope() * hi.slope();
        if (disc < 0) {
            return mid;
        }
        double d2 = Math.copySign(Math.sqrt(disc), b - a);
        double t = b - (b - a) * (hi.slope() + d2 - d1) / (hi.slope() - lo.slope() + 2 * d2);
        double left = Math.min(a, b);
        double right = Math.max(a, b);
        double margin = 0.1 * (right - left);
        if (!Double.isFinite(t) || t < left + margin || t > right - margin) {
            return mid;
        }
        return t;
    }

    /**
     * OWL-QN's line search: points projected onto the orthant of {@code x} (the sign of each entry, or of minus
     * the pseudo-gradient where it is 0), halving the step until the objective decreases enough.
     */
    private static double orthantBacktrack(Objective f, double[] x, double f0, double[] pg, double[] d, double step,
                                           double[] l1, double[] xNew, double[] gNew) {
        int n = x.length;
        for (int i = 0; i < MAX_LINE_SEARCH * 2; i++) {
            for (int j = 0; j < n; j++) {
                double orthant = x[j] != 0 ? Math.signum(x[j]) : -Math.signum(pg[j]);
                double v = x[j] + step * d[j];
                xNew[j] = Math.signum(v) == orthant ? v : 0;
            }
            double fa = f.evaluate(xNew, gNew) + l1Norm(xNew, l1);
            double decrease = 0;
            for (int j = 0; j < n; j++) {
                decrease += pg[j] * (xNew[j] - x[j]);
            }
            if (Double.isFinite(fa) && fa <= f0 + C1 * decrease) {
                return fa;
            }
            step /= 2;
        }
        return Double.NaN;
    }

    private static double evaluateAt(Objective f, double[] x, double[] d, double step, double[] xNew, double[] gNew) {
        for (int i = 0; i < x.length; i++) {
            xNew[i] = x[i] + step * d[i];
        }
        return f.evaluate(xNew, gNew);
    }

    /**
     * The pseudo-gradient of {@code f + sum l1_i |x_i|}: the gradient where there is no L1 term, else the
     * one-sided derivative that points downhill, or 0 at a kink where neither side does.
     */
    static void pseudoGradient(double[] x, double[] g, double[] l1, double[] pg) {
        for (int i = 0; i < x.length; i++) {
            double c = l1 == null ? 0 : l1[i];
            if (c == 0) {
                pg[i] = g[i];
            } else if (x[i] > 0) {
                pg[i] = g[i] + c;
            } else if (x[i] < 0) {
                pg[i] = g[i] - c;
            } else if (g[i] + c < 0) {
                pg[i] = g[i] + c;
            } else if (g[i] - c > 0) {
                pg[i] = g[i] - c;
            } else {
                pg[i] = 0;
            }
        }
    }

    private static double l1Norm(double[] x, double[] l1) {
        if (l1 == null) {
            return 0;
        }
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += l1[i] * Math.abs(x[i]);
        }
        return s;
    }

    /**
     * Four partial sums in a fixed order, so that the result is the same on every machine (the workers of one fit
     * must agree) while the additions need not wait for each other.
     */
    static double dot(double[] a, double[] b) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int n = a.length;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += alpha * x[i];
        }
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double e : v) {
            m = Math.max(m, Math.abs(e));
        }
        return m;
    }
}
