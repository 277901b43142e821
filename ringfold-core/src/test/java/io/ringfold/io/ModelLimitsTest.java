package io.ringfold.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each limit refuses a file beyond it, naming the file, the value and the limit, and a file within it reads. */
class ModelLimitsTest {

    @TempDir
    Path dir;

    private Path golden() throws IOException {
        Path file = dir.resolve("golden.rfm");
        ModelFile.write(file, ModelFileGoldenTest.expectedHeader(), ModelFileGoldenTest.expectedTensors());
        return file;
    }

    @Test
    void aFileOverTheByteLimitIsRefusedBeforeItIsRead() throws IOException {
        Path file = golden();
        long size = Files.size(file);
        assertThatThrownBy(() -> ModelFile.read(file, ModelLimits.defaults().withMaxFileBytes(size - 1)))
                .isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": file of " + size + " bytes (expected: at most " + (size - 1)
                        + ", the limit on model file bytes)");
        assertThat(ModelFile.read(file, ModelLimits.defaults().withMaxFileBytes(size)).tensors())
                .isEqualTo(ModelFileGoldenTest.expectedTensors());
    }

    @Test
    void aHeaderOverItsLimitIsRefused() throws IOException {
        Path file = golden();
        // The header length sits at bytes 12..15, little-endian.
        int header = java.nio.ByteBuffer.wrap(Files.readAllBytes(file), 12, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getInt();
        assertThatThrownBy(() -> ModelFile.read(file, ModelLimits.defaults().withMaxHeaderBytes(header - 1)))
                .isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": header of " + header + " bytes (expected: at most " + (header - 1)
                        + ", the limit on model header bytes)");
        assertThat(ModelFile.read(file, ModelLimits.defaults().withMaxHeaderBytes(header)).header())
                .isEqualTo(ModelFileGoldenTest.expectedHeader());
    }

    @Test
    void moreTensorsThanTheLimitAreRefusedBeforeTheyAreRead() throws IOException {
        Path file = dir.resolve("three.rfm");
        Files.write(file, RawContainer.v1().utf8("{}").u32(3)
                .utf8("a").u32(0).floatBits(0)
                .utf8("b").u32(0).floatBits(0)
                .utf8("c").u32(0).floatBits(0).sealed());
        assertThatThrownBy(() -> ModelFile.read(file, ModelLimits.defaults().withMaxTensors(2)))
                .isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": 3 tensors (expected: at most 2, the limit on model tensors)");
        assertThat(ModelFile.read(file, ModelLimits.defaults().withMaxTensors(3)).tensors()).hasSize(3);
    }

    @Test
    void aLoadThatWouldNotFitTheFreeHeapIsRefusedAfterOneCollection() {
        Path file = dir.resolve("big.rfm");
        AtomicInteger collections = new AtomicInteger();
        long need = ModelLimits.estimatedHeapBytes(100L << 20, 1 << 20);
        assertThat(need).isEqualTo(4 * (100L << 20) + 64 * (1L << 20));
        assertThatThrownBy(() -> HeapBudget.require(file, need, 100L << 20, 1 << 20, () -> 200L << 20,
                collections::incrementAndGet))
                .isInstanceOf(ModelFileException.class)
                .hasMessage(file + ": loading needs about 464.0 MiB of heap (4 copies of 100.0 MiB of tensor data and"
                        + " the parsed 1.0 MiB header), 200.0 MiB free (expected: at most the free heap; give the JVM"
                        + " more heap, e.g. -Xmx or -XX:MaxRAMPercentage)");
        assertThat(collections).hasValue(1);
    }

    @Test
    void garbageCollectedOnDemandCountsAsFree() throws ModelFileException {
        AtomicInteger collections = new AtomicInteger();
        // 200 MiB free until the collection, 500 MiB after it.
        HeapBudget.require(dir.resolve("big.rfm"), 364L << 20, 100L << 20, 1 << 20,
                () -> collections.get() == 0 ? 200L << 20 : 500L << 20, collections::incrementAndGet);
        assertThat(collections).hasValue(1);
        HeapBudget.require(dir.resolve("small.rfm"), 1 << 20, 1 << 20, 0, () -> 200L << 20,
                collections::incrementAndGet);
        assertThat(collections).as("no collection when the load fits").hasValue(1);
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> ModelLimits.defaults().withMaxFileBytes(0))
                .hasMessage("maxFileBytes: 0 (expected: >= 1)");
        assertThatThrownBy(() -> ModelLimits.defaults().withMaxHeaderBytes((64 << 20) + 1))
                .hasMessage("maxHeaderBytes: 67108865 (expected: at most 67108864, the format's limit)");
        assertThatThrownBy(() -> ModelLimits.defaults().withMaxClasses(-1))
                .hasMessage("maxClasses: -1 (expected: >= 1)");
    }
}
