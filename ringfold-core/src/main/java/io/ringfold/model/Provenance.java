package io.ringfold.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

/**
 * Where a model came from: the hyperparameters and seed, the training data's fingerprint and source,
 * and the platform. The platform matters because {@link Math}'s transcendental functions and the BLAS
 * kernels may differ in the last bits between CPUs and implementations, so a bit-for-bit reproduction
 * needs the same JVM, CPU architecture and BLAS (compare {@code parameter_digest} to check).
 *
 * <p>{@code privacy} is a privately trained model's guarantee (DP-SGD: ε at δ, the noise multiplier, the clip
 * norm, the sampling rate and the steps; see {@code io.ringfold.dpsgd.DpSgdPlan#toJson}), or null.
 */
public record Provenance(String ringfoldVersion, String java, String os, String cpuArchitecture, String cpu,
                         String blas, long seed, String dataSource, String dataFingerprint, String createdAt,
                         ObjectNode hyperparameters, ObjectNode privacy) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Provenance {
        hyperparameters = hyperparameters.deepCopy();
        privacy = privacy == null ? null : privacy.deepCopy();
    }

    /** The provenance of a model trained without a privacy guarantee. */
    public Provenance(String ringfoldVersion, String java, String os, String cpuArchitecture, String cpu, String blas,
                      long seed, String dataSource, String dataFingerprint, String createdAt,
                      ObjectNode hyperparameters) {
        this(ringfoldVersion, java, os, cpuArchitecture, cpu, blas, seed, dataSource, dataFingerprint, createdAt,
                hyperparameters, null);
    }

    @Override
    public ObjectNode hyperparameters() {
        return hyperparameters.deepCopy();
    }

    @Override
    public ObjectNode privacy() {
        return privacy == null ? null : privacy.deepCopy();
    }

    /** This provenance with a private run's guarantee. */
    public Provenance withPrivacy(ObjectNode guarantee) {
        return new Provenance(ringfoldVersion, java, os, cpuArchitecture, cpu, blas, seed, dataSource, dataFingerprint,
                createdAt, hyperparameters, guarantee);
    }

    /** Provenance of a model trained now, in this JVM, with this BLAS. */
    public static Provenance capture(ObjectNode hyperparameters, long seed, String dataSource, String dataFingerprint,
                                     String blas) {
        return new Provenance(libraryVersion(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + " (" + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("os.arch"), cpuModel(), blas, seed, dataSource, dataFingerprint,
                Instant.now().toString(), hyperparameters);
    }

    /** Ringfold's version, from the build (see ringfold-version.properties). */
    public static String libraryVersion() {
        return buildProperty("version");
    }

    /** The commit Ringfold was built from, or "unknown" when the build was not told (-Dringfold.revision). */
    public static String libraryRevision() {
        String r = buildProperty("revision");
        // An unfiltered file (an IDE's copy of the resources) still holds the placeholder.
        return r.isBlank() || r.startsWith("${") ? "unknown" : r;
    }

    private static String buildProperty(String name) {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream("/io/ringfold/ringfold-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read ringfold-version.properties from the classpath", e);
        }
        return p.getProperty(name, "unknown");
    }

    private static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                for (String line : Files.readAllLines(cpuinfo)) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim() + " x"
                                + Runtime.getRuntime().availableProcessors();
                    }
                }
            } catch (IOException e) {
                return "unknown (" + e.getMessage() + ")";
            }
        }
        return "unknown";
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("ringfold_version", ringfoldVersion);
        n.put("java", java);
        n.put("os", os);
        n.put("cpu_architecture", cpuArchitecture);
        n.put("cpu", cpu);
        n.put("blas", blas);
        n.put("seed", seed);
        n.put("data_source", dataSource);
        n.put("data_fingerprint", dataFingerprint);
        n.put("created_at", createdAt);
        n.set("hyperparameters", hyperparameters.deepCopy());
        if (privacy != null) {
            n.set("privacy", privacy.deepCopy());
        }
        return n;
    }

    public static Provenance fromJson(JsonNode n) {
        JsonNode h = n.get("hyperparameters");
        return new Provenance(text(n, "ringfold_version"), text(n, "java"), text(n, "os"), text(n, "cpu_architecture"),
                text(n, "cpu"), text(n, "blas"), n.path("seed").asLong(), text(n, "data_source"),
                text(n, "data_fingerprint"), text(n, "created_at"),
                h instanceof ObjectNode o ? o : JSON.createObjectNode(),
                n.get("privacy") instanceof ObjectNode p ? p : null);
    }

    private static String text(JsonNode n, String field) {
        return n.path(field).asText("unknown");
    }
}
