package io.ringfold.serving.repository;

import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.inference.Outputs;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.tensor.Blas;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The models under one repository directory and the versions of each that serve now. {@link #poll()}
 * (at start, on a timer and from the repository API) brings the served versions in line with the
 * directory and each model's {@link ModelConfig}: a new version is loaded and warmed with one prediction
 * before it is published; a version that fails is logged, counted and remembered (by its file's size and
 * time) so that it is not retried until the file changes, and the versions already serving stay. Readers
 * see an immutable snapshot per model, so a request never sees a half-updated model.
 */
public final class ModelRepository implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ModelRepository.class.getName());

    /** One model's state; mutated only under the repository's lock, read through volatile snapshots. */
    private static final class Entry {
        volatile NavigableMap<Long, ServedVersion> versions = Collections.emptyNavigableMap();
        volatile ModelConfig config;
        final Map<Long, VersionState> failed = new TreeMap<>();
        volatile String configError;
        boolean unloaded;
    }

    private final Path root;
    private final BatchingConfig serverBatching;
    private final ServingMetrics metrics;
    private final Blas blas;
    private final Map<String, Entry> models = new ConcurrentSkipListMap<>();
    /** Set by {@link #close(long)} before any version retires, so a request racing the close sees it. */
    private volatile boolean closed;

    public ModelRepository(Path root, BatchingConfig serverBatching, ServingMetrics metrics, Blas blas) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("repository: " + root + " (expected: an existing directory)");
        }
        this.root = root;
        this.serverBatching = serverBatching;
        this.metrics = metrics;
        this.blas = blas;
        metrics.loadedVersions(this::loadedKeys);
    }

    public Path root() {
        return root;
    }

    /** Scans every model directory (skipping models unloaded through the API) and syncs its versions. */
    public synchronized void poll() {
        List<String> names = modelDirectories();
        for (String name : new ArrayList<>(models.keySet())) {
            if (!names.contains(name)) {
                LOG.log(System.Logger.Level.INFO, "model {0}: directory gone, unloading", name);
                retireAll(models.remove(name));
            }
        }
        for (String name : names) {
            Entry e = models.computeIfAbsent(name, n -> new Entry());
            if (!e.unloaded) {
                sync(name, e);
            }
        }
    }

    /**
     * Loads (or reloads) {@code model} now, clearing earlier failures and an earlier unload.
     *
     * @throws IllegalStateException naming the reason when a version failed (versions serving before stay)
     */
    public synchronized void load(String model) {
        RepositoryNames.checkModelName(model);
        if (!Files.isDirectory(root.resolve(model))) {
            throw new ModelNotFoundException("model '" + model + "': no directory " + root.resolve(model));
        }
        Entry e = models.computeIfAbsent(model, n -> new Entry());
        e.unloaded = false;
        e.failed.clear();
        sync(model, e);
        if (e.versions.isEmpty()) {
            throw new IllegalStateException("model '" + model + "': no version loaded ("
                    + (e.configError != null ? e.configError : e.failed.isEmpty() ? "no version directory with "
                    + ModelCodec.FILE_NAME : e.failed.values().iterator().next().reason()) + ")");
        }
        if (!e.failed.isEmpty()) {
            VersionState f = e.failed.values().iterator().next();
            throw new IllegalStateException("model '" + model + "': version " + f.version() + " failed to load: "
                    + f.reason() + "; versions " + e.versions.keySet() + " keep serving");
        }
    }

    /** Stops serving every version of {@code model} until {@link #load} is called for it. */
    public synchronized void unload(String model) {
        Entry e = models.get(model);
        if (e == null || !RepositoryNames.isModelName(model)) {
            throw new ModelNotFoundException("model '" + model + "': not in the repository");
        }
        e.unloaded = true;
        retireAll(e);
    }

    /** The model names known to the repository (directories seen by the last poll or load). */
    public List<String> modelNames() {
        return new ArrayList<>(models.keySet());
    }

    /** Serving versions of {@code model}, ascending; empty if none (or unknown). */
    public NavigableMap<Long, ServedVersion> versions(String model) {
        Entry e = models.get(model);
        return e == null ? Collections.emptyNavigableMap() : e.versions;
    }

    /** The version labels of {@code model}'s config (label → version); empty if none or the model is unknown. */
    public Map<String, Long> labels(String model) {
        Entry e = models.get(model);
        ModelConfig c = e == null ? null : e.config;
        return c == null ? Map.of() : c.labels();
    }

    /** Serving and failed versions of {@code model}; 404 if the model is unknown. */
    public List<VersionState> states(String model) {
        Entry e = entry(model);
        TreeMap<Long, VersionState> all = new TreeMap<>();
        synchronized (this) {
            all.putAll(e.failed);
        }
        for (ServedVersion v : e.versions.values()) {
            all.put(v.version(), new VersionState(model, v.version(), true, "", ""));
        }
        return new ArrayList<>(all.values());
    }

    /** Every model with its state, for the repository index. */
    public List<VersionState> index() {
        List<VersionState> out = new ArrayList<>();
        for (Map.Entry<String, Entry> m : models.entrySet()) {
            Entry e = m.getValue();
            if (e.unloaded) {
                out.add(new VersionState(m.getKey(), -1, false, "unloaded", ""));
            } else if (e.versions.isEmpty() && e.failed.isEmpty()) {
                out.add(new VersionState(m.getKey(), -1, false,
                        e.configError != null ? e.configError : "no version loaded", ""));
            } else {
                out.addAll(states(m.getKey()));
            }
        }
        return out;
    }

    /**
     * The version a request addresses: {@code version} if given, else the version {@code label} names,
     * else the latest serving version.
     */
    public ServedVersion resolve(String model, Long version, String label) {
        if (closed) {
            throw shuttingDown(model);
        }
        Entry e = entry(model);
        NavigableMap<Long, ServedVersion> vs = e.versions;
        if (version != null) {
            ServedVersion v = vs.get(version);
            if (v == null) {
                throw notServing(model, "model '" + model + "': version " + version + " not serving (serving: "
                        + vs.keySet() + ")");
            }
            return v;
        }
        if (label != null) {
            Long target = e.config == null ? null : e.config.labels().get(label);
            if (target == null) {
                throw new ModelNotFoundException("model '" + model + "': label '" + label + "' unknown (labels: "
                        + (e.config == null ? "{}" : new TreeMap<>(e.config.labels())) + ")");
            }
            ServedVersion v = vs.get(target);
            if (v == null) {
                throw notServing(model, "model '" + model + "': label '" + label + "' names version " + target
                        + ", not serving (serving: " + vs.keySet() + ")");
            }
            return v;
        }
        if (vs.isEmpty()) {
            throw notServing(model, "model '" + model + "': no version serving");
        }
        return vs.lastEntry().getValue();
    }

    /** Not 404: the model exists, this replica is stopping; IllegalStateException answers 503 + Retry-After. */
    private static IllegalStateException shuttingDown(String model) {
        return new IllegalStateException("model '" + model + "': server shutting down (expected: retry on another replica)");
    }

    /**
     * A version the lookup did not find: 404, unless {@link #close} started since the check at the top of
     * {@link #resolve} and retired it (close sets the flag before it retires anything), which is 503 like
     * every other request during shutdown.
     */
    private RuntimeException notServing(String model, String message) {
        return closed ? shuttingDown(model) : new ModelNotFoundException(message);
    }

    private Entry entry(String model) {
        Entry e = RepositoryNames.isModelName(model) ? models.get(model) : null;
        if (e == null) {
            throw new ModelNotFoundException("model '" + model + "': not in the repository (models: "
                    + models.keySet() + ")");
        }
        return e;
    }

    private void sync(String name, Entry e) {
        Path dir = root.resolve(name);
        try {
            e.config = ModelConfig.read(dir, serverBatching);
            e.configError = null;
        } catch (IOException | RuntimeException ex) {
            // A bad config keeps the previous one (or, at first, stops the model loading at all).
            if (!ex.getMessage().equals(e.configError)) {
                LOG.log(System.Logger.Level.WARNING, "model {0}: config not applied: {1}", name, ex.getMessage());
                metrics.loadFailed(name);
            }
            e.configError = ex.getMessage();
            if (e.config == null) {
                return;
            }
        }
        Map<Long, String> stamps = versionFiles(dir);
        NavigableSet<Long> candidates = new TreeSet<>();
        for (Map.Entry<Long, String> v : stamps.entrySet()) {
            VersionState f = e.failed.get(v.getKey());
            if (f == null || !f.stamp().equals(v.getValue())) {
                candidates.add(v.getKey());
            }
        }
        e.failed.keySet().retainAll(stamps.keySet());
        TreeMap<Long, ServedVersion> next = new TreeMap<>(e.versions);
        NavigableSet<Long> desired;
        while (true) {
            desired = e.config.policy().select(candidates);
            boolean failedOne = false;
            for (Long v : desired.descendingSet()) {
                if (next.containsKey(v)) {
                    continue;
                }
                ServedVersion sv = loadVersion(name, v, stamps.get(v), e);
                if (sv == null) {
                    candidates.remove(v);
                    failedOne = true;
                } else {
                    e.failed.remove(v);
                    next.put(v, sv);
                }
            }
            if (!failedOne) {
                break;
            }
        }
        List<ServedVersion> retiring = new ArrayList<>();
        for (Long v : new ArrayList<>(next.keySet())) {
            if (!desired.contains(v)) {
                retiring.add(next.remove(v));
            }
        }
        e.versions = Collections.unmodifiableNavigableMap(next);
        for (ServedVersion sv : retiring) {
            LOG.log(System.Logger.Level.INFO, "model {0}: version {1} retired", name, sv.version());
            sv.retire();
        }
    }

    private ServedVersion loadVersion(String name, long version, String stamp, Entry e) {
        Path dir = root.resolve(name).resolve(Long.toString(version));
        ServedVersion sv = null;
        try {
            Model m = ModelCodec.load(dir);
            sv = new ServedVersion(name, version, m, e.config.batching(), blas, metrics.series(name, version));
            warm(sv);
            LOG.log(System.Logger.Level.INFO, "model {0}: version {1} loaded ({2})", name, version, m);
            return sv;
        } catch (IOException | RuntimeException ex) {
            String reason = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            LOG.log(System.Logger.Level.WARNING, "model {0}: version {1} failed to load ({2}): {3}",
                    name, version, e.versions.isEmpty() ? "no version serving" : "versions " + e.versions.keySet()
                            + " keep serving", reason);
            metrics.loadFailed(name);
            e.failed.put(version, new VersionState(name, version, false, reason, stamp));
            if (sv != null) {
                sv.retire();
            }
            return null;
        }
    }

    /** One prediction on a zero row, through the batcher, before the version takes traffic. */
    private static void warm(ServedVersion sv) {
        int width = sv.model().architecture().inputs();
        if (!sv.acquire()) {
            throw new IllegalStateException("warm-up: version retired before it served");
        }
        try {
            Outputs out = sv.infer(new float[width], 1).get(30, TimeUnit.SECONDS);
            float v = sv.signature().classifier() ? out.probabilities(0)[0] : out.value(0);
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("warm-up prediction: " + v + " (expected: a finite number)");
            }
        } catch (ExecutionException ex) {
            throw new IllegalStateException("warm-up prediction failed: " + ex.getCause(), ex.getCause());
        } catch (TimeoutException ex) {
            throw new IllegalStateException("warm-up prediction: no answer within 30 s", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("warm-up prediction interrupted", ex);
        } finally {
            sv.release();
        }
    }

    private List<String> modelDirectories() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (RepositoryNames.isModelName(n) && Files.isDirectory(p)) {
                    names.add(n);
                }
            }
        } catch (IOException ex) {
            LOG.log(System.Logger.Level.WARNING, "repository {0}: cannot list: {1}", root, ex.getMessage());
            return new ArrayList<>(models.keySet());
        }
        Collections.sort(names);
        return names;
    }

    /** Version number → "size:mtime" of its model file, for the version directories holding one. */
    private static Map<Long, String> versionFiles(Path modelDir) {
        Map<Long, String> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(modelDir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                Path file = p.resolve(ModelCodec.FILE_NAME);
                if (RepositoryNames.isVersion(n) && Files.isRegularFile(file)) {
                    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                    out.put(Long.parseLong(n), a.size() + ":" + a.lastModifiedTime().toMillis());
                }
            }
        } catch (IOException ex) {
            LOG.log(System.Logger.Level.WARNING, "model directory {0}: cannot list: {1}", modelDir, ex.getMessage());
        }
        return out;
    }

    private static void retireAll(Entry e) {
        NavigableMap<Long, ServedVersion> old = e.versions;
        e.versions = Collections.emptyNavigableMap();
        for (ServedVersion sv : old.values()) {
            sv.retire();
        }
    }

    private List<ServingMetrics.Key> loadedKeys() {
        List<ServingMetrics.Key> out = new ArrayList<>();
        for (Map.Entry<String, Entry> m : models.entrySet()) {
            for (Long v : m.getValue().versions.keySet()) {
                out.add(new ServingMetrics.Key(m.getKey(), Long.toString(v)));
            }
        }
        return out;
    }

    /** Retires every version and waits up to {@code millis} for their batchers to finish. */
    public void close(long millis) throws InterruptedException {
        List<ServedVersion> all = new ArrayList<>();
        closed = true;
        synchronized (this) {
            for (Entry e : models.values()) {
                all.addAll(e.versions.values());
                retireAll(e);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (ServedVersion sv : all) {
            sv.awaitReleased(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    /** {@link #close(long)} with 5 s; an interrupt ends the wait early and stays set on the thread. */
    @Override
    public void close() {
        try {
            close(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
