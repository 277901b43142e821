package io.ringfold.serving.repository;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a model's versions to serve (TensorFlow Serving's {@code model_version_policy}): the latest N,
 * all, or a specific list.
 */
public sealed interface VersionPolicy {

    /** The versions to serve among those {@code available}. */
    NavigableSet<Long> select(NavigableSet<Long> available);

    record Latest(int count) implements VersionPolicy {
        public Latest {
            if (count < 1) {
                throw new IllegalArgumentException("version_policy.latest.num_versions: " + count + " (expected: >= 1)");
            }
        }

        @Override
        public NavigableSet<Long> select(NavigableSet<Long> available) {
            NavigableSet<Long> out = new TreeSet<>();
            for (Long v : available.descendingSet()) {
                if (out.size() == count) {
                    break;
                }
                out.add(v);
            }
            return out;
        }
    }

    record All() implements VersionPolicy {
        @Override
        public NavigableSet<Long> select(NavigableSet<Long> available) {
            return new TreeSet<>(available);
        }
    }

    record Specific(Set<Long> versions) implements VersionPolicy {
        public Specific {
            if (versions.isEmpty()) {
                throw new IllegalArgumentException("version_policy.specific.versions: [] (expected: at least one)");
            }
            versions = Set.copyOf(versions);
        }

        @Override
        public NavigableSet<Long> select(NavigableSet<Long> available) {
            NavigableSet<Long> out = new TreeSet<>(available);
            out.retainAll(versions);
            return out;
        }
    }

    /**
     * Parses {@code {"latest": {"num_versions": N}}}, {@code {"all": {}}} or
     * {@code {"specific": {"versions": [1, 3]}}}.
     */
    static VersionPolicy fromJson(JsonNode n) {
        if (!n.isObject() || n.size() != 1) {
            throw new IllegalArgumentException("version_policy: " + n
                    + " (expected: one of {\"latest\": {\"num_versions\": N}}, {\"all\": {}}, {\"specific\": {\"versions\": [...]}})");
        }
        if (n.has("latest")) {
            JsonNode k = n.get("latest").path("num_versions");
            if (!k.isIntegralNumber()) {
                throw new IllegalArgumentException("version_policy.latest.num_versions: " + k + " (expected: an integer)");
            }
            return new Latest(k.intValue());
        }
        if (n.has("all")) {
            return new All();
        }
        if (n.has("specific")) {
            JsonNode vs = n.get("specific").path("versions");
            if (!vs.isArray()) {
                throw new IllegalArgumentException("version_policy.specific.versions: " + vs + " (expected: an array)");
            }
            Set<Long> set = new TreeSet<>();
            for (JsonNode v : vs) {
                if (!v.isIntegralNumber() || v.longValue() < 0) {
                    throw new IllegalArgumentException("version_policy.specific.versions: " + v
                            + " (expected: a version number >= 0)");
                }
                set.add(v.longValue());
            }
            return new Specific(set);
        }
        throw new IllegalArgumentException("version_policy: " + n.fieldNames().next()
                + " (expected: latest, all or specific)");
    }
}
