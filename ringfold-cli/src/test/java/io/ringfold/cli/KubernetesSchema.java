package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kubernetes API's JSON schemas (test resource kubernetes-schemas/kubernetes-1.24-strict.json, extracted
 * from the npm package kubernetes-models 3.1.0 as README.md there says), checked by networknt's JSON Schema
 * validator: strict, as {@code kubeconform -strict} is, so an unknown or misplaced field is an error too.
 */
final class KubernetesSchema {

    private static final String RESOURCE = "/kubernetes-schemas/kubernetes-1.24-strict.json";
    private static final JsonNode BUNDLE = load();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private KubernetesSchema() {
    }

    /** "apiVersion/kind" of {@code object}, as the bundle's index names it. */
    static String kind(JsonNode object) {
        return object.path("apiVersion").asText() + "/" + object.path("kind").asText();
    }

    /** Whether the bundle has a schema for this object's apiVersion and kind. */
    static boolean knows(JsonNode object) {
        return BUNDLE.path("kinds").has(kind(object));
    }

    /**
     * The schema violations of {@code object}, one line each ("$.spec.replicas: string found, integer
     * expected"); empty when it is valid. An apiVersion/kind the bundle lacks is itself a violation.
     */
    static List<String> violations(JsonNode object) {
        if (!knows(object)) {
            return List.of("$: apiVersion/kind " + kind(object) + " has no schema here (expected one of "
                    + iterableToList(BUNDLE.path("kinds").fieldNames()) + ")");
        }
        JsonSchema schema = SCHEMAS.computeIfAbsent(kind(object), k -> {
            ObjectNode root = BUNDLE.deepCopy();
            root.remove("kinds");
            root.put("$ref", BUNDLE.path("kinds").path(k).asText());
            return FACTORY.getSchema(root);
        });
        return schema.validate(object).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    private static List<String> iterableToList(java.util.Iterator<String> names) {
        List<String> out = new java.util.ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    private static JsonNode load() {
        try (InputStream in = KubernetesSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + ": not on the test class path");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE + ": not JSON", e);
        }
    }
}
