package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18's quality bars on six public tabular data sets (src/test/resources/tabular, made by data/tabular.py;
 * raw values, categorical columns, missing cells), against scikit-learn's figures on the same split
 * (sklearn-reference.jsonl, from bench/peers/sklearn_tabular.py --reference): with default flags, test accuracy
 * within 1 point of StandardScaler + LogisticRegression and test RMSE within 2% of LinearRegression; the
 * solvers reach scikit-learn's objective (the same objective and penalty): L-BFGS within 1e-4 of it, relative,
 * the normal equations within 1e-5, and ridge by L-BFGS within 1e-4.
 */
class TabularFixturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Set(String name, String task, String label, String categorical, String model) {

        String spec(Path dir) {
            return "csv:" + dir.resolve(name + "-train.csv") + "?label=" + label
                    + (categorical.equals("-") ? "" : "&categorical=" + categorical)
                    + "&test=" + dir.resolve(name + "-test.csv");
        }
    }

    private static Path dir() throws URISyntaxException {
        return Path.of(TabularFixturesTest.class.getResource("/tabular/sets.tsv").toURI()).getParent();
    }

    static Stream<Set> sets() throws IOException, URISyntaxException {
        List<Set> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(dir().resolve("sets.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            out.add(new Set(f[0], f[1], f[2], f[3], f[4]));
        }
        return out.stream();
    }

    private static JsonNode reference(String set, String estimator) throws IOException, URISyntaxException {
        for (String line : Files.readAllLines(dir().resolve("sklearn-reference.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.get("set").asText().equals(set) && n.get("estimator").asText().equals(estimator)) {
                return n;
            }
        }
        throw new AssertionError("no reference for " + set + " " + estimator);
    }

    private JsonNode train(Set s, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("train", "--data", s.spec(dir()), "--model", s.model(), "--json",
                "--out", tmp.resolve(s.name() + extra.length).toString()));
        args.addAll(List.of(extra));
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertThat(r.status()).as(r.err()).isZero();
        return JSON.readTree(r.lastLine());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void defaultsMeetScikitLearnOnTheSameSplit(Set s) throws Exception {
        JsonNode ours = train(s);
        JsonNode solver = ours.get("solver");
        assertThat(solver.get("converged").asBoolean()).as(solver.toString()).isTrue();
        if (s.task().equals("regression")) {
            JsonNode ols = reference(s.name(), "LinearRegression");
            assertThat(ours.get("test_rmse").asDouble()).as("test RMSE against LinearRegression's")
                    .isLessThanOrEqualTo(1.02 * ols.get("test_rmse").asDouble());
            double expected = ols.get("objective_converged_standardised_target").asDouble();
            // A singular system (one-hot columns beside the intercept) is solved by L-BFGS instead: its bar.
            double tolerance = solver.get("solver").asText().equals("normal") ? 1e-5 : 1e-4;
            assertThat(solver.get("objective").asDouble()).as("%s's objective", solver.get("solver").asText())
                    .isCloseTo(expected, org.assertj.core.api.Assertions.within(tolerance * expected));
        } else {
            JsonNode lr = reference(s.name(), "LogisticRegression");
            assertThat(ours.get("test_accuracy").asDouble()).as("test accuracy against LogisticRegression's")
                    .isGreaterThanOrEqualTo(lr.get("test_accuracy").asDouble() - 0.01);
            double expected = lr.get("objective_converged").asDouble();
            assertThat(solver.get("objective").asDouble()).as("L-BFGS objective")
                    .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-4 * expected));
        }
    }

    /** Ridge (scikit-learn's Ridge(alpha=1), --l2 alpha/rows) by L-BFGS reaches its objective. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void ridgeByLbfgsReachesScikitLearnsObjective(Set s) throws Exception {
        if (!s.task().equals("regression")) {
            return;
        }
        JsonNode ridge = reference(s.name(), "Ridge");
        JsonNode ours = train(s, "--solver", "lbfgs", "--l2", Double.toString(ridge.get("l2").asDouble()),
                "--tol", "1e-9", "--max-iter", "500");
        double expected = ridge.get("objective_converged_standardised_target").asDouble();
        assertThat(ours.get("solver").get("objective").asDouble()).as("ridge objective")
                .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-4 * expected));
    }
}
