package io.ringfold.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobSpecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonRoundTripsEveryField() throws Exception {
        JobSpec spec = new JobSpec("iris.v2", JobType.PREPROCESS, Engine.KUBERNETES, List.of("--data", "iris.csv", "ünï"),
                "iris", 8, 2, "ci-bot");
        assertThat(JobSpec.fromJson(JSON.readTree(spec.toJson().toString()))).isEqualTo(spec);
        JobSpec minimal = JobSpec.train("m", Engine.LOCAL, List.of(), "u");
        assertThat(minimal.toJson().has("publish")).isFalse();
        assertThat(JobSpec.fromJson(minimal.toJson())).isEqualTo(minimal);
    }

    @Test
    void aTenMegabyteSpecIsRefusedNamingTheLimit() {
        List<String> huge = List.of("--note", "x".repeat(10 * 1024 * 1024));
        assertThatThrownBy(() -> JobSpec.train("big", Engine.LOCAL, huge, "u")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("arguments: more than 65536 bytes (2 arguments; expected: at most 65536 bytes of UTF-8 in all)");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 40_000; i++) {
            many.add("-v");
        }
        assertThatThrownBy(() -> JobSpec.train("many", Engine.LOCAL, many, "u"))
                .hasMessageStartingWith("arguments: more than 65536 bytes (40000 arguments;");
        List<String> atLimit = List.of("y".repeat(JobSpec.MAX_ARGUMENT_BYTES - 1));
        assertThat(JobSpec.train("edge", Engine.LOCAL, atLimit, "u").arguments()).isEqualTo(atLimit);
    }

    @Test
    void badFieldsAreNamedWithWhatWasExpected() {
        assertThatThrownBy(() -> JobSpec.train("../etc", Engine.LOCAL, List.of(), "u"))
                .hasMessage("name: '../etc' (expected: 1-128 letters, digits, '_', '-' or '.', starting with a letter or digit, "
                        + "no '..')");
        assertThatThrownBy(() -> JobSpec.train("n".repeat(129), Engine.LOCAL, List.of(), "u")).hasMessageStartingWith("name: ");
        assertThatThrownBy(() -> JobSpec.train("a..b", Engine.LOCAL, List.of(), "u")).hasMessageStartingWith("name: 'a..b'");
        assertThatThrownBy(() -> JobSpec.train("n", Engine.LOCAL, List.of("ok", "nul\0"), "u"))
                .hasMessage("arguments[1]: 'nul?' contains a NUL character (expected: text)");
        assertThatThrownBy(() -> JobSpec.train("n", Engine.LOCAL, List.of(), "u").withPublish("bad/name"))
                .hasMessageStartingWith("publish: 'bad/name' (expected: ");
        assertThatThrownBy(() -> JobSpec.train("n", Engine.LOCAL, List.of(), "u").withWorkers(0, null))
                .hasMessage("workers: 0 (expected: 1 to 4096)");
        assertThatThrownBy(() -> JobSpec.train("n", Engine.LOCAL, List.of(), "u").withWorkers(2, 5000))
                .hasMessage("nproc: 5000 (expected: 1 to 4096)");
        assertThatThrownBy(() -> JobSpec.train("n", Engine.LOCAL, List.of(), ""))
                .hasMessage("submitted_by: '' (expected: 1-128 characters, no control characters)");
    }

    @Test
    void jsonWithUnknownFieldsOrWrongKindsIsRefused() throws Exception {
        assertThatThrownBy(() -> JobSpec.fromJson(JSON.readTree("{\"name\":\"n\",\"type\":\"train\",\"engine\":\"yarn\","
                + "\"submitted_by\":\"u\"}"))).hasMessage("engine: 'yarn' (expected: one of local, launch, spark, kubernetes)");
        assertThatThrownBy(() -> JobSpec.fromJson(JSON.readTree("{\"name\":\"n\",\"type\":\"fit\",\"engine\":\"local\"}")))
                .hasMessage("type: 'fit' (expected: one of train, preprocess)");
        assertThatThrownBy(() -> JobSpec.fromJson(JSON.readTree("{\"name\":\"n\",\"epochs\":3}")))
                .hasMessageStartingWith("job spec: unknown field 'epochs' (expected: name, type, ");
        assertThatThrownBy(() -> JobSpec.fromJson(JSON.readTree("{\"name\":\"n\",\"type\":\"train\",\"engine\":\"local\","
                + "\"arguments\":\"--epochs 3\",\"submitted_by\":\"u\"}")))
                .hasMessage("arguments: \"--epochs 3\" (expected: an array of strings)");
        assertThatThrownBy(() -> JobSpec.fromJson(JSON.readTree("{\"name\":\"n\",\"type\":\"train\",\"engine\":\"local\","
                + "\"arguments\":[3],\"submitted_by\":\"u\"}"))).hasMessage("arguments[0]: 3 (expected: a string)");
        assertThatThrownBy(() -> JobSpec.fromJson(JSON.readTree("{\"name\":\"n\",\"type\":\"train\",\"engine\":\"local\","
                + "\"workers\":2.5,\"submitted_by\":\"u\"}"))).hasMessage("workers: 2.5 (expected: an integer)");
        assertThatThrownBy(() -> JobSpec.fromJson(JSON.readTree("[1]"))).hasMessage("job spec: [1] (expected: a JSON object)");
    }
}
