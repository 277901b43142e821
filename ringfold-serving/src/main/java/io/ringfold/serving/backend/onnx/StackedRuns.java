package io.ringfold.serving.backend.onnx;

import ai.onnxruntime.OrtException;
import io.ringfold.serving.batching.DynamicBatcher;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The batch function of an ONNX model: the requests of a batch split into runs of consecutive requests whose
 * inputs can be stacked ({@link TensorRows#stackable}), each run computed once and sliced back per request, and
 * every failure kept to the request it belongs to.
 */
final class StackedRuns implements DynamicBatcher.BatchFunction<List<Tensor>, StackedRuns.Outcome> {

    /** One session run: inputs in signature order, outputs in signature order. */
    @FunctionalInterface
    interface Runner {
        List<Tensor> run(List<Tensor> inputs) throws OrtException;
    }

    private final String name;
    private final Runner runner;

    StackedRuns(String name, Runner runner) {
        this.name = name;
        this.runner = runner;
    }

    /**
     * One batch: consecutive requests whose inputs agree beyond the first dimension are stacked and run once;
     * a request alone, or one of a stack ONNX Runtime refused or whose outputs do not have a row per input row,
     * runs alone, so its failure is its own.
     */
    @Override
    public List<Outcome> apply(List<List<Tensor>> jobs, int rows) {
        List<Outcome> out = new ArrayList<>(jobs.size());
        int i = 0;
        while (i < jobs.size()) {
            int j = i + 1;
            while (j < jobs.size() && TensorRows.stackable(jobs.get(i), jobs.get(j))) {
                j++;
            }
            List<List<Tensor>> run = jobs.subList(i, j);
            List<Outcome> stacked = run.size() > 1 ? stacked(run) : null;
            if (stacked != null) {
                out.addAll(stacked);
            } else {
                for (List<Tensor> job : run) {
                    out.add(alone(job));
                }
            }
            i = j;
        }
        return out;
    }

    /** The outcomes of {@code run} computed together, or null when they must run alone. */
    private List<Outcome> stacked(List<List<Tensor>> run) {
        int inputs = run.get(0).size();
        List<Tensor> stack = new ArrayList<>(inputs);
        List<Tensor> parts = new ArrayList<>(run.size());
        for (int k = 0; k < inputs; k++) {
            parts.clear();
            for (List<Tensor> job : run) {
                parts.add(job.get(k));
            }
            stack.add(TensorRows.stack(parts));
        }
        long total = stack.get(0).dim(0);
        List<Tensor> outputs;
        try {
            outputs = runner.run(stack);
        } catch (OrtException | RuntimeException e) {
            return null;
        }
        for (Tensor o : outputs) {
            if (o.rank() == 0 || o.dim(0) != total) {
                return null;
            }
        }
        List<Outcome> out = new ArrayList<>(run.size());
        int from = 0;
        for (List<Tensor> job : run) {
            int n = (int) job.get(0).dim(0);
            List<Tensor> mine = new ArrayList<>(outputs.size());
            for (Tensor o : outputs) {
                mine.add(TensorRows.slice(o, from, n));
            }
            out.add(new Outcome(mine, null));
            from += n;
        }
        return out;
    }

    private Outcome alone(List<Tensor> inputs) {
        try {
            return new Outcome(runner.run(inputs), null);
        } catch (OrtException e) {
            return new Outcome(null, failure(e));
        } catch (RuntimeException e) {
            return new Outcome(null, e);
        }
    }

    /** ONNX Runtime's refusal of arguments is the request's fault; anything else the model's. */
    RuntimeException failure(OrtException e) {
        String message = "model " + name + ": ONNX Runtime: " + e.getMessage();
        if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT) {
            return new BadInputException(message);
        }
        return new IllegalStateException(message, e);
    }

    /** One request's outputs, or why it failed: requests computed in one batch fail each on its own. */
    record Outcome(List<Tensor> outputs, RuntimeException failure) {
        @Override
        public List<Tensor> outputs() {
            if (failure != null) {
                throw failure;
            }
            return outputs;
        }
    }
}
