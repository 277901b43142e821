package io.ringfold.serving.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast path for decimal numbers gives Double.parseDouble's bits wherever it answers. */
class PlainJsonTest {

    private static final long SEED = Long.getLong("ringfold.fuzz.seed", 20261208L);

    private static double fast(String number) {
        byte[] b = number.getBytes(StandardCharsets.ISO_8859_1);
        return new PlainJson(b).exactDecimal(0, b.length);
    }

    @Test
    void theFastPathEqualsParseDoubleOnRandomDecimals() {
        System.out.println("PlainJsonTest.theFastPathEqualsParseDoubleOnRandomDecimals: seed " + SEED);
        SplittableRandom r = new SplittableRandom(SEED);
        int answered = 0;
        for (int i = 0; i < 200_000; i++) {
            String s = switch (i % 4) {
                case 0 -> Float.toString(Math.abs(Float.intBitsToFloat(r.nextInt())));
                case 1 -> Double.toString(Math.abs(r.nextDouble() * Math.pow(10, r.nextInt(-12, 12))));
                case 2 -> digits(r, 1 + r.nextInt(19)) + "." + digits(r, 1 + r.nextInt(19));
                default -> digits(r, 1 + r.nextInt(8)) + (r.nextBoolean() ? "." + digits(r, 1 + r.nextInt(8)) : "")
                        + (r.nextBoolean() ? "e" : "E") + (r.nextBoolean() ? "-" : r.nextBoolean() ? "+" : "")
                        + r.nextInt(40);
            };
            if (s.contains("Infinity") || s.contains("NaN")) {
                continue;
            }
            double d = fast(s);
            if (!Double.isNaN(d)) {
                answered++;
                assertThat(Double.doubleToRawLongBits(d)).as(s).isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(s)));
            }
        }
        // Half of these are within its range (random float bits mostly have exponents beyond 10^22): a fast path
        // that never answered would pass the loop above.
        assertThat(answered).isGreaterThan(90_000);
    }

    @Test
    void shortNumbersReadAsParseDoubleAndTheIntegerPathReadThem() {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        for (int i = 0; i < 200_000; i++) {
            int whole = 1 + r.nextInt(16);
            String s = (r.nextBoolean() ? "-" : "") + (whole == 1 ? digits(r, 1) : (char) ('1' + r.nextInt(9))
                    + digits(r, whole - 1));
            boolean integral = r.nextInt(4) == 0;
            if (!integral) {
                s += "." + (r.nextBoolean() ? digits(r, 1 + r.nextInt(3)) : digits(r, 1 + r.nextInt(16)));
            }
            ExactFloats out = new ExactFloats();
            PlainJson j = new PlainJson(("[" + s + "]").getBytes(StandardCharsets.ISO_8859_1));
            assertThat(j.take('[')).isTrue();
            boolean read = j.number(out);
            if (integral) {
                assertThat(read).as(s).isTrue();
                assertThat(out.values()[0]).as(s).isEqualTo((float) Long.parseLong(s));
                continue;
            }
            double d = Double.parseDouble(s);
            assertThat(read).as(s).isEqualTo((float) d == d);
            if (read) {
                assertThat(Float.floatToRawIntBits(out.values()[0])).as(s).isEqualTo(Float.floatToRawIntBits((float) d));
                assertThat(j.take(']')).as(s).isTrue();
            }
        }
    }

    @Test
    void itAnswersOnlyWithinExactOperands() {
        assertThat(fast("0.0625")).isEqualTo(0.0625);
        assertThat(fast("1e22")).isEqualTo(1e22);
        assertThat(fast("1.5E-3")).isEqualTo(1.5e-3);
        assertThat(fast("9007199254740992e0")).isEqualTo(9007199254740992.0); // 2^53
        assertThat(fast("9007199254740993e0")).isNaN(); // 2^53 + 1: not an exact double
        assertThat(fast("9007199254740992.0")).isNaN(); // ten times 2^53 as digits
        assertThat(fast("1e23")).isNaN();
        assertThat(fast("1e-23")).isNaN();
        assertThat(fast("0.00000000000000000000001")).isNaN();
    }

    @Test
    void negativeNumbersAndZeroKeepTheirSign() {
        ExactFloats out = new ExactFloats();
        PlainJson j = new PlainJson("[-0.0, -2.5, 0.0, 3.25e1]".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(j.take('[')).isTrue();
        do {
            assertThat(j.number(out)).isTrue();
        } while (j.take(','));
        assertThat(out.size()).isEqualTo(4);
        assertThat(Float.floatToRawIntBits(out.values()[0])).isEqualTo(Float.floatToRawIntBits(-0.0f));
        assertThat(out.values()[1]).isEqualTo(-2.5f);
        assertThat(Float.floatToRawIntBits(out.values()[2])).isEqualTo(0);
        assertThat(out.values()[3]).isEqualTo(32.5f);
    }

    private static String digits(SplittableRandom r, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('0' + r.nextInt(10)));
        }
        return b.toString();
    }
}
