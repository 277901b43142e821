package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {

    @Test
    void keepsTheMostFrequentTokensWithTiesBrokenByText() {
        // Counts over all documents: b 4, a 3, c 2, d 2, e 1, f 1 (occurrences, not documents).
        List<String> docs = List.of("b b a c", "a b d", "a b c d e f");
        assertThat(Vocabulary.fit(docs, new TextOptions(3, 1)).tokens()).containsExactly("b", "a", "c");
        assertThat(Vocabulary.fit(docs, new TextOptions(5, 1)).tokens()).containsExactly("b", "a", "c", "d", "e");
        // Fewer distinct tokens than asked: all of them.
        Vocabulary all = Vocabulary.fit(docs, new TextOptions(100, 1));
        assertThat(all.tokens()).containsExactly("b", "a", "c", "d", "e", "f");
        assertThat(all.size()).isEqualTo(7);
        // The order of the documents changes nothing.
        assertThat(Vocabulary.fit(List.of(docs.get(2), docs.get(0), docs.get(1)), new TextOptions(100, 1)))
                .isEqualTo(all);
    }

    @Test
    void bigramsCompeteWithUnigramsForThePlaces() {
        // Unigrams: free 3, money 2, now 1, get 1; bigrams: "free money" 2, "money now" 1, "get free" 1.
        List<String> docs = List.of("free money now", "Get FREE money", "free");
        assertThat(Vocabulary.fit(docs, new TextOptions(4, 2)).tokens())
                .containsExactly("free", "free money", "money", "get");
    }

    @Test
    void countsTokensByIdWithUnknownTokensAtIdZero() {
        Vocabulary v = new Vocabulary(List.of("money", "free", "free money"), 2);
        assertThat(v.id("free")).isEqualTo(2);
        assertThat(v.id("lottery")).isZero();
        // Tokens: free, money, free, lottery, money; bigrams: "free money" (twice), "money free",
        // "free lottery", "lottery money": ids 2, 1, 2, 0, 1, 3, 0, 0, 0, 3.
        Vocabulary.TokenCounts c = v.count("Free money! FREE lottery, money");
        assertThat(c.ids()).containsExactly(0, 1, 2, 3);
        assertThat(c.counts()).containsExactly(4f, 2f, 2f, 1f);
        assertThat(c.tokens()).isEqualTo(9);
        assertThat(v.count("...").size()).isZero();
    }

    @Test
    void rejectsTokensTheTokenizerCannotProduce() {
        assertThatThrownBy(() -> new Vocabulary(List.of("a", "a"), 1))
                .hasMessage("vocabulary: token 'a' at ids 1 and 2 (expected: distinct tokens)");
        assertThatThrownBy(() -> new Vocabulary(List.of("a b"), 1))
                .hasMessage("vocabulary: token 1 'a b' (expected: a token of lowercase-alphanumeric)");
        assertThatThrownBy(() -> new Vocabulary(List.of("ok", "a  b"), 2))
                .hasMessage("vocabulary: token 2 'a  b' (expected: a token of lowercase-alphanumeric, or two joined by"
                        + " one space)");
        assertThatThrownBy(() -> new Vocabulary(List.of(""), 2)).hasMessageContaining("token 1 ''");
        assertThatThrownBy(() -> new TextOptions(0, 1)).hasMessage("vocabularySize: 0 (expected: 1 to 1000000)");
    }
}
