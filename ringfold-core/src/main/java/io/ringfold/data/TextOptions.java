package io.ringfold.data;

/**
 * How a text column's vocabulary is fitted: keep the {@code vocabularySize} most frequent tokens of the
 * training split (n-grams of up to {@code ngrams} tokens, see {@link Tokenizer}). Set on the command line by
 * {@code train --vocab-size N --ngrams 1|2}.
 *
 * @param vocabularySize most tokens kept, 1 to {@value #MAX_VOCABULARY_SIZE}; the model's text input is one
 *                       wider, as id 0 stands for every token outside the vocabulary
 * @param ngrams         1: unigrams; 2: unigrams and bigrams of adjacent tokens
 */
public record TextOptions(int vocabularySize, int ngrams) {

    public static final int DEFAULT_VOCABULARY_SIZE = 20_000;
    /** Below the default model limit on input columns (2^20), so that every model trained loads. */
    public static final int MAX_VOCABULARY_SIZE = 1_000_000;
    public static final TextOptions DEFAULTS = new TextOptions(DEFAULT_VOCABULARY_SIZE, 1);

    public TextOptions {
        if (vocabularySize < 1 || vocabularySize > MAX_VOCABULARY_SIZE) {
            throw new IllegalArgumentException("vocabularySize: " + vocabularySize + " (expected: 1 to "
                    + MAX_VOCABULARY_SIZE + ")");
        }
        checkNgrams(ngrams);
    }

    static void checkNgrams(int ngrams) {
        if (ngrams != 1 && ngrams != 2) {
            throw new IllegalArgumentException("ngrams: " + ngrams + " (expected: 1 or 2)");
        }
    }
}
