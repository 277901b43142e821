package io.ringfold.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Preprocessor;
import io.ringfold.io.ModelFile;
import io.ringfold.io.ModelFileException;
import io.ringfold.io.ModelLimits;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A model header's sizes are claims, checked against the tensors the file holds and against the limits
 * before anything of their size is allocated.
 */
class ModelCodecLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Model mlp() {
        Architecture arch = new Architecture(ModelType.MLP, 2, new int[] {3}, Activation.RELU, 2, Loss.CROSS_ENTROPY);
        float[] p = new float[arch.parameterCount()];
        for (int i = 0; i < p.length; i++) {
            p[i] = 0.25f * (i % 5) - 0.5f;
        }
        return new Model(arch, p, Preprocessor.identity(2), List.of(), capture());
    }

    private static Provenance capture() {
        return Provenance.capture(JSON.createObjectNode(), 1, "test", "none", "test");
    }

    /** Bytes allocated by this thread so far (HotSpot's per-thread counter). */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /**
     * The attack that killed the server: a file of a few kilobytes, checksum valid, whose header declares a
     * hidden layer of 400 million units (2 billion parameters, 8 GB of floats). The loader used to allocate
     * the parameter vector before looking at the tensors; now the declared shape is compared with the
     * tensor the file holds first, and loading it allocates no more than the file justifies.
     */
    @Test
    void aHeaderDeclaringAHugeLayerIsRefusedWithoutAllocatingIt() throws Exception {
        Model m = mlp();
        ObjectNode v2 = ModelCodec.header(m, null);
        ((ObjectNode) v2.get("network").get("layers").get(0)).put("units", 400_000_000);
        refusedWithoutAllocating(m, v2, "2 -> dense(400000000) -> relu -> dense(2) softmax (loss cross-entropy,"
                + " 2000000002 parameters)");
        // The same attack in the first format's header, which is still read.
        ObjectNode v1 = ModelCodec.header(m, null);
        v1.remove("network");
        v1.put("kind", ModelCodec.KIND_V1);
        ObjectNode arch = v1.putObject("architecture");
        arch.put("type", "mlp").put("inputs", 2).put("activation", "relu").put("outputs", 2).put("loss", "cross-entropy");
        arch.putArray("hidden").add(400_000_000);
        refusedWithoutAllocating(m, v1, "2 -> dense(400000000) -> relu -> dense(2) softmax (loss cross-entropy,"
                + " 2000000002 parameters)");
    }

    private void refusedWithoutAllocating(Model m, ObjectNode header, String declared) throws Exception {
        Path file = tmp.resolve("bomb.rfm");
        ModelFile.write(file, header, m.tensors());
        assertThat(Files.size(file)).isLessThan(8 << 10);

        for (ModelLimits limits : List.of(ModelLimits.FORMAT, ModelLimits.defaults())) {
            long before = allocated();
            ModelFileException e = catchThrowableOfType(ModelFileException.class, () -> ModelCodec.load(file, limits));
            long used = allocated() - before;
            assertThat(e).as("loading within %s", limits).isNotNull();
            assertThat(e).hasMessage(file + ": invalid model header: tensor dense_0/weight of shape [2, 3] in the file"
                    + " (expected: dense_0/weight of shape [2, 400000000], as the header's " + declared + " declares)");
            assertThat(used).as("bytes allocated loading a %d-byte file", Files.size(file)).isLessThan(16L << 20);
        }
    }

    /**
     * Classes are strings, dozens of bytes each where a parameter is four: 100,000 classes from an 800 KB
     * file would be 6 MB of names, and the same file shape scales to gigabytes. The class limit refuses it.
     */
    @Test
    void moreClassesThanTheLimitAreRefused() throws Exception {
        int classes = 100_000;
        Architecture arch = new Architecture(ModelType.SOFTMAX, 1, new int[0], Activation.RELU, classes, Loss.CROSS_ENTROPY);
        Model wide = new Model(arch, new float[arch.parameterCount()], Preprocessor.identity(1), List.of(), capture());
        Path file = ModelCodec.save(wide, tmp.resolve("wide"), null);

        ModelFileException e = catchThrowableOfType(ModelFileException.class,
                () -> ModelCodec.load(file, ModelLimits.defaults()));
        assertThat(e).hasMessage(file + ": invalid model header: classes: 100000 (expected: at most 65536, the limit on"
                + " model classes)");
        assertThat(ModelCodec.load(file, ModelLimits.defaults().withMaxClasses(classes)).classNames()).hasSize(classes);
    }

    @Test
    void moreColumnsThanTheLimitAreRefused() throws Exception {
        Architecture arch = new Architecture(ModelType.LINEAR, 5, new int[0], Activation.RELU, 1, Loss.MSE);
        Model m = new Model(arch, new float[arch.parameterCount()], Preprocessor.identity(5), List.of(), capture());
        Path file = ModelCodec.save(m, tmp.resolve("five"), null);

        ModelFileException e = catchThrowableOfType(ModelFileException.class,
                () -> ModelCodec.load(file, ModelLimits.defaults().withMaxColumns(4)));
        assertThat(e).hasMessage(file + ": invalid model header: input columns: 5 (expected: at most 4, the limit on"
                + " model columns)");
        assertThat(ModelCodec.load(file, ModelLimits.defaults().withMaxColumns(5)).inputWidth()).isEqualTo(5);
    }

    /** What the reader now checks is what the writer always wrote: a weight [fanIn, fanOut], a bias [fanOut]. */
    @Test
    void aTensorOfTheRightSizeButAnotherShapeIsRefused() throws Exception {
        Model m = mlp();
        List<io.ringfold.io.NamedTensor> tensors = new java.util.ArrayList<>(m.tensors());
        io.ringfold.io.NamedTensor w = tensors.get(0);
        tensors.set(0, new io.ringfold.io.NamedTensor(w.name(), new int[] {3, 2}, w.data()));
        Path file = tmp.resolve("transposed.rfm");
        ModelFile.write(file, ModelCodec.header(m, null), tensors);
        ModelFileException e = catchThrowableOfType(ModelFileException.class, () -> ModelCodec.load(file));
        assertThat(e).hasMessageContaining("tensor dense_0/weight of shape [3, 2] in the file (expected:"
                + " dense_0/weight of shape [2, 3]");
    }

    @Test
    void aModelWithinTheDefaultsLoadsBitForBit() throws Exception {
        Model m = mlp();
        Path file = ModelCodec.save(m, tmp.resolve("ok"), null);
        Model back = ModelCodec.load(file, ModelLimits.defaults());
        assertThat(back.parameterDigest()).isEqualTo(m.parameterDigest());
        assertThat(back.parameters()).containsExactly(m.parameters());
    }
}
