package io.ringfold.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileRoundTripTest {

    @TempDir
    Path dir;

    static ObjectNode header() {
        ObjectNode h = JsonNodeFactory.instance.objectNode();
        h.put("model", "mlp");
        h.put("learningRate", 0.1);
        h.put("seed", 1234567890123L);
        h.put("note", "ünïcode — 名前");
        h.putObject("provenance").put("jvm", "17").putArray("layers").add(64).add(10);
        return h;
    }

    static float[] edgeValues() {
        return new float[] {0.0f, -0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
            Float.intBitsToFloat(0x007F_FFFF), Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7FC0_0123), Float.intBitsToFloat(0xFFC0_0042),
            1.0f, 0.1f, -2.5f};
    }

    static List<NamedTensor> tensors(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = new float[64 * 10];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        // 70,000 floats: more than one 64 KiB I/O buffer, so buffer refills are exercised.
        float[] big = new float[70_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = Float.intBitsToFloat(random.nextInt());
        }
        return List.of(
                new NamedTensor("dense0.weight", new int[] {64, 10}, w),
                new NamedTensor("edges", new int[] {edgeValues().length}, edgeValues()),
                new NamedTensor("scalar", new int[] {}, new float[] {3.0f}),
                new NamedTensor("empty", new int[] {0, 7}, new float[0]),
                new NamedTensor("random.bits", new int[] {7, 10_000}, big));
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        long seed = 42;
        System.out.println("ModelFileRoundTripTest seed " + seed);
        List<NamedTensor> tensors = tensors(seed);
        Path file = dir.resolve("m.rfm");

        ModelFile.write(file, header(), tensors);
        ModelFile.Contents read = ModelFile.read(file);

        assertThat(read.formatVersion()).isEqualTo(ModelFile.FORMAT_VERSION);
        assertThat(read.header()).isEqualTo(header());
        assertThat(read.tensors()).hasSize(tensors.size());
        for (int t = 0; t < tensors.size(); t++) {
            NamedTensor want = tensors.get(t);
            NamedTensor got = read.tensors().get(t);
            assertThat(got.name()).isEqualTo(want.name());
            assertThat(got.shape()).isEqualTo(want.shape());
            float[] a = want.data();
            float[] b = got.data();
            assertThat(b).hasSameSizeAs(a);
            for (int i = 0; i < a.length; i++) {
                if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                    throw new AssertionError(want.name() + "[" + i + "]: bits " + Integer.toHexString(
                            Float.floatToRawIntBits(b[i])) + " (expected: " + Integer.toHexString(
                            Float.floatToRawIntBits(a[i])) + ")");
                }
            }
        }
        assertThat(read.tensors()).isEqualTo(tensors);
        assertThat(read.parameterDigest()).isEqualTo(ModelFile.parameterDigest(tensors));
        assertThat(read.tensor("scalar")).contains(tensors.get(2));
        assertThat(read.tensor("missing")).isEmpty();
    }

    @Test
    void theDigestOfSlicesOfOneArrayEqualsTheDigestOfTheTensorsTheyMake() {
        float[] flat = new float[2 * 3 + 4 + 1];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = i * 0.37f - 1.5f;
        }
        List<NamedTensor> tensors = List.of(new NamedTensor("w", new int[] {2, 3}, Arrays.copyOfRange(flat, 0, 6)),
                new NamedTensor("b", new int[] {4}, Arrays.copyOfRange(flat, 6, 10)),
                new NamedTensor("s", new int[] {}, Arrays.copyOfRange(flat, 10, 11)));
        List<ModelFile.TensorSlice> slices = List.of(new ModelFile.TensorSlice("w", new int[] {2, 3}, 0),
                new ModelFile.TensorSlice("b", new int[] {4}, 6), new ModelFile.TensorSlice("s", new int[] {}, 10));
        assertThat(ModelFile.parameterDigest(flat, slices)).isEqualTo(ModelFile.parameterDigest(tensors));
        flat[10] += 1f;
        assertThat(ModelFile.parameterDigest(flat, slices)).isNotEqualTo(ModelFile.parameterDigest(tensors));
        assertThatThrownBy(() -> ModelFile.parameterDigest(flat, List.of(new ModelFile.TensorSlice("b", new int[] {4}, 8))))
                .hasMessageContaining("tensor b").hasMessageContaining("within the 11 elements");
    }

    @Test
    void emptyModelRoundTrips() throws IOException {
        Path file = dir.resolve("empty.rfm");
        ModelFile.write(file, JsonNodeFactory.instance.objectNode(), List.of());
        ModelFile.Contents read = ModelFile.read(file);
        assertThat(read.tensors()).isEmpty();
        assertThat(read.header().isEmpty()).isTrue();
        // magic 8 + version 4 + header length 4 + "{}" 2 + count 4 + checksum 32
        assertThat(Files.size(file)).isEqualTo(54);
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("models/digits/v1.rfm");
        ModelFile.write(file, header(), tensors(1));
        ModelFile.write(file, header(), tensors(2));

        assertThat(ModelFile.read(file).tensors()).isEqualTo(tensors(2));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void failedWriteKeepsTheOldFileAndRemovesItsTemporaryFile() throws IOException {
        Path file = dir.resolve("m.rfm");
        ModelFile.write(file, header(), tensors(1));
        byte[] before = Files.readAllBytes(file);
        List<NamedTensor> good = tensors(2);
        // The writer validates every tensor, then encodes them: failing on the (size + 3)th element read
        // stops it half way through the tensor section, after the temporary file has bytes in it.
        List<NamedTensor> failing = new AbstractList<>() {
            private int reads;

            @Override
            public NamedTensor get(int index) {
                if (++reads == good.size() + 3) {
                    throw new IllegalStateException("simulated failure while writing tensor " + index);
                }
                return good.get(index);
            }

            @Override
            public int size() {
                return good.size();
            }
        };

        assertThatThrownBy(() -> ModelFile.write(file, header(), failing))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("simulated failure while writing tensor 2");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void writeIsDeterministic() throws IOException {
        Path a = dir.resolve("a.rfm");
        Path b = dir.resolve("b.rfm");
        ModelFile.write(a, header(), tensors(7));
        ModelFile.write(b, header(), tensors(7));
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    }

    @Test
    void writeRejectsDuplicateNames() {
        List<NamedTensor> twice = List.of(new NamedTensor("w", new int[] {1}, new float[] {1}),
                new NamedTensor("w", new int[] {1}, new float[] {2}));
        assertThatThrownBy(() -> ModelFile.write(dir.resolve("x.rfm"), header(), twice))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor name: \"w\" appears twice (expected: unique)");
        assertThat(dir.resolve("x.rfm")).doesNotExist();
    }

    @Test
    void writeRejectsNamesThatWouldNotReadBack() {
        List<NamedTensor> loneSurrogate = List.of(new NamedTensor("w\uD800", new int[] {1}, new float[] {1}));
        assertThatThrownBy(() -> ModelFile.write(dir.resolve("x.rfm"), header(), loneSurrogate))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: valid Unicode");
        List<NamedTensor> longName = List.of(new NamedTensor("n".repeat(4097), new int[] {1}, new float[] {1}));
        assertThatThrownBy(() -> ModelFile.write(dir.resolve("x.rfm"), header(), longName))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name of 4097 UTF-8 bytes");
        List<NamedTensor> deep = List.of(new NamedTensor("deep", new int[33], new float[0]));
        assertThatThrownBy(() -> ModelFile.write(dir.resolve("x.rfm"), header(), deep))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("tensor deep: rank 33 (expected: at most 32)");
    }

    @Test
    void parameterDigestIgnoresTheHeaderAndSeesEveryBit() {
        List<NamedTensor> base = List.of(new NamedTensor("w", new int[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5}),
                new NamedTensor("b", new int[] {1}, new float[] {0.0f}));
        String digest = ModelFile.parameterDigest(base);

        assertThat(digest).matches("[0-9a-f]{64}").isEqualTo(ModelFile.parameterDigest(List.copyOf(base)));
        assertThat(ModelFile.parameterDigest(List.of(base.get(0),
                new NamedTensor("b", new int[] {1}, new float[] {-0.0f})))).isNotEqualTo(digest);
        assertThat(ModelFile.parameterDigest(List.of(new NamedTensor("w", new int[] {3, 2},
                new float[] {0, 1, 2, 3, 4, 5}), base.get(1)))).isNotEqualTo(digest);
        assertThat(ModelFile.parameterDigest(List.of(new NamedTensor("v", new int[] {2, 3},
                new float[] {0, 1, 2, 3, 4, 5}), base.get(1)))).isNotEqualTo(digest);
        assertThat(ModelFile.parameterDigest(List.of(base.get(1), base.get(0)))).isNotEqualTo(digest);
        assertThat(ModelFile.parameterDigest(List.of(new NamedTensor("n", new int[] {1},
                new float[] {Float.intBitsToFloat(0x7FC0_0001)})))).isNotEqualTo(ModelFile.parameterDigest(
                List.of(new NamedTensor("n", new int[] {1}, new float[] {Float.intBitsToFloat(0x7FC0_0002)}))));
    }

    @Test
    void namedTensorValidatesAndCopies() {
        assertThatThrownBy(() -> new NamedTensor("", new int[] {1}, new float[1]))
                .hasMessage("name: \"\" (expected: non-empty)");
        assertThatThrownBy(() -> new NamedTensor("w", new int[] {2, 3}, new float[5]))
                .hasMessage("tensor w: data.length 5 (expected: product of shape [2, 3] = 6)");
        assertThatThrownBy(() -> new NamedTensor("w", new int[] {-1, 3}, new float[0]))
                .hasMessageContaining("expected: non-negative dims");
        assertThatThrownBy(() -> new NamedTensor("w", new int[] {65536, 65536}, new float[0]))
                .hasMessageContaining("at most 2147483639 elements");

        int[] shape = {2};
        float[] data = {1, 2};
        NamedTensor t = new NamedTensor("w", shape, data);
        shape[0] = 9;
        data[0] = 9;
        t.data()[1] = 9;
        assertThat(t.shape()).containsExactly(2);
        assertThat(t.data()).containsExactly(1, 2);
        assertThat(new NamedTensor("z", new int[] {1}, new float[] {0.0f}))
                .isNotEqualTo(new NamedTensor("z", new int[] {1}, new float[] {-0.0f}));
        assertThat(t).hasToString("NamedTensor[w [2]]");
    }
}
