package io.ringfold.serving.grpc;

import com.google.protobuf.ByteString;
import io.ringfold.serving.grpc.v2.InferParameter;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferRequestedOutputTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded generator of ModelInfer requests for {@link GrpcInferFuzzTest}: valid requests for the test models
 * (typed and raw FP32 rows) with one to three random mutations of their fields, and byte strings made from
 * their serialized form (bit flips, truncation, insertion, repeated slices) or from nothing. Sizes stay
 * small (a few hundred bytes), so the test is about parsing and validation, not the message limit.
 */
final class InferRequestMutator {

    private static final String[] MODELS = {"iris", "reg", "nope", "", "../iris", "IRIS", "iris\u0000", "\u00e9"};
    private static final String[] VERSIONS = {"", "1", "2", "0", "-1", "01", "abc", "99999999999999999999", " 1"};
    private static final String[] DATATYPES = {"FP32", "FP16", "BF16", "FP64", "INT8", "INT16", "INT32", "INT64",
            "UINT8", "UINT16", "UINT32", "UINT64", "BOOL", "BYTES", "", "fp32", "FLOAT", "FP32 "};
    private static final long[] DIMS = {-2, -1, 0, 1, 2, 3, 4, 64, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final float[] FLOATS = {0, 1, -1, 2, 0.5f, Float.NaN, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.MAX_VALUE, Float.MIN_VALUE, -0f};

    private final SplittableRandom random;

    InferRequestMutator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A valid request: 1 to 3 rows of 2 values for iris or reg, typed or raw. */
    ModelInferRequest valid() {
        int rows = 1 + random.nextInt(3);
        float[] values = new float[rows * 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(9) - 4;
        }
        InferInputTensor.Builder in = InferInputTensor.newBuilder().setName("input").setDatatype("FP32")
                .addShape(rows).addShape(2);
        ModelInferRequest.Builder r = ModelInferRequest.newBuilder().setModelName(random.nextBoolean() ? "iris" : "reg");
        if (random.nextBoolean()) {
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            for (float v : values) {
                c.addFp32Contents(v);
            }
            r.addInputs(in.setContents(c));
        } else {
            r.addInputs(in).addRawInputContents(fp32(values));
        }
        return r.build();
    }

    /** Row-major little-endian FP32 elements, the raw_input_contents layout. */
    static ByteString fp32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return ByteString.copyFrom(b.array());
    }

    /** A valid request with one to three mutations. */
    ModelInferRequest mutated() {
        ModelInferRequest.Builder r = valid().toBuilder();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            mutate(r);
        }
        return r.build();
    }

    private void mutate(ModelInferRequest.Builder r) {
        InferInputTensor.Builder in = r.getInputsCount() > 0 ? r.getInputsBuilder(0) : r.addInputsBuilder();
        switch (random.nextInt(14)) {
            case 0 -> r.setModelName(pick(MODELS));
            case 1 -> r.setModelVersion(pick(VERSIONS));
            case 2 -> in.setName(random.nextBoolean() ? "" : text());
            case 3 -> in.setDatatype(pick(DATATYPES));
            case 4 -> {
                in.clearShape();
                int dims = random.nextInt(5);
                for (int d = 0; d < dims; d++) {
                    in.addShape(DIMS[random.nextInt(DIMS.length)]);
                }
            }
            case 5 -> in.setContents(contents());
            case 6 -> in.clearContents();
            case 7 -> r.addRawInputContents(ByteString.copyFrom(bytes(random.nextInt(25))));
            case 8 -> r.clearRawInputContents();
            case 9 -> r.addInputs(in.build()); // a duplicate input
            case 10 -> r.clearInputs();
            case 11 -> r.addOutputs(InferRequestedOutputTensor.newBuilder()
                    .setName(random.nextBoolean() ? pick(new String[] {"class", "probabilities", "value"}) : text()));
            case 12 -> r.putParameters(text(), InferParameter.newBuilder().setInt64Param(random.nextLong()).build());
            default -> r.setId(text());
        }
    }

    /** Bytes for the ModelInfer method: a mutated serialization of a request, or random bytes. */
    byte[] bytes() {
        byte[] b = (random.nextInt(4) == 0 ? mutated() : valid()).toByteArray();
        switch (random.nextInt(6)) {
            case 0 -> {
                for (int i = 1 + random.nextInt(4); i > 0 && b.length > 0; i--) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
            case 2 -> {
                int at = random.nextInt(b.length + 1);
                byte[] extra = bytes(1 + random.nextInt(8));
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                b = out;
            }
            case 3 -> {
                // A repeated slice: protobuf merges repeated fields and messages, so this often still parses.
                int from = random.nextInt(b.length + 1);
                int to = from + random.nextInt(b.length - from + 1);
                byte[] out = Arrays.copyOf(b, b.length + to - from);
                System.arraycopy(b, from, out, b.length, to - from);
                b = out;
            }
            case 4 -> b = bytes(random.nextInt(65));
            default -> {
                if (b.length > 0) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }

    private InferTensorContents contents() {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        int count = random.nextInt(9);
        int field = random.nextInt(8);
        for (int i = 0; i < count; i++) {
            switch (field) {
                case 0 -> c.addFp32Contents(FLOATS[random.nextInt(FLOATS.length)]);
                case 1 -> c.addFp64Contents(random.nextBoolean() ? random.nextDouble() * 1e40 : Double.NaN);
                case 2 -> c.addIntContents(random.nextInt());
                case 3 -> c.addInt64Contents(random.nextLong());
                case 4 -> c.addUintContents(random.nextInt());
                case 5 -> c.addUint64Contents(random.nextLong());
                case 6 -> c.addBoolContents(random.nextBoolean());
                default -> c.addBytesContents(ByteString.copyFrom(bytes(random.nextInt(6))));
            }
        }
        return c.build();
    }

    private String text() {
        int n = random.nextInt(12);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            // Mostly ASCII, sometimes a character outside the BMP (a surrogate pair).
            s.appendCodePoint(random.nextInt(8) == 0 ? 0x1F600 + random.nextInt(16) : 0x20 + random.nextInt(0x5f));
        }
        return s.toString();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    private <T> T pick(T[] options) {
        return options[random.nextInt(options.length)];
    }
}
