package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenizerTest {

    @Test
    void lowerCasesAndSplitsOnEverythingButLettersAndDigits() {
        assertThat(Tokenizer.tokens("Free MONEY!!! Call 0800-555_123 now: it's free.", 1))
                .containsExactly("free", "money", "call", "0800", "555", "123", "now", "it", "s", "free");
        assertThat(Tokenizer.tokens("", 1)).isEmpty();
        assertThat(Tokenizer.tokens(" \r\n\t--- ", 2)).isEmpty();
    }

    @Test
    void unicodeLettersAndDigitsBelongToTokens() {
        // Accented and Greek letters, an ideograph, Arabic-Indic digits; a supplementary letter (U+1D400,
        // MATHEMATICAL BOLD CAPITAL A) is one code point of two chars; the euro sign and the dash separate.
        assertThat(Tokenizer.tokens("Café ΣΟΦΙΑ 東京 ٣٤€x—𝐀b", 1))
                .containsExactly("café", "σοφια", "東京", "٣٤", "x", "𝐀b");
    }

    @Test
    void bigramsOfAdjacentTokensFollowTheUnigrams() {
        assertThat(Tokenizer.tokens("Win a prize, now", 2))
                .containsExactly("win", "a", "prize", "now", "win a", "a prize", "prize now");
        assertThat(Tokenizer.tokens("alone", 2)).containsExactly("alone");
        assertThatThrownBy(() -> Tokenizer.tokens("x", 3)).hasMessage("ngrams: 3 (expected: 1 or 2)");
    }

    /** The tokenizer against its definition written as a regular expression, on random mixed text. */
    @Test
    void agreesWithTheDefinitionOnRandomText() {
        long seed = 20261207L;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        java.util.regex.Pattern token = java.util.regex.Pattern.compile("[\\p{L}\\p{Nd}]+");
        String alphabet = "aZz09_ -,.'\n\r\tÉéßİıΣς東٣€\u00a0\u0301";
        int[] extra = {0x1D400, 0x1F600, 0x10400}; // a letter, an emoji, DESERET CAPITAL LONG I (lower-cases)
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder text = new StringBuilder();
            for (int k = rnd.nextInt(40); k > 0; k--) {
                if (rnd.nextInt(10) == 0) {
                    text.appendCodePoint(extra[rnd.nextInt(extra.length)]);
                } else {
                    text.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            java.util.List<String> expected = new java.util.ArrayList<>();
            java.util.regex.Matcher m = token.matcher(text);
            while (m.find()) {
                expected.add(m.group().toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(Tokenizer.tokens(text.toString(), 1)).as("seed %d, text '%s'", seed, text)
                    .isEqualTo(expected);
        }
    }
}
