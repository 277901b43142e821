package io.ringfold.spark;

import io.ringfold.random.SplitMix64;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A pipeline written for MLlib's LogisticRegression or LinearRegression runs with RingfoldClassifier or
 * RingfoldRegressor by changing the class name, and finds MLlib's model: the same objective (mean weighted loss
 * plus regParam (alpha ||w||_1 + (1 - alpha) / 2 ||w||^2) on standardised features; for least squares in the
 * target's units as MLlib scales it, see docs/spark.md), evaluated here in double from its definition for both
 * solutions. CrossValidator over a ParamGridBuilder grid works as with MLlib's estimators.
 *
 * <p>Data: 400 rows of four features of very different scales and offsets (so that standardisation matters),
 * row weights in [0.25, 2], a binary label from a logistic model and a numeric target from a linear one, every
 * value a multiple of 1/64 (float32 and double agree), from a seeded generator.
 */
class MllibCompatibilityTest {

    static final long SEED = 17;
    static final double[] SCALE = {1, 10, 0.1, 100};
    static final double[] OFFSET = {0, 5, -1, 50};
    static SparkSession spark;
    static Dataset<Row> data;
    static double[][] x;
    static double[] label;
    static double[] target;
    static double[] weight;

    @BeforeAll
    static void data() {
        spark = SparkTestSession.get();
        System.out.println("MllibCompatibilityTest seed " + SEED);
        SplitMix64 rng = new SplitMix64(SEED);
        int n = 400;
        x = new double[n][4];
        label = new double[n];
        target = new double[n];
        weight = new double[n];
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = Math.rint((rng.nextGaussian() * SCALE[j] + OFFSET[j]) * 64) / 64;
            }
            double z = 0.8 * x[i][0] - 0.1 * (x[i][1] - 5) + 3 * (x[i][2] + 1) + 0.01 * (x[i][3] - 50) - 0.3;
            double u = Math.max(1e-9, Math.min(1 - 1e-9, (rng.nextInt(1 << 20) + 0.5) / (1 << 20)));
            label[i] = z + Math.log(u / (1 - u)) > 0 ? 1 : 0;
            target[i] = Math.rint((1000 + 50 * z + 20 * rng.nextGaussian()) * 64) / 64;
            weight[i] = 0.25 * (1 + rng.nextInt(8));
            rows.add(RowFactory.create(x[i][0], x[i][1], x[i][2], x[i][3], label[i], target[i], weight[i]));
        }
        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType)
                .add("c", DataTypes.DoubleType).add("d", DataTypes.DoubleType).add("label", DataTypes.DoubleType)
                .add("y", DataTypes.DoubleType).add("w", DataTypes.DoubleType);
        data = spark.createDataFrame(rows, schema).cache();
    }

    static VectorAssembler assembler() {
        return new VectorAssembler().setInputCols(new String[] {"a", "b", "c", "d"}).setOutputCol("features");
    }

    /** Weighted mean of {@code v}. */
    static double mean(double[] v) {
        double s = 0;
        double sw = 0;
        for (int i = 0; i < v.length; i++) {
            s += weight[i] * v[i];
            sw += weight[i];
        }
        return s / sw;
    }

    /** Weighted unbiased standard deviation, as MLlib's Summarizer: M2 / (sum w - sum w^2 / sum w). */
    static double std(double[] v) {
        double m = mean(v);
        double m2 = 0;
        double sw = 0;
        double sw2 = 0;
        for (int i = 0; i < v.length; i++) {
            m2 += weight[i] * (v[i] - m) * (v[i] - m);
            sw += weight[i];
            sw2 += weight[i] * weight[i];
        }
        return Math.sqrt(m2 / (sw - sw2 / sw));
    }

    static double[] column(int j) {
        double[] c = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            c[i] = x[i][j];
        }
        return c;
    }

    /** The penalty regParam (alpha ||beta_s||_1 + (1 - alpha) / 2 ||beta_s||^2) on standardised coefficients. */
    static double penalty(double[] beta, double reg, double alpha, double l2Divisor) {
        double l1 = 0;
        double l2 = 0;
        for (int j = 0; j < 4; j++) {
            double s = beta[j] * std(column(j));
            l1 += Math.abs(s);
            l2 += s * s;
        }
        return reg * (alpha * l1 + (1 - alpha) / (2 * l2Divisor) * l2);
    }

    /** MLlib's logistic objective: mean weighted log loss plus the penalty. */
    static double logisticObjective(double[] beta, double b, double reg, double alpha) {
        double loss = 0;
        double sw = 0;
        for (int i = 0; i < x.length; i++) {
            double z = b;
            for (int j = 0; j < 4; j++) {
                z += beta[j] * x[i][j];
            }
            loss += weight[i] * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - label[i] * z);
            sw += weight[i];
        }
        return loss / sw + penalty(beta, reg, alpha, 1);
    }

    /**
     * MLlib's least-squares objective in the target's units: MLlib scales the target by its unbiased standard
     * deviation sd_y and divides regParam by it, which is half the mean weighted squared error plus regParam
     * (alpha ||beta_s||_1 + (1 - alpha) / (2 sd_y) ||beta_s||^2).
     */
    static double leastSquaresObjective(double[] beta, double b, double reg, double alpha) {
        double loss = 0;
        double sw = 0;
        for (int i = 0; i < x.length; i++) {
            double e = b - target[i];
            for (int j = 0; j < 4; j++) {
                e += beta[j] * x[i][j];
            }
            loss += weight[i] * 0.5 * e * e;
            sw += weight[i];
        }
        return loss / sw + penalty(beta, reg, alpha, std(target));
    }

    static double[] ringfoldWeights(RingfoldModel<?> m) {
        float[] p = m.ringfoldModel().parameters();
        double[] beta = new double[4];
        for (int j = 0; j < 4; j++) {
            beta[j] = p[j];
        }
        return beta;
    }

    /**
     * The same pipeline code with MLlib's LogisticRegression and with RingfoldClassifier. Both stop where an
     * iteration improves the objective by less than tol (1e-6 relative) or at maxIter 50; on this 5-parameter
     * problem both converge well before, so the objectives agree to about tol (asserted: 1e-5 relative), and the
     * standardised coefficients (of order 1) to about sqrt(2 tol / curvature), the curvature being at least the
     * L2 part 0.005: 0.02 at worst, 1e-3 in practice (asserted: 2e-3; measured 2e-4 to 1e-3). Ringfold's float32
     * parameters add 1e-7 relative.
     */
    @Test
    void aLogisticRegressionPipelineRunsWithRingfoldClassifierAndFindsMllibsCoefficients() {
        LogisticRegression mllib = new LogisticRegression().setMaxIter(50).setRegParam(0.01).setElasticNetParam(0.5)
                .setWeightCol("w");
        RingfoldClassifier ringfold = new RingfoldClassifier().setMaxIter(50).setRegParam(0.01)
                .setElasticNetParam(0.5).setWeightCol("w");
        PipelineModel m = new Pipeline().setStages(new PipelineStage[] {assembler(), mllib}).fit(data);
        PipelineModel r = new Pipeline().setStages(new PipelineStage[] {assembler(), ringfold}).fit(data);
        Dataset<Row> mScored = m.transform(data);
        Dataset<Row> rScored = r.transform(data);
        assertThat(rScored.columns()).contains("rawPrediction", "probability", "prediction");

        LogisticRegressionModel lm = (LogisticRegressionModel) m.stages()[1];
        assertSameSolution("logistic", lm.coefficients().toArray(), lm.intercept(), (RingfoldModel<?>) r.stages()[1],
                (beta, b) -> logisticObjective(beta, b, 0.01, 0.5), 1, 2e-3 * Math.max(1, Math.abs(lm.intercept())));
        // The same decisions but for rows within a hair of the boundary.
        List<Row> mp = mScored.select("prediction").collectAsList();
        List<Row> rp = rScored.select("prediction").collectAsList();
        int same = 0;
        for (int i = 0; i < mp.size(); i++) {
            same += mp.get(i).getDouble(0) == rp.get(i).getDouble(0) ? 1 : 0;
        }
        assertThat(same).as("rows predicted alike of %d", mp.size()).isGreaterThanOrEqualTo((int) (0.99 * mp.size()));
    }

    /** The least-squares twin, with MLlib's scaling of the target: coefficients in the target's units. */
    @Test
    void aLinearRegressionPipelineRunsWithRingfoldRegressorAndFindsMllibsCoefficients() {
        LinearRegression mllib = new LinearRegression().setLabelCol("y").setMaxIter(100).setRegParam(0.5)
                .setElasticNetParam(0.3).setWeightCol("w");
        RingfoldRegressor ringfold = new RingfoldRegressor().setLabelCol("y").setMaxIter(100).setRegParam(0.5)
                .setElasticNetParam(0.3).setWeightCol("w");
        PipelineModel m = new Pipeline().setStages(new PipelineStage[] {assembler(), mllib}).fit(data);
        PipelineModel r = new Pipeline().setStages(new PipelineStage[] {assembler(), ringfold}).fit(data);
        assertThat(r.transform(data).columns()).contains("prediction");
        LinearRegressionModel lm = (LinearRegressionModel) m.stages()[1];
        assertSameSolution("least squares", lm.coefficients().toArray(), lm.intercept(),
                (RingfoldModel<?>) r.stages()[1], (beta, b) -> leastSquaresObjective(beta, b, 0.5, 0.3), std(target),
                2e-3 * std(target));
    }

    /** An objective of the coefficients and the intercept. */
    interface Objective {
        double at(double[] beta, double intercept);
    }

    /**
     * Ringfold's model {@code rm} solves objective {@code f} as MLlib's coefficients {@code mBeta} and intercept
     * {@code mBias} do: the objectives within 1e-5 relative, the coefficients of standardised features (in units
     * of {@code targetScale}) within 2e-3, the intercept within {@code biasTolerance}.
     */
    private static void assertSameSolution(String what, double[] mBeta, double mBias, RingfoldModel<?> rm, Objective f,
                                           double targetScale, double biasTolerance) {
        double[] rBeta = ringfoldWeights(rm);
        double rBias = rm.ringfoldModel().parameters()[4];
        double mObjective = f.at(mBeta, mBias);
        double rObjective = f.at(rBeta, rBias);
        System.out.printf("%s objective mllib %.9f ringfold %.9f; coefficients mllib %s %s ringfold %s %s%n", what,
                mObjective, rObjective, java.util.Arrays.toString(mBeta), mBias, java.util.Arrays.toString(rBeta),
                rBias);
        assertThat(rObjective).as("%s objective", what).isCloseTo(mObjective, within(1e-5 * mObjective));
        for (int j = 0; j < 4; j++) {
            double sd = std(column(j));
            assertThat(rBeta[j] * sd / targetScale).as("%s standardised coefficient %d", what, j)
                    .isCloseTo(mBeta[j] * sd / targetScale, within(2e-3));
        }
        assertThat(rBias).as("%s intercept", what).isCloseTo(mBias, within(biasTolerance));
    }

    @Test
    void crossValidatorPicksTheRegParamOfTheBestMeanMetricAndItsModelTransforms() {
        RingfoldClassifier classifier = new RingfoldClassifier().setWeightCol("w");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {assembler(), classifier});
        ParamMap[] grid = new ParamGridBuilder().addGrid(classifier.regParam(), new double[] {1e-4, 0.01, 1.0})
                .addGrid(classifier.elasticNetParam(), new double[] {0.0, 0.5}).build();
        CrossValidatorModel cv = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(grid)
                .setEvaluator(new BinaryClassificationEvaluator()).setNumFolds(2).setSeed(7).fit(data);
        double[] auc = cv.avgMetrics();
        System.out.println("cross-validated AUC " + java.util.Arrays.toString(auc));
        assertThat(auc).hasSize(6);
        int best = 0;
        for (int i = 0; i < auc.length; i++) {
            assertThat(auc[i]).as("AUC of grid point %d", i).isBetween(0.5, 1.0);
            best = auc[i] > auc[best] ? i : best;
        }
        // regParam 1 with elasticNetParam 0.5 puts an L1 weight of 0.5 on each standardised coefficient, more than
        // its gradient at 0 can be (the weighted mean of (p - y) x_s is at most 1/2 by Cauchy-Schwarz: residuals of
        // variance p (1 - p) <= 1/4 at the intercept's optimum, features of unit variance): every coefficient 0,
        // one score for all rows, AUC 0.5. Every other point learns the signal.
        for (int i = 0; i < grid.length; i++) {
            if ((Double) grid[i].apply(classifier.regParam()) == 1.0
                    && (Double) grid[i].apply(classifier.elasticNetParam()) == 0.5) {
                assertThat(auc[i]).as("AUC with every coefficient 0").isEqualTo(0.5);
            }
        }
        assertThat(auc[best]).isGreaterThan(0.7);
        RingfoldClassificationModel chosen = (RingfoldClassificationModel) ((PipelineModel) cv.bestModel()).stages()[1];
        RingfoldClassifier parent = (RingfoldClassifier) chosen.parent();
        assertThat(parent.getDouble(parent.regParam())).isEqualTo((Double) grid[best].apply(classifier.regParam()));
        assertThat(parent.getDouble(parent.elasticNetParam()))
                .isEqualTo((Double) grid[best].apply(classifier.elasticNetParam()));
        Dataset<Row> scored = cv.transform(data);
        assertThat(scored.count()).isEqualTo(400);
        assertThat(scored.columns()).contains("prediction", "probability");

        RingfoldRegressor regressor = new RingfoldRegressor().setLabelCol("y");
        Pipeline regression = new Pipeline().setStages(new PipelineStage[] {assembler(), regressor});
        ParamMap[] regGrid = new ParamGridBuilder().addGrid(regressor.regParam(), new double[] {0.0, 5.0, 500.0})
                .build();
        CrossValidatorModel rcv = new CrossValidator().setEstimator(regression).setEstimatorParamMaps(regGrid)
                .setEvaluator(new RegressionEvaluator().setLabelCol("y")).setNumFolds(2).setSeed(7).fit(data);
        double[] rmse = rcv.avgMetrics();
        System.out.println("cross-validated RMSE " + java.util.Arrays.toString(rmse));
        int lowest = 0;
        for (int i = 0; i < rmse.length; i++) {
            lowest = rmse[i] < rmse[lowest] ? i : lowest;
        }
        // The strongest penalty shrinks the coefficients towards 0: clearly worse.
        assertThat(rmse[2]).isGreaterThan(rmse[lowest] * 1.2);
        RingfoldRegressionModel chosenReg = (RingfoldRegressionModel) ((PipelineModel) rcv.bestModel()).stages()[1];
        assertThat(((RingfoldRegressor) chosenReg.parent()).getDouble(regressor.regParam()))
                .isEqualTo((Double) regGrid[lowest].apply(regressor.regParam()));
        assertThat(rcv.transform(data).select("prediction").count()).isEqualTo(400);
    }
}
