package io.ringfold.train;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One training hyperparameter, declared once ({@link Hyperparameters}): its name (the field of
 * {@link TrainingConfig}, of the model file's and the run record's JSON, and the Spark Param's), its
 * {@code ringfold train} flag, its default, which values are valid, and its help text. The record, the command
 * line and the Spark estimators all read these definitions, so they cannot drift apart.
 *
 * @param <T> the value's Java type
 */
public final class Hyperparameter<T> {

    private final String name;
    private final String flag;
    private final String sparkName;
    private final ValueType<T> type;
    private final T defaultValue;
    private final Predicate<T> valid;
    private final String expected;
    private final String help;
    private final Function<TrainingConfig, T> get;

    Hyperparameter(String name, String flag, String sparkName, ValueType<T> type, T defaultValue, Predicate<T> valid,
                   String expected, String help, Function<TrainingConfig, T> get) {
        this.name = name;
        this.flag = flag;
        this.sparkName = sparkName;
        this.type = type;
        this.defaultValue = defaultValue;
        this.valid = valid;
        this.expected = expected;
        this.help = help;
        this.get = get;
    }

    /** The field's name in {@link TrainingConfig} and its JSON. */
    public String name() {
        return name;
    }

    /** The {@code ringfold train} flag, e.g. {@code --lr}. A boolean's flag sets the opposite of its default. */
    public String flag() {
        return flag;
    }

    /**
     * The Spark estimators' Param name, or null where a Spark pipeline does this itself (splits,
     * standardisation) or the estimator decides it (the loss).
     */
    public String sparkName() {
        return sparkName;
    }

    public ValueType<T> type() {
        return type;
    }

    /** The default, or null where it depends on other values (the loss, by model and labels). */
    public T defaultValue() {
        return defaultValue;
    }

    /** What a valid value is, as the error messages say it, e.g. {@code "> 0"}. */
    public String expected() {
        return expected;
    }

    /** One sentence for {@code --help} and the Spark Param's doc. */
    public String help() {
        return help;
    }

    public T get(TrainingConfig config) {
        return get.apply(config);
    }

    /** {@code value} if valid, else an error naming this hyperparameter, the value and what is expected. */
    public T check(T value) {
        if (value == null ? defaultValue != null : !valid.test(value)) {
            throw invalid(value == null ? "none" : type.format(value));
        }
        return value;
    }

    /** Whether {@code value} is valid on its own (the combination is {@link TrainingConfig}'s to check). */
    public boolean accepts(T value) {
        return value == null ? defaultValue == null : valid.test(value);
    }

    /** The value a command-line argument or a Spark string Param spells; checked. */
    public T parse(String text) {
        T value;
        try {
            value = type.parse(text);
        } catch (IllegalArgumentException e) {
            throw ownOrInvalid(e, text);
        }
        return check(value);
    }

    /** The value a JSON field holds; checked. */
    public T fromJson(JsonNode node) {
        T value;
        try {
            value = node.isNull() ? null : type.fromJson(node);
        } catch (IllegalArgumentException e) {
            throw ownOrInvalid(e, node.toString());
        }
        return check(value);
    }

    public JsonNode toJson(T value) {
        return type.toJson(value);
    }

    /** As the command line spells it: {@code 0.001}, {@code relu}, {@code 128,64}. */
    public String format(T value) {
        return value == null ? "" : type.format(value);
    }

    /** The parser's own message where it names this hyperparameter (a layer's position), else the generic one. */
    private IllegalArgumentException ownOrInvalid(IllegalArgumentException e, String value) {
        String m = e.getMessage();
        if (m != null && (m.startsWith(name + "[") || m.startsWith(name + ":"))) {
            return e;
        }
        return new IllegalArgumentException(name + ": " + value + " (expected: "
                + (type.noun() == null ? "" : type.noun() + ", ") + expected + ")");
    }

    IllegalArgumentException invalid(String value) {
        return new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }

    @Override
    public String toString() {
        return name;
    }
}
