package io.ringfold.serving.repository;

import io.ringfold.data.ColumnMasks;
import io.ringfold.data.MaskKey;
import io.ringfold.io.ModelFileException;
import io.ringfold.io.ModelLimits;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.serving.backend.Servable;
import io.ringfold.serving.backend.onnx.OnnxServable;
import io.ringfold.serving.backend.ringfold.RingfoldServable;
import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.tensor.Blas;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The repository's directory tree as the {@link ModelRepository} reads it: the model directories, each
 * model's version directories with their model files' stamps, and the model of one version, read within
 * the {@link ModelLimits}. Symbolic links are followed while they stay inside the repository's real
 * path (Kubernetes mounts ConfigMaps and projected volumes through {@code ..data} links inside the
 * mount); a model directory or model file that resolves outside it is refused. Not final: tests
 * override a method to make a listing or a load fail as a file system would.
 */
class RepositoryTree {

    private static final System.Logger LOG = System.getLogger(RepositoryTree.class.getName());

    /** The model files a version directory may hold, one of them. */
    private static final List<String> MODEL_FILES = List.of(ModelCodec.FILE_NAME, OnnxServable.FILE_NAME);

    private final Path root;
    private final ModelLimits limits;
    /** Null, or the name of the one model whose directory {@link #root} is. */
    private final String singleModel;
    /** Null, or the key bound to models whose preprocessing masks columns with hmac. */
    private final MaskKey maskKey;

    RepositoryTree(Path root, ModelLimits limits) {
        this(root, limits, null);
    }

    /**
     * @param singleModel null for a repository of model directories; else {@code root} is the directory of this
     *                    one model: version directories, or the model file itself (then version 1)
     */
    RepositoryTree(Path root, ModelLimits limits, String singleModel) {
        this(root, limits, singleModel, null);
    }

    /** @param maskKey the key of models that mask columns with hmac; null: none, such a model fails to load */
    RepositoryTree(Path root, ModelLimits limits, String singleModel, MaskKey maskKey) {
        this.root = root;
        this.limits = limits;
        this.singleModel = singleModel;
        this.maskKey = maskKey;
    }

    Path root() {
        return root;
    }

    Path modelDirectory(String model) {
        return singleModel != null ? root : root.resolve(model);
    }

    /** The names of the model directories, sorted. */
    List<String> models() throws IOException {
        if (singleModel != null) {
            return List.of(singleModel);
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (RepositoryNames.isModelName(n) && Files.isDirectory(p)) {
                    names.add(n);
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        Collections.sort(names);
        return names;
    }

    /**
     * Version number → "size:mtime" of its model file ({@code model.rfm} or {@code model.onnx}; both stamps when
     * both are there, which fails at load), for the version directories holding one.
     *
     * @throws IOException when the directory or an entry cannot be read: the caller keeps what it has
     *                     rather than take the versions it could not see for removed ones
     */
    Map<Long, String> versions(String model) throws IOException {
        Map<Long, String> out = new TreeMap<>();
        if (holdsModelFile(model)) {
            out.put(1L, stamp(modelDirectory(model)));
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(modelDirectory(model))) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!RepositoryNames.isVersion(n)) {
                    continue;
                }
                String stamp = stamp(p);
                if (!stamp.isEmpty()) {
                    out.put(Long.parseLong(n), stamp);
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        return out;
    }

    /** "size:mtime" of the model files in {@code dir}, space-separated; empty when there is none. */
    private static String stamp(Path dir) throws IOException {
        StringBuilder stamp = new StringBuilder();
        for (String name : MODEL_FILES) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                stamp.append(stamp.length() == 0 ? "" : " ").append(a.size()).append(':')
                        .append(a.lastModifiedTime().toMillis());
            }
        }
        return stamp.toString();
    }

    /**
     * Whether the single model's directory holds its model file itself, without version directories (as KServe's
     * storage initializer leaves a model at /mnt/models): it is version 1.
     */
    private boolean holdsModelFile(String model) {
        return singleModel != null && MODEL_FILES.stream().anyMatch(f -> Files.isRegularFile(modelDirectory(model).resolve(f)));
    }

    /**
     * The backend of {@code version}, not yet warmed; refused when its file resolves outside the repository or
     * breaks the limits.
     */
    Servable load(String model, long version, ModelConfig config, Blas blas, BatchObserver observer) throws IOException {
        Path dir = holdsModelFile(model) ? modelDirectory(model) : modelDirectory(model).resolve(Long.toString(version));
        boolean onnx = Files.isRegularFile(dir.resolve(OnnxServable.FILE_NAME));
        if (onnx && Files.isRegularFile(dir.resolve(ModelCodec.FILE_NAME))) {
            throw new ModelFileException(dir, "holds both " + ModelCodec.FILE_NAME + " and " + OnnxServable.FILE_NAME
                    + " (expected: one model file)");
        }
        Path file = dir.resolve(onnx ? OnnxServable.FILE_NAME : ModelCodec.FILE_NAME);
        String outside = outside(file);
        if (outside != null) {
            logRefused(file);
            throw new ModelFileException(file, outside);
        }
        if (onnx) {
            return OnnxServable.load(model + "-" + version, file, limits, config.onnx(), config.batching(), observer);
        }
        return new RingfoldServable(model + "-" + version, withMaskKey(file, ModelCodec.load(file, limits)),
                config.batching(), blas, observer);
    }

    /**
     * {@code m} able to mask raw requests: with the server's key bound when a column is hmac; refused, naming the
     * columns and the flag (never the key), without a key or with another one than the model's.
     */
    private Model withMaskKey(Path file, Model m) throws ModelFileException {
        ColumnMasks masks = m.preprocessor().masks();
        if (!masks.needsKey()) {
            return m;
        }
        if (maskKey == null) {
            throw new ModelFileException(file, "columns " + masks.hmacColumns() + " are masked with hmac and the server"
                    + " has no key (expected: serve --mask-key-file FILE with the key the model was trained with)");
        }
        try {
            return m.withMaskKey(maskKey);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage() + "; serve --mask-key-file names another key");
        }
    }

    /**
     * Null when {@code path}, every link followed, is inside the repository's real path; else why it is
     * refused (without the path). The repository root may itself be a link (a re-pointed mount): its real path is taken each
     * time.
     *
     * @throws IOException when the path cannot be resolved (it vanished, or the file system failed)
     */
    String outside(Path path) throws IOException {
        Path real = path.toRealPath();
        Path realRoot = root.toRealPath();
        if (real.startsWith(realRoot)) {
            return null;
        }
        // Without the target: the reason reaches clients through the model's status; logRefused names it.
        return "resolves outside the repository " + realRoot + " (expected: symbolic links that stay inside it)";
    }

    /** Logs where a refused {@code path} leads, for the operator. */
    void logRefused(Path path) {
        String target;
        try {
            target = path.toRealPath().toString();
        } catch (IOException e) {
            target = "? (" + e + ")";
        }
        LOG.log(System.Logger.Level.WARNING, "{0} resolves to {1}, outside the repository {2}: refused", path, target,
                root);
    }
}
