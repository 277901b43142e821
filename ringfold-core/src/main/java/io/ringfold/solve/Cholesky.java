package io.ringfold.solve;

/** Solving a symmetric positive definite system {@code A x = b} by its Cholesky factor, in double. */
final class Cholesky {

    private Cholesky() {
    }

    /**
     * Solves {@code A x = b} for the {@code n x n} row-major {@code a} (only its lower triangle is read; it is
     * overwritten by the factor). Returns null when A is not positive definite to working precision (a pivot
     * at or below {@code 1e-12} times the largest diagonal entry): singular or collinear columns.
     */
    static double[] solve(double[] a, double[] b, int n) {
        double maxDiag = 0;
        for (int i = 0; i < n; i++) {
            maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]));
        }
        double floor = 1e-12 * Math.max(maxDiag, Double.MIN_NORMAL);
        for (int j = 0; j < n; j++) {
            double s = a[j * n + j];
            for (int k = 0; k < j; k++) {
                s -= a[j * n + k] * a[j * n + k];
            }
            if (!(s > floor)) {
                return null;
            }
            double l = Math.sqrt(s);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++) {
                double t = a[i * n + j];
                for (int k = 0; k < j; k++) {
                    t -= a[i * n + k] * a[j * n + k];
                }
                a[i * n + j] = t / l;
            }
        }
        double[] x = b.clone();
        for (int i = 0; i < n; i++) {
            double t = x[i];
            for (int k = 0; k < i; k++) {
                t -= a[i * n + k] * x[k];
            }
            x[i] = t / a[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double t = x[i];
            for (int k = i + 1; k < n; k++) {
                t -= a[k * n + i] * x[k];
            }
            x[i] = t / a[i * n + i];
        }
        return x;
    }
}
