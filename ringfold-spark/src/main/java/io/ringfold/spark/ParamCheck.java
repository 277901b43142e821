package io.ringfold.spark;

import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A Spark ML param validator that fails with Ringfold's message ({@code learningRate: -0.1 (expected: > 0)})
 * instead of answering false, which would make Spark report only "given invalid value". It runs when a
 * value is set, so a bad value fails at the setter, long before any job.
 */
final class ParamCheck<T> extends AbstractFunction1<T, Object> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Serializable, since params travel with the stage that owns them. */
    interface Rule<T> extends Predicate<T>, Serializable {
    }

    private final String name;
    private final String expected;
    private final Rule<T> rule;

    private ParamCheck(String name, String expected, Rule<T> rule) {
        this.name = name;
        this.expected = expected;
        this.rule = rule;
    }

    static <T> ParamCheck<T> of(String name, String expected, Rule<T> rule) {
        return new ParamCheck<>(name, expected, rule);
    }

    static ParamCheck<Object> positiveInt(String name) {
        return of(name, "> 0", v -> (Integer) v > 0);
    }

    static ParamCheck<Object> positiveFinite(String name) {
        return of(name, "> 0", v -> (Double) v > 0 && Double.isFinite((Double) v));
    }

    static ParamCheck<String> oneOf(String name, Set<String> values) {
        return of(name, "one of " + new java.util.TreeSet<>(values), values::contains);
    }

    static ParamCheck<String> nonEmpty(String name) {
        return of(name, "a non-empty column name", v -> v != null && !v.isEmpty());
    }

    @Override
    public Object apply(T value) {
        if (!rule.test(value)) {
            String shown = value instanceof int[] a ? java.util.Arrays.toString(a)
                    : value instanceof double[] d ? java.util.Arrays.toString(d) : String.valueOf(value);
            throw new IllegalArgumentException(name + ": " + shown + " (expected: " + expected + ")");
        }
        return Boolean.TRUE;
    }
}
