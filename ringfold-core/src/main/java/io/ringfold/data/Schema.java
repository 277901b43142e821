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
 * @param textColumns             raw column name to how its vocabulary is to be fitted, for a column of raw
 *                                text: its cells in the feature matrix are 0 and its documents are in
 *                                {@link Dataset#documents()}. At most one (several text columns would each
 *                                need a vocabulary and a place in the model's input; join them into one
 *                                instead), not categorical.
 */
public record Schema(List<String> featureNames, List<String> classNames,
                     Map<String, List<String>> categoricalVocabularies, String labelName,
                     Map<String, TextOptions> textColumns) {

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
        textColumns = checkText(featureNames, categoricalVocabularies, textColumns);
    }

    /** A schema without text columns. */
    public Schema(List<String> featureNames, List<String> classNames, Map<String, List<String>> categoricalVocabularies,
                  String labelName) {
        this(featureNames, classNames, categoricalVocabularies, labelName, Map.of());
    }

    /** A schema without text columns, label named {@code "label"}. */
    public Schema(List<String> featureNames, List<String> classNames, Map<String, List<String>> categoricalVocabularies) {
        this(featureNames, classNames, categoricalVocabularies, "label");
    }

    private static Map<String, TextOptions> checkText(List<String> featureNames, Map<String, List<String>> categorical,
                                                      Map<String, TextOptions> textColumns) {
        if (textColumns.size() > 1) {
            throw new IllegalArgumentException("textColumns: " + textColumns.keySet() + " (expected: at most one text"
                    + " column; join the texts into one column)");
        }
        for (Map.Entry<String, TextOptions> e : textColumns.entrySet()) {
            Objects.requireNonNull(e.getValue(), "textColumns value");
            if (!featureNames.contains(e.getKey()) || categorical.containsKey(e.getKey())) {
                throw new IllegalArgumentException("textColumns: '" + e.getKey() + "' (expected: a feature name among "
                        + featureNames + ", not categorical)");
            }
        }
        return Map.copyOf(textColumns);
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

    public boolean isText(String column) {
        return textColumns.containsKey(column);
    }

    /** The text column's name, if the data have one. */
    public java.util.Optional<String> textColumn() {
        return textColumns.keySet().stream().findFirst();
    }

    /** The same schema with other feature names and vocabularies and no text column (after preprocessing). */
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
