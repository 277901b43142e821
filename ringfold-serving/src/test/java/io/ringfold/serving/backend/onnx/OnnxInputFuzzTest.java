package io.ringfold.serving.backend.onnx;

import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Failure;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.TensorSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random requests, well-formed and mutated (inputs dropped, repeated or renamed, datatypes, ranks and
 * dimensions changed, values out of an embedding's range), against the fixtures: each one is answered with
 * outputs shaped as the signature says, or refused as bad input naming a tensor; none fails otherwise.
 */
class OnnxInputFuzzTest {

    private static final int REQUESTS = 1500;
    private static final List<String> FIXTURES = List.of("mlp", "cnn", "two_io", "embedding", "fixed", "types");
    private static final List<DataType> TYPES = OnnxTypes.SUPPORTED;
    private static final List<OnnxServable> servables = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        for (String f : FIXTURES) {
            servables.add(OnnxFixtures.load(f, OnnxFixtures.BATCHING));
        }
    }

    @AfterAll
    static void close() throws Exception {
        for (OnnxServable s : servables) {
            OnnxServableTest.close(s);
        }
    }

    @Test
    void everyRequestIsAnsweredOrRefusedAsBadInputNamingATensor() throws Exception {
        long seed = System.nanoTime();
        System.out.println("OnnxInputFuzzTest seed: " + seed);
        Random random = new Random(seed);
        int answered = 0;
        int refused = 0;
        for (int i = 0; i < REQUESTS; i++) {
            OnnxServable s = servables.get(random.nextInt(servables.size()));
            List<Tensor> request = request(s, random);
            String what = "seed " + seed + ", request " + i + " to " + s.describe() + ": " + request;
            CompletableFuture<List<Tensor>> future;
            try {
                future = s.infer(request);
            } catch (RuntimeException e) {
                assertThat(Failure.of(e)).as(what + " -> " + e).isEqualTo(Failure.BAD_INPUT);
                assertThat(e.getMessage()).as(what).containsAnyOf("input '", "inputs");
                refused++;
                continue;
            }
            try {
                List<Tensor> out = future.get(30, TimeUnit.SECONDS);
                List<TensorSpec> specs = s.signature().outputs();
                assertThat(out).as(what).hasSize(specs.size());
                for (int k = 0; k < specs.size(); k++) {
                    assertThat(out.get(k).name()).isEqualTo(specs.get(k).name());
                    assertThat(out.get(k).datatype()).isEqualTo(specs.get(k).datatype());
                    assertThat(specs.get(k).accepts(out.get(k).shape())).as(what + " -> " + out.get(k)).isTrue();
                    if (specs.get(k).batched()) {
                        assertThat(out.get(k).dim(0)).as(what).isEqualTo(request.get(0).dim(0));
                    }
                }
                answered++;
            } catch (ExecutionException e) {
                assertThat(Failure.of(e.getCause())).as(what + " -> " + e.getCause()).isEqualTo(Failure.BAD_INPUT);
                assertThat(e.getCause().getMessage()).as(what).contains("ONNX Runtime");
                refused++;
            }
        }
        System.out.println("OnnxInputFuzzTest: " + answered + " answered, " + refused + " refused");
        assertThat(answered).as("seed %d", seed).isGreaterThan(REQUESTS / 10);
        assertThat(refused).as("seed %d", seed).isGreaterThan(REQUESTS / 10);
    }

    /** A request that fits the signature, then, one time in two, one mutation of it. */
    private static List<Tensor> request(OnnxServable s, Random random) {
        int rows = random.nextInt(4);
        List<Tensor> in = new ArrayList<>();
        for (TensorSpec spec : s.signature().inputs()) {
            long[] shape = spec.shape();
            for (int d = 0; d < shape.length; d++) {
                shape[d] = shape[d] >= 0 ? shape[d] : d == 0 ? rows : random.nextInt(6);
            }
            in.add(tensor(spec.name(), spec.datatype(), shape, random));
        }
        if (random.nextBoolean()) {
            return in;
        }
        int k = random.nextInt(in.size());
        Tensor t = in.get(k);
        switch (random.nextInt(7)) {
            case 0 -> in.remove(k);
            case 1 -> in.add(t);
            case 2 -> in.set(k, t.renamed(t.name() + "_x"));
            case 3 -> in.set(k, tensor(t.name(), TYPES.get(random.nextInt(TYPES.size())), t.shape(), random));
            case 4 -> {
                long[] shape = Arrays.copyOf(t.shape(), Math.max(0, t.rank() + (random.nextBoolean() ? 1 : -1)));
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = shape[d] == 0 ? 1 : shape[d];
                }
                in.set(k, tensor(t.name(), t.datatype(), shape, random));
            }
            case 5 -> {
                long[] shape = t.shape();
                if (shape.length > 0) {
                    int d = random.nextInt(shape.length);
                    shape[d] = random.nextInt(9);
                }
                in.set(k, tensor(t.name(), t.datatype(), shape, random));
            }
            default -> Collections.shuffle(in, random);
        }
        return in;
    }

    /** Random values: integers from -30 to 30 (an embedding has 20 rows), floats, text. */
    private static Tensor tensor(String name, DataType type, long[] shape, Random random) {
        int n = (int) Tensor.elementCount(shape);
        Object data = OnnxTypes.zeros(type, n);
        for (int i = 0; i < n; i++) {
            switch (type) {
                case FP32, FP16, BF16 -> ((float[]) data)[i] = (float) random.nextGaussian();
                case FP64 -> ((double[]) data)[i] = random.nextGaussian();
                case INT64 -> ((long[]) data)[i] = random.nextInt(61) - 30;
                case INT32, INT16, INT8 -> ((int[]) data)[i] = random.nextInt(61) - 30;
                case UINT8 -> ((int[]) data)[i] = random.nextInt(256);
                case BOOL -> ((boolean[]) data)[i] = random.nextBoolean();
                case BYTES -> ((byte[][]) data)[i] = Integer.toString(random.nextInt()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                default -> throw new IllegalStateException(type.name());
            }
        }
        return new Tensor(name, type, shape, data);
    }
}
