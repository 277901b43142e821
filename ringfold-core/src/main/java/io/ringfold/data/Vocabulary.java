package io.ringfold.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokens a text column's model knows, fitted on the training split only and stored with the model.
 * Immutable.
 *
 * <p>Token ids: id 0 stands for every token outside the vocabulary; the kept tokens have ids 1..N in
 * order of decreasing count over the training documents (every occurrence counts, not the number of
 * documents), ties broken by the token's text ({@code String.compareTo}, UTF-16 order), so the same
 * documents always give the same ids.
 *
 * <p>The representation a document gets (see {@link #count}) is a bag of words: the sorted distinct ids of
 * its tokens with the number of times each occurs, an unknown token counting towards id 0. Written as a
 * {@code CsrMatrix} row (columns = token ids, values = counts) it is the input of a linear model on token
 * counts, and of an embedding bag: the sum of the token embeddings is the counts times the embedding table,
 * their mean that divided by the number of tokens (the sum of the counts). A document without tokens is an
 * empty row.
 */
public final class Vocabulary {

    /** The ids of a document's tokens, sorted and distinct, and how often each occurs (exact in float). */
    public record TokenCounts(int[] ids, float[] counts) {
        public int size() {
            return ids.length;
        }

        /** The number of tokens in the document: the sum of the counts. */
        public long tokens() {
            long sum = 0;
            for (float c : counts) {
                sum += (long) c;
            }
            return sum;
        }
    }

    private final List<String> tokens; // id i + 1
    private final int ngrams;
    private final Map<String, Integer> ids;

    /**
     * @param tokens the tokens with ids 1..N in order; distinct, each what {@link Tokenizer} gives for
     *               {@code ngrams} (no blanks but the one joining a bigram's tokens)
     */
    public Vocabulary(List<String> tokens, int ngrams) {
        TextOptions.checkNgrams(ngrams);
        this.tokens = List.copyOf(tokens);
        this.ngrams = ngrams;
        this.ids = new HashMap<>(Math.max(16, (int) (this.tokens.size() / 0.75f) + 1));
        for (int i = 0; i < this.tokens.size(); i++) {
            String t = this.tokens.get(i);
            checkToken(i + 1, t, ngrams);
            Integer earlier = ids.put(t, i + 1);
            if (earlier != null) {
                throw new IllegalArgumentException("vocabulary: token '" + t + "' at ids " + earlier + " and "
                        + (i + 1) + " (expected: distinct tokens)");
            }
        }
    }

    private static void checkToken(int id, String t, int ngrams) {
        int spaces = 0;
        boolean ok = !t.isEmpty() && t.charAt(0) != ' ' && t.charAt(t.length() - 1) != ' ';
        for (int i = 0; ok && i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == ' ') {
                spaces++;
                ok = t.charAt(i - 1) != ' ';
            } else {
                ok = !Character.isWhitespace(c);
            }
        }
        if (!ok || spaces > ngrams - 1) {
            throw new IllegalArgumentException("vocabulary: token " + id + " " + DataFormatException.quote(t)
                    + " (expected: a token of " + Tokenizer.NAME + (ngrams == 2 ? ", or two joined by one space" : "")
                    + ")");
        }
    }

    /**
     * The {@code options.vocabularySize()} most frequent tokens of {@code documents} (fewer when the
     * documents hold fewer distinct tokens), by the rule in the class comment.
     */
    public static Vocabulary fit(List<String> documents, TextOptions options) {
        Map<String, int[]> counts = new HashMap<>();
        for (String doc : documents) {
            for (String t : Tokenizer.tokens(doc, options.ngrams())) {
                int[] c = counts.get(t);
                if (c == null) {
                    counts.put(t, new int[] {1});
                } else {
                    c[0]++;
                }
            }
        }
        List<Map.Entry<String, int[]>> all = new ArrayList<>(counts.entrySet());
        all.sort((a, b) -> {
            int byCount = Integer.compare(b.getValue()[0], a.getValue()[0]);
            return byCount != 0 ? byCount : a.getKey().compareTo(b.getKey());
        });
        int kept = Math.min(all.size(), options.vocabularySize());
        List<String> tokens = new ArrayList<>(kept);
        for (int i = 0; i < kept; i++) {
            tokens.add(all.get(i).getKey());
        }
        return new Vocabulary(tokens, options.ngrams());
    }

    /** Width of the bag-of-words row: the kept tokens plus id 0 for unknown tokens. */
    public int size() {
        return tokens.size() + 1;
    }

    /** The kept tokens; token {@code i} of the list has id {@code i + 1}. */
    public List<String> tokens() {
        return Collections.unmodifiableList(tokens);
    }

    public int ngrams() {
        return ngrams;
    }

    /** The id of {@code token}, 0 when it is not in the vocabulary. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? 0 : id;
    }

    /** The bag of words of {@code document} (see the class comment). */
    public TokenCounts count(String document) {
        List<String> toks = Tokenizer.tokens(document, ngrams);
        int[] all = new int[toks.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = id(toks.get(i));
        }
        Arrays.sort(all);
        int distinct = 0;
        for (int i = 0; i < all.length; i++) {
            if (i == 0 || all[i] != all[i - 1]) {
                distinct++;
            }
        }
        int[] outIds = new int[distinct];
        float[] outCounts = new float[distinct];
        int d = -1;
        for (int i = 0; i < all.length; i++) {
            if (i == 0 || all[i] != all[i - 1]) {
                outIds[++d] = all[i];
            }
            outCounts[d]++;
        }
        return new TokenCounts(outIds, outCounts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && v.ngrams == ngrams && v.tokens.equals(tokens);
    }

    @Override
    public int hashCode() {
        return 31 * tokens.hashCode() + ngrams;
    }

    @Override
    public String toString() {
        return "Vocabulary[" + tokens.size() + " tokens + unknown, ngrams " + ngrams + "]";
    }
}
