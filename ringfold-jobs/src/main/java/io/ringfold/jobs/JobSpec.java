package io.ringfold.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What a job asks for, as submitted; it never changes after submission. Validated on construction, so a
 * spec that exists is one the store accepts.
 *
 * @param name        a label to find the job by (the job and model name rule, {@link Names#checkName})
 * @param type        train or preprocess
 * @param engine      where it runs
 * @param arguments   the arguments {@code train} (or {@code preprocess}) takes, without the command word; at most
 *                    {@value #MAX_ARGUMENT_BYTES} bytes of UTF-8 in all, no NUL characters
 * @param publish     the model the result is published as the next version of, or null to publish nothing
 * @param workers     data-parallel workers, or null for the engine's default; 1 to {@value #MAX_WORKERS}
 * @param nproc       processes per node for {@code launch}, or null for its default; 1 to {@value #MAX_WORKERS}
 * @param submittedBy who submitted it (the token's principal, a user name); 1-128 characters, no control characters
 */
public record JobSpec(String name, JobType type, Engine engine, List<String> arguments, String publish,
                      Integer workers, Integer nproc, String submittedBy) {

    /** Bounds a job's arguments: real command lines are a few hundred bytes; a larger spec is an error or abuse. */
    public static final int MAX_ARGUMENT_BYTES = 64 * 1024;
    public static final int MAX_WORKERS = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("name", "type", "engine", "arguments", "publish", "workers", "nproc",
            "submitted_by");

    public JobSpec {
        Names.checkName("name", name);
        if (type == null) {
            throw new IllegalArgumentException("type: null (expected: train or preprocess)");
        }
        if (engine == null) {
            throw new IllegalArgumentException("engine: null (expected: local, launch, spark or kubernetes)");
        }
        arguments = checkArguments(arguments);
        if (publish != null) {
            Names.checkName("publish", publish);
        }
        checkCount("workers", workers);
        checkCount("nproc", nproc);
        if (submittedBy == null || submittedBy.isEmpty() || submittedBy.length() > Names.MAX_NAME
                || submittedBy.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("submitted_by: " + Names.quote(submittedBy)
                    + " (expected: 1-128 characters, no control characters)");
        }
    }

    private static List<String> checkArguments(List<String> arguments) {
        if (arguments == null) {
            throw new IllegalArgumentException("arguments: null (expected: a list of strings, possibly empty)");
        }
        long bytes = 0;
        for (int i = 0; i < arguments.size(); i++) {
            String a = arguments.get(i);
            if (a == null) {
                throw new IllegalArgumentException("arguments[" + i + "]: null (expected: a string)");
            }
            // PostgreSQL's text cannot hold NUL, and no command line contains one.
            if (a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("arguments[" + i + "]: " + Names.quote(a)
                        + " contains a NUL character (expected: text)");
            }
            bytes += a.getBytes(StandardCharsets.UTF_8).length + 1;
            if (bytes > MAX_ARGUMENT_BYTES) {
                throw new IllegalArgumentException("arguments: more than " + MAX_ARGUMENT_BYTES + " bytes (" + arguments.size()
                        + " arguments; expected: at most " + MAX_ARGUMENT_BYTES + " bytes of UTF-8 in all)");
            }
        }
        return List.copyOf(arguments);
    }

    private static void checkCount(String field, Integer n) {
        if (n != null && (n < 1 || n > MAX_WORKERS)) {
            throw new IllegalArgumentException(field + ": " + n + " (expected: 1 to " + MAX_WORKERS + ")");
        }
    }

    /** A train job on {@code engine} with the other fields left to their defaults. */
    public static JobSpec train(String name, Engine engine, List<String> arguments, String submittedBy) {
        return new JobSpec(name, JobType.TRAIN, engine, arguments, null, null, null, submittedBy);
    }

    public JobSpec withPublish(String model) {
        return new JobSpec(name, type, engine, arguments, model, workers, nproc, submittedBy);
    }

    public JobSpec withArguments(List<String> arguments) {
        return new JobSpec(name, type, engine, arguments, publish, workers, nproc, submittedBy);
    }

    public JobSpec withWorkers(Integer workers, Integer nproc) {
        return new JobSpec(name, type, engine, arguments, publish, workers, nproc, submittedBy);
    }

    /** The spec as JSON: the store's column and the API's body; absent optional fields are left out. */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", name);
        n.put("type", type.id());
        n.put("engine", engine.id());
        ArrayNode args = n.putArray("arguments");
        arguments.forEach(args::add);
        if (publish != null) {
            n.put("publish", publish);
        }
        if (workers != null) {
            n.put("workers", workers);
        }
        if (nproc != null) {
            n.put("nproc", nproc);
        }
        n.put("submitted_by", submittedBy);
        return n;
    }

    /** Reads {@link #toJson}; an unknown field or a value of the wrong kind is an error naming the field. */
    public static JobSpec fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("job spec: " + kind(n) + " (expected: a JSON object)");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException("job spec: unknown field " + Names.quote(f) + " (expected: name, type, "
                        + "engine, arguments, publish, workers, nproc, submitted_by)");
            }
        }
        JsonNode args = n.get("arguments");
        if (args != null && !args.isArray()) {
            throw new IllegalArgumentException("arguments: " + kind(args) + " (expected: an array of strings)");
        }
        List<String> arguments = new ArrayList<>();
        if (args != null) {
            for (int i = 0; i < args.size(); i++) {
                if (!args.get(i).isTextual()) {
                    throw new IllegalArgumentException("arguments[" + i + "]: " + kind(args.get(i)) + " (expected: a string)");
                }
                arguments.add(args.get(i).asText());
            }
        }
        return new JobSpec(text(n, "name"), JobType.fromId(text(n, "type")), Engine.fromId(text(n, "engine")), arguments,
                text(n, "publish"), integer(n, "workers"), integer(n, "nproc"), text(n, "submitted_by"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + ": " + kind(v) + " (expected: a string)");
        }
        return v.asText();
    }

    private static Integer integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(field + ": " + kind(v) + " (expected: an integer)");
        }
        return v.asInt();
    }

    private static String kind(JsonNode v) {
        if (v == null) {
            return "missing";
        }
        String s = v.toString();
        return s.length() > 64 ? v.getNodeType().name().toLowerCase(java.util.Locale.ROOT) : s;
    }
}
