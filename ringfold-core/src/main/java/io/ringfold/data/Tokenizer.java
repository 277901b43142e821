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
        char[] ascii = new char[64];
        int i = 0;
        while (i < n) {
            char ch = text.charAt(i);
            if (ch < 128 ? !ASCII_ALNUM[ch] : !Character.isLetterOrDigit(text.codePointAt(i))) {
                i += ch < 128 ? 1 : Character.charCount(text.codePointAt(i));
                continue;
            }
            int start = i;
            boolean allAscii = true;
            while (i < n) {
                ch = text.charAt(i);
                if (ch < 128) {
                    if (!ASCII_ALNUM[ch]) {
                        break;
                    }
                    i++;
                } else {
                    int cp = text.codePointAt(i);
                    if (!Character.isLetterOrDigit(cp)) {
                        break;
                    }
                    allAscii = false;
                    i += Character.charCount(cp);
                }
            }
            out.add(allAscii ? lowerAscii(text, start, i, ascii) : text.substring(start, i).toLowerCase(Locale.ROOT));
        }
        if (ngrams == 2) {
            int unigrams = out.size();
            for (int t = 1; t < unigrams; t++) {
                out.add(out.get(t - 1) + ' ' + out.get(t));
            }
        }
        return out;
    }

    private static final boolean[] ASCII_ALNUM = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            ASCII_ALNUM[c] = Character.isLetterOrDigit(c);
        }
    }

    /**
     * {@code text[start, end)}, all ASCII, lower-cased: what {@code toLowerCase(Locale.ROOT)} gives for ASCII,
     * with one copy instead of two (tokenising is most of the time a text model spends outside training).
     */
    private static String lowerAscii(String text, int start, int end, char[] buffer) {
        int len = end - start;
        char[] b = len <= buffer.length ? buffer : new char[len];
        for (int k = 0; k < len; k++) {
            char c = text.charAt(start + k);
            b[k] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return new String(b, 0, len);
    }
}
