package io.ringfold.collective.secagg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the server sees of one client: a masked input unlike any client's input, whose bits look uniform
 * even when every input is zero (the masks are all there is to see). Not a proof of security (the paper
 * gives that), a check that the masks are applied at all and are not structured.
 */
class ServerViewTest {

    private static final long SEED = Long.getLong("ringfold.secagg.seed", 7L);
    private static final int LENGTH = 100_000;

    @Test
    void maskedInputsShareNoElementWithAnyInput() {
        System.out.println("ServerViewTest: seed " + SEED);
        Simulation s = new Simulation(SecAggParameters.of(1, 6, LENGTH), SEED);
        s.run();

        for (Map.Entry<Integer, SecAggMessage.MaskedInput> y : s.maskedInputs.entrySet()) {
            for (Map.Entry<Integer, long[]> x : s.inputs.entrySet()) {
                assertThat(equalElements(y.getValue().masked(), x.getValue()))
                        .as("elements of client %d's masked input equal to client %d's input (seed %d)", y.getKey(),
                                x.getKey(), SEED)
                        .isZero();
            }
        }
    }

    @Test
    void maskedZeroInputHasBalancedLowBitsAndUniformLowBytes() {
        System.out.println("ServerViewTest: seed " + SEED);
        Simulation s = new Simulation(SecAggParameters.of(2, 5, LENGTH), SEED);
        for (int id : s.parameters.clients()) {
            s.inputs.put(id, new long[LENGTH]);
        }
        // Client 0 is the only one with no smaller id: its pairwise masks are all added, none subtracted.
        s.run(Set.of(), Set.of(), Set.of(), Set.of());
        long[] y = s.maskedInputs.get(0).masked();

        // Each bit is 1 with probability 1/2: over 100,000 values the fraction's standard deviation is 0.0016;
        // 0.01 is six of them.
        for (int bit : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 31, 63}) {
            long ones = 0;
            for (long v : y) {
                ones += (v >>> bit) & 1;
            }
            assertThat((double) ones / LENGTH).as("fraction of ones in bit %d (seed %d)", bit, SEED).isBetween(0.49, 0.51);
        }
        // Low bytes: chi-square over 256 cells has 255 degrees of freedom, mean 255 and standard deviation 22.6;
        // 390 is six of them above the mean.
        long[] counts = new long[256];
        for (long v : y) {
            counts[(int) (v & 0xff)]++;
        }
        double expected = LENGTH / 256.0;
        double chi = 0;
        for (long c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        assertThat(chi).as("chi-square of the low bytes (seed %d)", SEED).isLessThan(390);
    }

    private static int equalElements(long[] a, long[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                n++;
            }
        }
        return n;
    }
}
