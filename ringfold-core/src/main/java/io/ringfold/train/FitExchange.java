package io.ringfold.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The files through which one JVM hands a fit to another and gets the result back: the command line
 * prepares data, splits and preprocessing itself (so `--engine spark` trains on exactly the rows and bits
 * a local run would), writes a request, and a Spark driver JVM (which cannot share the command line's
 * classpath: Spark pins other Jackson and Netty lines) fits it and writes the result.
 *
 * <p>Request: magic, a JSON header (the caller's settings: training config, workers, shards, ...), then the
 * preprocessed training rows, dense or CSR, and their labels, as raw float bits. Result: one JSON object
 * with the parameters as base64 little-endian float32, the epoch metrics and timing.
 */
public final class FitExchange {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAGIC = 0x52464658; // "RFFX"
    private static final int VERSION = 1;
    private static final byte DENSE = 0;
    private static final byte CSR = 1;

    private FitExchange() {
    }

    /** A request read back: the header and the rows. */
    public record Request(ObjectNode header, Matrix x, float[] y) {
    }

    public static void writeRequest(Path file, ObjectNode header, Matrix x, float[] y) {
        if (y.length != x.rows()) {
            throw new IllegalArgumentException("labels: " + y.length + " (expected: one per row, " + x.rows() + ")");
        }
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            byte[] h = JSON.writeValueAsBytes(header);
            out.writeInt(h.length);
            out.write(h);
            out.writeInt(x.rows());
            out.writeInt(x.cols());
            if (x instanceof FloatMatrix d) {
                out.writeByte(DENSE);
                writeFloats(out, d.data(), (long) x.rows() * x.cols());
            } else {
                CsrMatrix c = (CsrMatrix) x;
                out.writeByte(CSR);
                out.writeInt(c.nonZeros());
                for (int r = 0; r <= c.rows(); r++) {
                    out.writeInt(c.rowStart(r));
                }
                for (int p = 0; p < c.nonZeros(); p++) {
                    out.writeInt(c.columnAt(p));
                }
                for (int p = 0; p < c.nonZeros(); p++) {
                    out.writeInt(Float.floatToRawIntBits(c.valueAt(p)));
                }
            }
            writeFloats(out, y, y.length);
        } catch (IOException e) {
            throw new UncheckedIOException("fit request " + file + ": " + e.getMessage(), e);
        }
    }

    public static Request readRequest(Path file) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("fit request " + file + ": not a Ringfold fit request (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("fit request " + file + ": version " + version + " (expected: "
                        + VERSION + ")");
            }
            byte[] h = new byte[checkedLength(in.readInt(), "header", file)];
            in.readFully(h);
            ObjectNode header = (ObjectNode) JSON.readTree(h);
            int rows = checkedLength(in.readInt(), "rows", file);
            int cols = checkedLength(in.readInt(), "cols", file);
            byte kind = in.readByte();
            Matrix x;
            if (kind == DENSE) {
                x = new FloatMatrix(rows, cols, readFloats(in, Math.multiplyExact(rows, cols)));
            } else if (kind == CSR) {
                int nnz = checkedLength(in.readInt(), "non-zeros", file);
                int[] rowPtr = readInts(in, rows + 1);
                int[] colIdx = readInts(in, nnz);
                float[] values = readFloats(in, nnz);
                x = new CsrMatrix(rows, cols, rowPtr, colIdx, values);
            } else {
                throw new IllegalArgumentException("fit request " + file + ": matrix kind " + kind
                        + " (expected: 0 dense or 1 CSR)");
            }
            return new Request(header, x, readFloats(in, rows));
        } catch (EOFException e) {
            throw new IllegalArgumentException("fit request " + file + ": truncated", e);
        } catch (IOException e) {
            throw new UncheckedIOException("fit request " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code result} with {@code extra} fields (the BLAS used, say) beside it. */
    public static void writeResult(Path file, TrainingResult result, ObjectNode extra) {
        ObjectNode n = extra.deepCopy();
        float[] p = result.parameters();
        ByteBuffer b = ByteBuffer.allocate(p.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(p);
        n.put("parameters", Base64.getEncoder().encodeToString(b.array()));
        ArrayNode epochs = n.putArray("epochs");
        result.epochs().forEach(e -> epochs.add(e.toJson()));
        n.put("best_epoch", result.bestEpoch());
        n.put("stopped_early", result.stoppedEarly());
        n.put("train_seconds", result.trainSeconds());
        n.put("samples_seen", result.samplesSeen());
        n.put("workers", result.workers());
        n.put("shards", result.shards());
        ArrayNode telemetry = n.putArray("telemetry");
        result.telemetry().forEach(t -> telemetry.add(t.toJson()));
        if (result.solver() != null) {
            n.set("solver", result.solver().toJson());
        }
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(n));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("fit result " + file + ": " + e.getMessage(), e);
        }
    }

    /** The result, and the whole JSON object for the extra fields. */
    public record Result(TrainingResult result, JsonNode json) {
    }

    public static Result readResult(Path file) {
        try {
            JsonNode n = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            byte[] raw = Base64.getDecoder().decode(n.path("parameters").asText());
            if (raw.length % Float.BYTES != 0) {
                throw new IllegalArgumentException("fit result " + file + ": parameters of " + raw.length
                        + " bytes (expected: a multiple of 4)");
            }
            float[] p = new float[raw.length / Float.BYTES];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(p);
            List<EpochMetrics> epochs = new ArrayList<>();
            n.path("epochs").forEach(e -> epochs.add(EpochMetrics.fromJson(e)));
            List<RankTelemetry> telemetry = new ArrayList<>();
            n.path("telemetry").forEach(t -> telemetry.add(new RankTelemetry(t.path("rank").asInt(),
                    t.path("compute_seconds").asDouble(), t.path("wait_seconds").asDouble(),
                    t.path("bytes_sent").asLong())));
            TrainingResult r = new TrainingResult(p, epochs, n.path("best_epoch").asInt(),
                    n.path("stopped_early").asBoolean(), n.path("train_seconds").asDouble(),
                    n.path("samples_seen").asLong(), n.path("workers").asInt(1), n.path("shards").asInt(),
                    telemetry, n.has("solver") ? io.ringfold.solve.SolverReport.fromJson(n.get("solver")) : null);
            return new Result(r, n);
        } catch (IOException e) {
            throw new UncheckedIOException("fit result " + file + ": " + e.getMessage(), e);
        }
    }

    private static int checkedLength(int v, String what, Path file) {
        if (v < 0) {
            throw new IllegalArgumentException("fit request " + file + ": " + what + " " + v + " (expected: >= 0)");
        }
        return v;
    }

    private static void writeFloats(DataOutputStream out, float[] a, long n) throws IOException {
        for (int i = 0; i < n; i++) {
            out.writeInt(Float.floatToRawIntBits(a[i]));
        }
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = Float.intBitsToFloat(in.readInt());
        }
        return a;
    }

    private static int[] readInts(DataInputStream in, int n) throws IOException {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readInt();
        }
        return a;
    }
}
