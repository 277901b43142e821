package io.ringfold.collective.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientUpdatePrivacyTest {

    private static final long SEED = Long.getLong("ringfold.secagg.seed", 11L);

    @Test
    void clipScalesAnUpdateAboveTheNormAndLeavesOneWithin() {
        float[] over = {3f, 4f};
        assertThat(ClientUpdatePrivacy.clip(over, 1.0)).isEqualTo(5.0);
        assertThat(over).containsExactly(0.6f, 0.8f);

        float[] within = {0.3f, 0.4f};
        assertThat(ClientUpdatePrivacy.clip(within, 1.0)).isCloseTo(0.5, within(1e-7));
        assertThat(within).containsExactly(0.3f, 0.4f);
    }

    @Test
    void noiseHasTheDocumentedScaleSplitAmongTheClients() {
        // z = 1.1, C = 2, 25 clients: each adds 1.1 * 2 / 5 = 0.44.
        double sigma = ClientUpdatePrivacy.noiseStddev(1.1, 2.0, 25);
        assertThat(sigma).isCloseTo(0.44, within(1e-12));
        System.out.println("ClientUpdatePrivacyTest: seed " + SEED);
        float[] update = new float[200_000];
        ClientUpdatePrivacy.addGaussianNoise(update, sigma, new Random(SEED));

        double sum = 0;
        double squares = 0;
        for (float v : update) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / update.length;
        double sd = Math.sqrt(squares / update.length - mean * mean);
        // Over 200,000 draws the mean's standard error is sigma / 447 and the deviation's sigma / 632: six of each.
        assertThat(mean).as("seed %d", SEED).isCloseTo(0.0, within(6 * sigma / 447));
        assertThat(sd).as("seed %d", SEED).isCloseTo(sigma, within(6 * sigma / 632));
    }
}
