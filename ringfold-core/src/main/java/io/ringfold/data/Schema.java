package io.ringfold.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the columns of a {@link Dataset} mean.
 *
 * @param featureNames            one name per feature column, in order, distinct
 * @param classNames              label {@code i} means {@code classNames.get(i)}; the CSV reader gives string
 *                                labels their sorted names, known data sets (Fashion-MNIST) their published
 *                                names; empty when the labels are plain numbers
 * @param categoricalVocabularies raw column name to its sorted categories, for columns declared categorical;
 *                                such a column holds the category's index in this list as a float. Ordered
 *                                as the columns are.
 * @param labelName               name of the label column (for messages and model files)
 */
public record Schema(List<String> featureNames, List<String> classNames,
                     Map<String, List<String>> categoricalVocabularies, String labelName) {

    public Schema {
        featureNames = List.copyOf(featureNames);
        classNames = List.copyOf(classNames);
        Objects.requireNonNull(labelName, "labelName");
        Set<String> seen = new HashSet<>();
        for (String f : featureNames) {
            if (!seen.add(f)) {
                throw new IllegalArgumentException("featureNames: duplicate '" + f + "' (expected: distinct names)");
            }
        }
        if (new HashSet<>(classNames).size() != classNames.size()) {
            throw new IllegalArgumentException("classNames: " + classNames + " (expected: distinct names)");
        }
        Map<String, List<String>> vocab = new LinkedHashMap<>();
        for (String f : featureNames) {
            List<String> cats = categoricalVocabularies.get(f);
            if (cats != null) {
                List<String> copy = List.copyOf(cats);
                checkSortedDistinct("categories of '" + f + "'", copy);
                if (copy.isEmpty()) {
                    throw new IllegalArgumentException("categories of '" + f + "': empty (expected: at least one)");
                }
                vocab.put(f, copy);
            }
        }
        if (vocab.size() != categoricalVocabularies.size()) {
            List<String> unknown = new ArrayList<>(categoricalVocabularies.keySet());
            unknown.removeAll(featureNames);
            throw new IllegalArgumentException("categoricalVocabularies: columns " + unknown
                    + " (expected: feature names among " + featureNames + ")");
        }
        categoricalVocabularies = Collections.unmodifiableMap(vocab);
    }

    /** A schema without categorical columns or class names, label named {@code "label"}. */
    public Schema(List<String> featureNames, List<String> classNames, Map<String, List<String>> categoricalVocabularies) {
        this(featureNames, classNames, categoricalVocabularies, "label");
    }

    /** Numeric features named {@code f0..f(n-1)}, numeric labels. */
    public static Schema numeric(int numFeatures) {
        return new Schema(generatedNames("f", numFeatures), List.of(), Map.of(), "label");
    }

    /** {@code prefix0, prefix1, ...}. */
    static List<String> generatedNames(String prefix, int n) {
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(prefix + i);
        }
        return names;
    }

    public int numFeatures() {
        return featureNames.size();
    }

    public boolean isCategorical(String column) {
        return categoricalVocabularies.containsKey(column);
    }

    /** The same schema with other feature names and vocabularies (after preprocessing). */
    Schema withFeatures(List<String> names, Map<String, List<String>> vocabularies) {
        return new Schema(names, classNames, vocabularies, labelName);
    }

    private static void checkSortedDistinct(String what, List<String> values) {
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i - 1).compareTo(values.get(i)) >= 0) {
                throw new IllegalArgumentException(what + ": " + values + " (expected: sorted, distinct)");
            }
        }
    }
}
