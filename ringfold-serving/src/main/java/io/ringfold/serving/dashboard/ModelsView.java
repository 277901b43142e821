package io.ringfold.serving.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.serving.backend.ringfold.RingfoldServable;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.TensorSpec;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.RepositoryNames;
import io.ringfold.serving.repository.ServedVersion;
import io.ringfold.serving.repository.VersionState;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.function.BooleanSupplier;

/**
 * The repository's models for the dashboard. Each version has a state: {@code ready} (serving),
 * {@code failed} (with the loader's reason), {@code loading} (the server is starting and none of the
 * model's versions serves yet), {@code not served} (there, but not selected by the version policy or new
 * since the last scan) or {@code unloaded} (through the repository API). A serving version also shows its
 * architecture, input signature, classes, provenance, the evaluation saved in its model file and the
 * requests it answered.
 */
public final class ModelsView {

    private static final String NOT_SERVED_REASON = "not selected by the version policy, or new since the last repository scan";

    private final ModelRepository repo;
    private final BooleanSupplier ready;
    /** A served version's evaluation, read from its model file once; weak, so retired versions drop out. */
    private final Map<ServedVersion, ObjectNode> evaluations = Collections.synchronizedMap(new WeakHashMap<>());

    /** @param ready whether the server has finished its first repository scan */
    public ModelsView(ModelRepository repo, BooleanSupplier ready) {
        this.repo = repo;
        this.ready = ready;
    }

    public ObjectNode models() {
        boolean serverReady = ready.getAsBoolean();
        Map<String, List<VersionState>> byModel = new TreeMap<>();
        for (VersionState s : repo.index()) {
            byModel.computeIfAbsent(s.model(), k -> new ArrayList<>()).add(s);
        }
        ObjectNode root = ViewJson.MAPPER.createObjectNode();
        root.put("ready", serverReady);
        ArrayNode list = root.putArray("models");
        for (Map.Entry<String, List<VersionState>> m : byModel.entrySet()) {
            list.add(model(m.getKey(), m.getValue(), serverReady));
        }
        return root;
    }

    private ObjectNode model(String name, List<VersionState> states, boolean serverReady) {
        ObjectNode n = ViewJson.MAPPER.createObjectNode();
        n.put("name", name);
        Map<Long, ServedVersion> serving = repo.versions(name);
        // A model without versions in the index has one entry, version -1, with the reason: unloaded, a config
        // error, or "no version loaded" (being loaded now while the server starts, or nothing loadable).
        VersionState whole = states.size() == 1 && states.get(0).version() < 0 ? states.get(0) : null;
        boolean unloaded = whole != null && whole.reason().equals("unloaded");
        boolean loading = serving.isEmpty() && !serverReady && (whole == null || whole.reason().equals("no version loaded"));
        String state;
        String reason = "";
        if (!serving.isEmpty()) {
            state = "ready";
        } else if (unloaded) {
            state = "unloaded";
            reason = "unloaded through the repository API";
        } else if (loading) {
            state = "loading";
        } else {
            state = "failed";
            reason = whole != null ? whole.reason() : "no version serving";
            for (VersionState s : states) {
                if (!s.available() && s.version() >= 0) {
                    reason = "version " + s.version() + ": " + s.reason();
                    break;
                }
            }
        }
        n.put("state", state);
        n.put("reason", reason);
        ObjectNode labels = n.putObject("labels");
        new TreeMap<>(repo.labels(name)).forEach(labels::put);
        Map<Long, VersionState> known = new TreeMap<>();
        for (VersionState s : states) {
            if (s.version() >= 0) {
                known.put(s.version(), s);
            }
        }
        TreeSet<Long> all = new TreeSet<>(known.keySet());
        all.addAll(versionDirectories(repo.root().resolve(name)));
        ArrayNode versions = n.putArray("versions");
        for (Long v : all.descendingSet()) {
            ObjectNode vn = versions.addObject();
            vn.put("version", v);
            ServedVersion sv = serving.get(v);
            VersionState s = known.get(v);
            if (sv != null) {
                vn.put("state", "ready");
                vn.put("reason", "");
                serving(vn, sv);
            } else if (s != null && !s.available()) {
                vn.put("state", "failed");
                vn.put("reason", s.reason());
            } else if (unloaded) {
                vn.put("state", "unloaded");
                vn.put("reason", "unloaded through the repository API");
            } else if (loading) {
                vn.put("state", "loading");
                vn.put("reason", "");
            } else {
                vn.put("state", "not served");
                vn.put("reason", NOT_SERVED_REASON);
            }
        }
        return n;
    }

    private void serving(ObjectNode vn, ServedVersion sv) {
        ModelSignature s = sv.signature();
        vn.put("platform", s.platform());
        ObjectNode in = vn.putObject("input");
        TensorSpec first = s.inputs().get(0);
        in.put("name", first.name());
        in.put("datatype", first.datatype().name());
        ArrayNode shape = in.putArray("shape");
        for (long d : first.shape()) {
            shape.add(d);
        }
        ArrayNode inputs = vn.putArray("inputs");
        s.inputs().forEach(spec -> inputs.add(spec.toString()));
        ArrayNode outputs = vn.putArray("outputs");
        s.outputs().forEach(spec -> outputs.add(spec.toString()));
        ArrayNode cols = in.putArray("columns");
        s.columns().forEach(cols::add);
        ArrayNode classes = vn.putArray("class_names");
        s.classNames().forEach(classes::add);
        ObjectNode metadata = vn.putObject("metadata");
        sv.servable().metadata().forEach(metadata::put);
        if (sv.servable() instanceof RingfoldServable r) {
            Model m = r.model();
            in.put("width", r.ringfoldSignature().width());
            vn.put("architecture", m.network().describe());
            vn.put("parameters", m.network().parameterCount());
            vn.put("parameter_digest", m.parameterDigest());
            vn.set("evaluation", evaluations.computeIfAbsent(sv, this::evaluation));
            vn.set("provenance", m.provenance().toJson());
        }
        ObjectNode req = vn.putObject("requests");
        req.put("success", sv.metrics().successes());
        req.put("failure", sv.metrics().failures());
        vn.put("queued", sv.queued());
    }

    /** The evaluation saved with the version's model file, less the confusion matrix (the run page shows it). */
    private ObjectNode evaluation(ServedVersion sv) {
        Path dir = repo.root().resolve(sv.modelName()).resolve(Long.toString(sv.version()));
        try {
            ObjectNode e = ModelCodec.evaluation(dir);
            e.remove("confusion");
            return e;
        } catch (IOException e) {
            // The version serves from memory; its file changed or went since. Say so instead of failing the page.
            return ViewJson.MAPPER.createObjectNode().put("error", dir + ": " + e.getMessage());
        }
    }

    /** Version numbers of the directories under {@code modelDir} that hold a model file. */
    private static List<Long> versionDirectories(Path modelDir) {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(modelDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(modelDir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (RepositoryNames.isVersion(n) && Files.isRegularFile(p.resolve(ModelCodec.FILE_NAME))) {
                    out.add(Long.parseLong(n));
                }
            }
        } catch (IOException e) {
            // The repository's own scan reports an unreadable directory; here it only means no extra versions.
            return out;
        }
        return out;
    }
}
