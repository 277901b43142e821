package io.ringfold.spark.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Prints one JSON object per line on stdout: the program's only output there (logs go to stderr). */
final class JsonLines {

    private final ObjectMapper json = new ObjectMapper();
    private final PrintStream out;
    private final Map<String, Object> common;

    JsonLines(PrintStream out, Map<String, Object> common) {
        this.out = out;
        this.common = new LinkedHashMap<>(common);
    }

    /** Prints {@code fields} after the fields every line carries. */
    void print(Map<String, Object> fields) {
        Map<String, Object> line = new LinkedHashMap<>(common);
        line.putAll(fields);
        try {
            out.println(json.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("measurement " + fields + " not writable as JSON", e);
        }
        out.flush();
    }
}
