package io.ringfold.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one tokenisation of raw text, {@value #NAME}: a token is a maximal run of Unicode letters and digits
 * ({@link Character#isLetterOrDigit(int)} on code points, so accented letters, CJK ideographs and
 * non-ASCII digits belong to tokens and everything else, underscore and apostrophe included, separates
 * them), lower-cased with {@code String.toLowerCase(Locale.ROOT)}. With {@code ngrams = 2} the tokens are
 * followed by the bigrams of adjacent tokens, each written as the two tokens joined by one space (a space
 * never occurs inside a token, so a bigram cannot collide with a unigram). The Unicode tables are the
 * JVM's; the model's provenance records the JVM.
 */
public final class Tokenizer {

    /** The tokeniser's name in the preprocessor's JSON; a reader meeting another name refuses it. */
    public static final String NAME = "lowercase-alphanumeric";

    private Tokenizer() {
    }

    /** The unigrams of {@code text} in order, then, for {@code ngrams = 2}, its bigrams in order. */
    public static List<String> tokens(String text, int ngrams) {
        TextOptions.checkNgrams(ngrams);
        List<String> out = new ArrayList<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            int cp = text.codePointAt(i);
            if (!Character.isLetterOrDigit(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            do {
                i += Character.charCount(cp);
            } while (i < n && Character.isLetterOrDigit(cp = text.codePointAt(i)));
            out.add(text.substring(start, i).toLowerCase(Locale.ROOT));
        }
        if (ngrams == 2) {
            int unigrams = out.size();
            for (int t = 1; t < unigrams; t++) {
                out.add(out.get(t - 1) + ' ' + out.get(t));
            }
        }
        return out;
    }
}
