package io.ringfold.nn;

import java.util.List;

/**
 * What each layer kind does to shapes and which parameters it has: the one place that knows, for the network's
 * checks, its parameter layout and the model file's tensors. A message names the layer ({@code at}), the shape
 * it receives and what it needs.
 */
final class Shapes {

    /** One named parameter tensor of a layer: dims as in the model file, offset within the layer's range. */
    record Tensor(String name, int[] dims, int offset, int count) {
    }

    private Shapes() {
    }

    static Shape output(String at, LayerSpec s, Shape in, boolean first) {
        return switch (s.kind()) {
            case DENSE -> {
                requireVector(at, in, "flatten before it");
                yield Shape.vector(s.intValue("units"));
            }
            case EMBEDDINGBAG -> {
                if (!first) {
                    throw new IllegalArgumentException(at + ": not the first layer (expected: embeddingbag first, its"
                            + " input is a text's token counts over the vocabulary)");
                }
                requireVector(at, in, "token counts over a vocabulary, from a text column");
                yield Shape.vector(s.intValue("dim"));
            }
            case CONV2D -> {
                requireImage(at, in);
                int k = s.intValue("kernel");
                int p = s.intValue("padding");
                int st = s.intValue("stride");
                if (in.dim(1) + 2 * p < k || in.dim(2) + 2 * p < k) {
                    throw new IllegalArgumentException(at + ": input " + in + (p > 0 ? " padded by " + p : "")
                            + " is smaller than the kernel " + k + "x" + k);
                }
                yield Shape.of(s.intValue("filters"), (in.dim(1) + 2 * p - k) / st + 1, (in.dim(2) + 2 * p - k) / st + 1);
            }
            case MAXPOOL2D, AVGPOOL2D -> {
                requireImage(at, in);
                int size = s.intValue("size");
                int st = s.intValue("stride");
                if (in.dim(1) < size || in.dim(2) < size) {
                    throw new IllegalArgumentException(at + ": input " + in + " is smaller than the window " + size
                            + "x" + size);
                }
                yield Shape.of(in.dim(0), (in.dim(1) - size) / st + 1, (in.dim(2) - size) / st + 1);
            }
            case GLOBALAVGPOOL -> {
                requireImage(at, in);
                yield Shape.vector(in.dim(0));
            }
            case FLATTEN -> Shape.vector(in.size());
            case BATCHNORM -> {
                if (in.rank() != 1 && in.rank() != 3) {
                    throw new IllegalArgumentException(at + ": input " + in + " (expected: a vector or an image"
                            + " channels x height x width)");
                }
                yield in;
            }
            case DROPOUT, LAYERNORM, RELU, LEAKYRELU, GELU, TANH, SIGMOID, ADD -> in;
        };
    }

    private static void requireVector(String at, Shape in, String expected) {
        if (in.rank() != 1) {
            throw new IllegalArgumentException(at + ": input " + in + " is not a vector (expected: " + expected + ")");
        }
    }

    private static void requireImage(String at, Shape in) {
        if (in.rank() != 3) {
            throw new IllegalArgumentException(at + ": input " + in + " is not an image (expected: channels x height"
                    + " x width, e.g. input 1x28x28)");
        }
    }

    /** The parameter tensors of a layer, weights first; batch norm's running statistics are buffers. */
    static List<Tensor> tensors(LayerSpec s, Shape in) {
        return switch (s.kind()) {
            case DENSE -> {
                int fanIn = in.size();
                int units = s.intValue("units");
                yield List.of(new Tensor("weight", new int[] {fanIn, units}, 0, fanIn * units),
                        new Tensor("bias", new int[] {units}, fanIn * units, units));
            }
            case EMBEDDINGBAG -> {
                int vocab = in.size();
                int dim = s.intValue("dim");
                yield List.of(new Tensor("weight", new int[] {vocab, dim}, 0, vocab * dim));
            }
            case CONV2D -> {
                int f = s.intValue("filters");
                int k = s.intValue("kernel");
                int w = f * in.dim(0) * k * k;
                yield List.of(new Tensor("weight", new int[] {f, in.dim(0), k, k}, 0, w),
                        new Tensor("bias", new int[] {f}, w, f));
            }
            case BATCHNORM -> {
                int c = in.dim(0);
                yield List.of(new Tensor("gamma", new int[] {c}, 0, c), new Tensor("beta", new int[] {c}, c, c),
                        new Tensor("running_mean", new int[] {c}, 2 * c, c),
                        new Tensor("running_var", new int[] {c}, 3 * c, c));
            }
            case LAYERNORM -> {
                int n = in.size();
                yield List.of(new Tensor("gamma", in.dims(), 0, n), new Tensor("beta", in.dims(), n, n));
            }
            default -> List.of();
        };
    }

    static int parameterCount(LayerSpec s, Shape in) {
        long n = 0;
        for (Tensor t : tensors(s, in)) {
            n += t.count();
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(s.format() + ": " + n + " parameters (expected: fewer than 2^31)");
        }
        return (int) n;
    }

    /** Multiply-adds of one example's forward pass through the layer. */
    static long macs(LayerSpec s, Shape in, Shape out) {
        return switch (s.kind()) {
            case DENSE -> (long) in.size() * out.size();
            case EMBEDDINGBAG -> (long) in.size() * out.size(); // the dense bound; a text touches only its tokens
            case CONV2D -> (long) out.size() * in.dim(0) * s.intValue("kernel") * s.intValue("kernel");
            default -> 0;
        };
    }
}
