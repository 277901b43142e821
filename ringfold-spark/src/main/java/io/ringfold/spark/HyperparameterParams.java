package io.ringfold.spark;

import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.TrainingConfig;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The estimators' training Params, made from the one declaration of each hyperparameter ({@link Hyperparameters}):
 * name, doc, default and validation come from there, so a Param cannot disagree with {@code ringfold train}'s
 * flag or the model file's field. Spark's value types: integers as IntParam and LongParam, float32 and double
 * values as DoubleParam, words and layer lists as strings (the command line's spelling), widths and shapes as
 * IntArrayParam.
 */
final class HyperparameterParams {

    private HyperparameterParams() {
    }

    /**
     * MLlib's spellings of a hyperparameter's values that Ringfold spells otherwise, accepted as aliases so that
     * a pipeline written for MLlib keeps its values: {@code solver} {@code l-bfgs} is Ringfold's {@code lbfgs}.
     */
    private static final Map<String, Map<String, String>> MLLIB_SPELLINGS = Map.of(
            Hyperparameters.SOLVER.name(), Map.of("l-bfgs", "lbfgs"));

    /**
     * A Param for each hyperparameter that has a Spark name, less {@code excluded} (those that do not apply to
     * the estimator); {@code modelTypes} narrows the model families.
     */
    static Map<Hyperparameter<?>, Param<?>> create(Params owner, Set<String> modelTypes,
                                                  Set<Hyperparameter<?>> excluded) {
        Map<Hyperparameter<?>, Param<?>> out = new LinkedHashMap<>();
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            if (h.sparkName() != null && !excluded.contains(h)) {
                out.put(h, param(owner, h, h == Hyperparameters.MODEL ? modelTypes : null));
            }
        }
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Param<?> param(Params owner, Hyperparameter<?> h, Set<String> choices) {
        String doc = h.help() + " Expected: " + (choices == null ? h.expected()
                : String.join(", ", new java.util.TreeSet<>(choices))) + ".";
        scala.Function1 check = new Check(h.name(), choices);
        return switch (h.type().kind()) {
            case INT -> new IntParam(owner, h.sparkName(), doc, check);
            case LONG -> new LongParam(owner, h.sparkName(), doc, check);
            case FLOAT, DOUBLE -> new DoubleParam(owner, h.sparkName(), doc, check);
            case BOOLEAN -> new BooleanParam(owner, h.sparkName(), doc); // every boolean is valid
            case INTS -> new IntArrayParam(owner, h.sparkName(), doc, check);
            case WORD, LAYERS -> new Param<String>(owner, h.sparkName(), doc, check);
        };
    }

    /** The hyperparameter's value that a Param's value stands for. */
    static Object value(Hyperparameter<?> h, Object sparkValue) {
        return switch (h.type().kind()) {
            case FLOAT -> (float) (double) (Double) sparkValue;
            case WORD, LAYERS -> h.parse(MLLIB_SPELLINGS.getOrDefault(h.name(), Map.of())
                    .getOrDefault((String) sparkValue, (String) sparkValue));
            default -> sparkValue;
        };
    }

    /** The Param's value for a hyperparameter's value: its default, for {@code setDefault}. */
    @SuppressWarnings("unchecked")
    static Object sparkValue(Hyperparameter<?> h, Object value) {
        Hyperparameter<Object> any = (Hyperparameter<Object>) h;
        return switch (h.type().kind()) {
            case FLOAT -> Double.parseDouble(value.toString());
            case WORD, LAYERS -> any.format(value);
            default -> value;
        };
    }

    /**
     * {@code message} with the hyperparameter's name at its start replaced by its Param's, where they differ
     * ({@code hidden: ...} becomes {@code hiddenLayers: ...}), so an error names what the user set.
     */
    static String renamed(String message) {
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            if (h.sparkName() != null && !h.sparkName().equals(h.name()) && message.startsWith(h.name() + ":")) {
                return h.sparkName() + message.substring(h.name().length());
            }
        }
        return message;
    }

    /**
     * Validates a value when it is set, with the declaration's rule and message. Serializable, since Params
     * travel with their stage: it holds the hyperparameter's name and finds the declaration again.
     */
    private static final class Check extends AbstractFunction1<Object, Object> implements Serializable {

        private static final long serialVersionUID = 1L;
        private final String name;
        private final Set<String> choices;

        Check(String name, Set<String> choices) {
            this.name = name;
            this.choices = choices == null ? null : Set.copyOf(choices);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object apply(Object sparkValue) {
            Hyperparameter<Object> h = (Hyperparameter<Object>) Hyperparameters.byName(name).orElseThrow();
            String shown = sparkValue instanceof int[] a ? Arrays.toString(a) : String.valueOf(sparkValue);
            if (sparkValue == null) {
                throw new IllegalArgumentException(h.sparkName() + ": none (expected: " + h.expected() + ")");
            }
            try {
                Object value = value(h, sparkValue);
                if (!h.accepts(value)) {
                    throw new IllegalArgumentException(h.sparkName() + ": " + shown + " (expected: " + h.expected() + ")");
                }
                if (choices != null && !choices.contains(h.format(value))) {
                    throw new IllegalArgumentException(h.sparkName() + ": " + shown + " (expected: one of "
                            + new java.util.TreeSet<>(choices) + ")");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(renamed(e.getMessage()), e);
            }
            return Boolean.TRUE;
        }
    }

    /** The configuration the set Params describe, on top of {@code fixed} values the estimator decides. */
    static TrainingConfig config(Params owner, Map<Hyperparameter<?>, Param<?>> params, Map<Hyperparameter<?>, ?> fixed) {
        Map<Hyperparameter<?>, Object> given = new LinkedHashMap<>();
        for (Map.Entry<Hyperparameter<?>, Param<?>> e : params.entrySet()) {
            Param<?> p = e.getValue();
            // The declarations' defaults apply by themselves; the model family's is the estimator's own.
            if (owner.isSet(p) || (e.getKey() == Hyperparameters.MODEL && owner.hasDefault(p))) {
                given.put(e.getKey(), value(e.getKey(), owner.getOrDefault(p)));
            }
        }
        given.putAll(fixed);
        try {
            return TrainingConfig.of(given);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(renamed(e.getMessage()), e);
        }
    }
}
