package io.ringfold.serving.repository;

import io.ringfold.io.ModelLimits;
import io.ringfold.model.ModelCodec;
import io.ringfold.serving.backend.Servable;
import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.ModelNotFoundException;
import io.ringfold.serving.core.UnavailableException;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.tensor.Blas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
        /** The last error listing the model's directory, logged once until it changes. */
        String listError;
        boolean unloaded;
    }

    private final Path root;
    private final RepositoryTree tree;
    private final BatchingConfig serverBatching;
    private final ServingMetrics metrics;
    private final Blas blas;
    private final Map<String, Entry> models = new ConcurrentSkipListMap<>();
    /** Set by {@link #close(long)} before any version retires, so a request racing the close sees it. */
    private volatile boolean closed;

    /** The repository under {@code root}, reading models within {@link ModelLimits#defaults()}. */
    public ModelRepository(Path root, BatchingConfig serverBatching, ServingMetrics metrics, Blas blas) {
        this(root, serverBatching, metrics, blas, ModelLimits.defaults());
    }

    /** The repository under {@code root}, refusing a model file beyond {@code limits}. */
    public ModelRepository(Path root, BatchingConfig serverBatching, ServingMetrics metrics, Blas blas,
                           ModelLimits limits) {
        this(root, serverBatching, metrics, blas, limits, null);
    }

    /**
     * The repository under {@code root}, refusing a model file beyond {@code limits}; models that mask columns with
     * hmac get {@code maskKey} (null: none, and such a model fails to load naming the flag).
     */
    public ModelRepository(Path root, BatchingConfig serverBatching, ServingMetrics metrics, Blas blas,
                           ModelLimits limits, io.ringfold.data.MaskKey maskKey) {
        this(new RepositoryTree(root, limits, null, maskKey), serverBatching, metrics, blas);
    }

    /**
     * The one model whose directory is {@code dir} (version directories, or the model file itself as version 1),
     * served as {@code name}: the layout KServe gives a model server at /mnt/models.
     */
    public static ModelRepository singleModel(Path dir, String name, BatchingConfig serverBatching, ServingMetrics metrics,
                                              Blas blas, ModelLimits limits) {
        return singleModel(dir, name, serverBatching, metrics, blas, limits, null);
    }

    /** {@link #singleModel(Path, String, BatchingConfig, ServingMetrics, Blas, ModelLimits)} with a mask key. */
    public static ModelRepository singleModel(Path dir, String name, BatchingConfig serverBatching, ServingMetrics metrics,
                                              Blas blas, ModelLimits limits, io.ringfold.data.MaskKey maskKey) {
        return new ModelRepository(new RepositoryTree(dir, limits, RepositoryNames.checkModelName(name), maskKey),
                serverBatching, metrics, blas);
    }

    /** Reads the file system through {@code tree}: the seam for tests that make a listing or a load fail. */
    ModelRepository(RepositoryTree tree, BatchingConfig serverBatching, ServingMetrics metrics, Blas blas) {
        Path root = tree.root();
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("repository: " + root + " (expected: an existing directory)");
        }
        this.root = root;
        this.tree = tree;
        this.serverBatching = serverBatching;
        this.metrics = metrics;
        this.blas = blas;
        metrics.loadedVersions(this::loadedKeys);
    }

    public Path root() {
        return root;
    }

    /**
     * Scans every model directory (skipping models unloaded through the API) and syncs its versions. It
     * never throws: whatever goes wrong with one model (an {@link Error} included) is logged and counted
     * against that model, and the others are synced all the same.
     */
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
                syncContained(name, e);
            }
        }
    }

    /**
     * Loads (or reloads) {@code model} now, clearing earlier failures and an earlier unload.
     *
     * @throws LoadFailedException naming the reason when a version failed (versions serving before stay)
     */
    public synchronized void load(String model) {
        RepositoryNames.checkModelName(model);
        if (!Files.isDirectory(tree.modelDirectory(model))) {
            throw new ModelNotFoundException("model '" + model + "': no directory " + tree.modelDirectory(model));
        }
        Entry e = models.computeIfAbsent(model, n -> new Entry());
        e.unloaded = false;
        e.failed.clear();
        syncContained(model, e);
        if (e.versions.isEmpty()) {
            throw new LoadFailedException("model '" + model + "': no version loaded ("
                    + (e.configError != null ? e.configError : e.listError != null ? "cannot read its directory: "
                    + e.listError : e.failed.isEmpty() ? "no version directory with " + ModelCodec.FILE_NAME
                    : e.failed.values().iterator().next().reason()) + ")");
        }
        if (!e.failed.isEmpty()) {
            VersionState f = e.failed.values().iterator().next();
            throw new LoadFailedException("model '" + model + "': version " + f.version() + " failed to load: "
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

    /** Not 404: the model exists, this replica is stopping: 503 + Retry-After. */
    private static UnavailableException shuttingDown(String model) {
        return new UnavailableException("model '" + model + "': server shutting down (expected: retry on another replica)");
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

    /**
     * {@link #sync}, with anything it throws (an {@link OutOfMemoryError} or {@link StackOverflowError} out of
     * a config or a model, say) logged and counted against the model: one model must not stop the scan.
     */
    private void syncContained(String name, Entry e) {
        try {
            sync(name, e);
        } catch (Throwable t) {
            String reason = reason(t);
            LOG.log(System.Logger.Level.WARNING, "model {0}: sync failed ({1}): {2}", name,
                    e.versions.isEmpty() ? "no version serving" : "versions " + e.versions.keySet() + " keep serving",
                    reason);
            metrics.loadFailed(name);
            if (e.versions.isEmpty()) {
                e.configError = reason;
            }
        }
    }

    private void sync(String name, Entry e) {
        Path dir = tree.modelDirectory(name);
        if (!inside(name, e, dir)) {
            return;
        }
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
        Map<Long, String> stamps;
        try {
            stamps = tree.versions(name);
            e.listError = null;
        } catch (IOException ex) {
            listFailed(name, e, dir, ex);
            return;
        }
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

    /**
     * Whether the model directory resolves inside the repository. One leading out of it is no model of
     * it: nothing of it serves, and the reason stands in for its versions. One that cannot be resolved
     * now is a listing error: what serves stays.
     */
    private boolean inside(String name, Entry e, Path dir) {
        String outside;
        try {
            outside = tree.outside(dir);
        } catch (IOException ex) {
            listFailed(name, e, dir, ex);
            return false;
        }
        if (outside == null) {
            return true;
        }
        String reason = dir + ": " + outside;
        if (!reason.equals(e.configError)) {
            tree.logRefused(dir);
            metrics.loadFailed(name);
        }
        e.configError = reason;
        e.failed.clear();
        retireAll(e);
        return false;
    }

    /**
     * A directory that could not be read is not an empty one: the versions it hides were not removed, so
     * the ones serving stay (logged once until the error changes).
     */
    private static void listFailed(String name, Entry e, Path dir, IOException ex) {
        String reason = ex.toString();
        if (!reason.equals(e.listError)) {
            LOG.log(System.Logger.Level.WARNING, "model {0}: cannot read {1} ({2}); versions {3} keep serving",
                    name, dir, reason, e.versions.keySet());
        }
        e.listError = reason;
    }

    /**
     * The loaded and warmed version, or null when it failed. Every failure is contained here, errors
     * included: an {@link OutOfMemoryError} from one file's allocation leaves the heap as it was, and a
     * {@link StackOverflowError} unwinds the stack, so the server and the other versions go on.
     */
    private ServedVersion loadVersion(String name, long version, String stamp, Entry e) {
        ServedVersion sv = null;
        try {
            ServingMetrics.Series series = metrics.series(name, version);
            AtomicBoolean counting = new AtomicBoolean();
            Servable servable = tree.load(name, version, e.config, blas, observer(series, counting));
            sv = new ServedVersion(name, version, servable, series);
            sv.warm();
            counting.set(true);
            LOG.log(System.Logger.Level.INFO, "model {0}: version {1} loaded ({2})", name, version, servable.describe());
            return sv;
        } catch (Throwable ex) {
            String reason = reason(ex);
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

    /** Feeds a version's batch and queue timings to its metrics once {@code counting} is set (after the warm-up). */
    private static BatchObserver observer(ServingMetrics.Series metrics, AtomicBoolean counting) {
        return new BatchObserver() {
            @Override
            public void batch(int rows, int requests, long computeNanos) {
                if (counting.get()) {
                    metrics.batch(rows, computeNanos);
                }
            }

            @Override
            public void queued(long queueNanos) {
                if (counting.get()) {
                    metrics.queued(queueNanos);
                }
            }
        };
    }

    /** The model directories, or the models known already when the root cannot be listed. */
    private List<String> modelDirectories() {
        try {
            return tree.models();
        } catch (IOException ex) {
            LOG.log(System.Logger.Level.WARNING, "repository {0}: cannot list ({1}); the known models stay", root,
                    ex.toString());
            return new ArrayList<>(models.keySet());
        }
    }

    /** A failure's one-line reason; an error is named by its class, as its message alone says little. */
    private static String reason(Throwable t) {
        if (t instanceof Error) {
            return t.toString();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
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
