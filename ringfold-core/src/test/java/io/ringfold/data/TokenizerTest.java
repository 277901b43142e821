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
}
