package io.ringfold.serving.repository;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RepositoryNames#isModelName} against the rule as a regular expression (the form it had before it
 * became a loop): the same answer for hand-picked names and for random strings over the characters that
 * matter.
 */
class RepositoryNamesTest {

    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final long SEED = 20261128L;

    private static boolean byRule(String s) {
        return s != null && RULE.matcher(s).matches() && !s.contains("..");
    }

    @Test
    void modelNamesFollowTheRule() {
        List<String> names = new ArrayList<>(List.of("iris", "digits", "a", "A-1_b.c", "9", "a.b.c", "a..b", ".a", "_a",
                "-a", "a.", "a-", "a/b", "a b", "", "é", "a\u0000", "x".repeat(128), "x".repeat(129), "a:predict", "..",
                "a...b", "Z".repeat(127) + "."));
        SplittableRandom rnd = new SplittableRandom(SEED);
        String alphabet = "aZ09._-/: \u00e9\u0661";
        for (int i = 0; i < 20_000; i++) {
            int n = rnd.nextInt(10) == 0 ? 120 + rnd.nextInt(16) : rnd.nextInt(6);
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < n; k++) {
                b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            names.add(b.toString());
        }
        for (String s : names) {
            assertThat(RepositoryNames.isModelName(s)).as("'%s' (seed %d)", s, SEED).isEqualTo(byRule(s));
        }
        assertThat(RepositoryNames.isModelName(null)).isFalse();
        assertThat(names.stream().filter(RepositoryNames::isModelName).count()).isGreaterThan(1000);
    }
}
