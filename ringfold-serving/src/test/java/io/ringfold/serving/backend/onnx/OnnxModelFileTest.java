package io.ringfold.serving.backend.onnx;

import io.ringfold.io.ModelFileException;
import io.ringfold.io.ModelLimits;
import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.serving.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Corrupt and hostile model.onnx files are refused at load, with a reason naming the file, the value and the limit. */
class OnnxModelFileTest {

    @TempDir
    Path repo;

    private OnnxServable load(Path file, ModelLimits limits) throws IOException {
        return OnnxServable.load("m-1", file, limits, OnnxOptions.defaults(), OnnxFixtures.BATCHING, BatchObserver.NONE);
    }

    private Path version(String fixture) throws IOException {
        return OnnxFixtures.install(repo, "m", 1, fixture);
    }

    @Test
    void aTruncatedFileFailsWithTheRuntimesReason() throws Exception {
        Path file = version("mlp");
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, b.length / 2));
        assertThatThrownBy(() -> load(file, ModelLimits.defaults())).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(file + ": ONNX Runtime refused it: ")
                .hasMessageContaining("ORT_INVALID_PROTOBUF");
    }

    /** A fixed seed: some random bytes do parse as protobuf, and the scan then refuses them with its own reason. */
    @Test
    void garbageFailsWithTheRuntimesReason() throws Exception {
        long seed = 20261207;
        Path file = version("mlp");
        byte[] g = new byte[4096];
        new Random(seed).nextBytes(g);
        Files.write(file, g);
        assertThatThrownBy(() -> load(file, ModelLimits.defaults())).as("seed %d", seed)
                .isInstanceOf(ModelFileException.class).hasMessageStartingWith(file + ": ONNX Runtime refused it: ");
    }

    @Test
    void aFileLargerThanTheLimitIsRefusedBeforeTheRuntimeReadsIt() throws Exception {
        Path file = version("mlp");
        long size = Files.size(file);
        assertThatThrownBy(() -> load(file, ModelLimits.defaults().withMaxFileBytes(size - 1)))
                .isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": file of " + size + " bytes (expected: at most " + (size - 1)
                        + ", the limit on model file bytes)");
        OnnxServableTest.close(load(file, ModelLimits.defaults().withMaxFileBytes(size)));
    }

    /** 16 bytes of data declared as a 32768 x 32768 float matrix, 4 GiB: refused by the scan, not allocated. */
    @Test
    void aTensorDeclaredLargerThanTheLimitIsRefused() throws Exception {
        Path file = version("huge_initializer");
        assertThatThrownBy(() -> load(file, ModelLimits.defaults())).isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": initializer 'w': declared shape [32768, 32768] of FLOAT is 4294967296 bytes"
                        + " (expected: at most 536870912, the limit on model file bytes)");
    }

    /** ONNX Runtime 1.20 itself reads external data from '../outside.bin'; the scan refuses it. */
    @Test
    void externalDataOutsideTheVersionDirectoryIsRefused() throws Exception {
        Path file = version("external_outside");
        Files.write(repo.resolve("m/outside.bin"), new byte[16]);
        assertThatThrownBy(() -> load(file, ModelLimits.defaults())).isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": initializer 'w': external data in '../outside.bin', outside the model's directory"
                        + " (expected: a file in " + file.getParent() + ")");
    }

    /** The scan walks node attributes into subgraphs: a Constant of an If's branch is checked as an initializer is. */
    @Test
    void externalDataOutsideInASubgraphIsRefused() throws Exception {
        Path file = version("external_in_subgraph");
        Files.write(repo.resolve("m/outside.bin"), new byte[16]);
        assertThatThrownBy(() -> load(file, ModelLimits.defaults())).isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": attribute tensor 'c': external data in '../outside.bin', outside the model's"
                        + " directory (expected: a file in " + file.getParent() + ")");
    }

    /** ONNX Runtime makes sparse initializers dense: the dense shape is what counts. */
    @Test
    void aSparseInitializerWhoseDenseShapeExceedsTheLimitIsRefused() throws Exception {
        Path file = version("huge_sparse");
        assertThatThrownBy(() -> load(file, ModelLimits.defaults())).isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": sparse initializer 'w': declared shape [1048576, 1048576] of FLOAT is 4398046511104"
                        + " bytes (expected: at most 536870912, the limit on model file bytes)");
    }

    /**
     * A field of the wrong wire type is an unknown field to protobuf's parser (ONNX Runtime's): the scan skips it
     * as well rather than reading it out of step, which would let a crafted file pass unscanned.
     */
    @Test
    void aFieldOfTheWrongWireTypeDoesNotThrowTheScanOutOfStep() throws Exception {
        byte[] dims = bytes(o -> {
            o.writeInt64NoTag(1 << 15);
            o.writeInt64NoTag(1 << 15);
        });
        byte[] tensor = bytes(o -> {
            o.writeByteArray(1, dims);
            // Read as a varint, the length 6 would be the type, and these bytes a dims field of 34 GB: cut off.
            o.writeByteArray(2, new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07});
            o.writeInt32(2, 1);
            o.writeString(8, "w");
        });
        byte[] graph = bytes(o -> o.writeByteArray(5, tensor));
        Path file = repo.resolve("crafted.onnx");
        Files.write(file, bytes(o -> o.writeByteArray(7, graph)));
        assertThatThrownBy(() -> OnnxModelFile.read(file, ModelLimits.defaults())).isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": initializer 'w': declared shape [32768, 32768] of FLOAT is 4294967296 bytes"
                        + " (expected: at most 536870912, the limit on model file bytes)");
    }

    private interface Writes {
        void to(com.google.protobuf.CodedOutputStream out) throws IOException;
    }

    private static byte[] bytes(Writes writes) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(b);
        writes.to(out);
        out.flush();
        return b.toByteArray();
    }

    @Test
    void externalDataInsideTheVersionDirectoryLoadsAndCountsTowardsTheLimit() throws Exception {
        Path file = version("external_inside");
        Path data = Files.copy(OnnxFixtures.file("external_inside.bin"), file.resolveSibling("external_inside.bin"));
        OnnxServable s = load(file, ModelLimits.defaults());
        try {
            Tensor x = Tensor.ofFloats("x", new long[] {1, 4}, new float[] {10, 20, 30, 40});
            assertThat(OnnxFixtures.infer(s, List.of(x)).get(0).floats()).containsExactly(11, 22, 33, 44);
        } finally {
            OnnxServableTest.close(s);
        }
        long size = Files.size(file);
        assertThatThrownBy(() -> load(file, ModelLimits.defaults().withMaxFileBytes(size + 15)))
                .isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": " + size + " bytes and 16 bytes of external data (expected: at most " + (size + 15)
                        + " in all, the limit on model file bytes)");
        // A link to a file outside: the path stays inside, the file it reaches does not.
        Path outside = Files.write(repo.resolve("secret.bin"), new byte[16]);
        Files.delete(data);
        Files.createSymbolicLink(data, outside);
        assertThatThrownBy(() -> load(file, ModelLimits.defaults())).isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": initializer 'w': external data in 'external_inside.bin' resolves outside the"
                        + " model's directory (expected: links that stay inside it)");
    }
}
