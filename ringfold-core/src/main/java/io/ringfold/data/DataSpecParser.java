package io.ringfold.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The syntax of {@link DataSpec} strings; every rejection names the spec and lists the accepted forms. */
final class DataSpecParser {

    private DataSpecParser() {
    }

    static DataSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw bad(String.valueOf(spec), "empty");
        }
        String s = spec.trim();
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        String rest = colon < 0 ? null : s.substring(colon + 1);
        switch (kind) {
            case "digits":
                if (rest != null) {
                    throw bad(spec, "digits takes no arguments");
                }
                return new DataSpec.Digits();
            case "fashion-mnist":
                if (rest != null && rest.isEmpty()) {
                    throw bad(spec, "empty directory after 'fashion-mnist:'");
                }
                return new DataSpec.FashionMnist(Path.of(rest == null ? DataSpec.FASHION_MNIST_DIR : rest));
            case "csv":
                return csv(spec, required(spec, rest));
            case "libsvm":
                return libsvm(spec, required(spec, rest));
            case "idx":
                return idx(spec, required(spec, rest));
            default:
                throw bad(spec, "unknown kind '" + kind + "'");
        }
    }

    private static String required(String spec, String rest) {
        if (rest == null || rest.isEmpty() || rest.startsWith("?")) {
            throw bad(spec, "no path");
        }
        return rest;
    }

    private static DataSpec csv(String spec, String rest) {
        Map<String, String> q = query(spec, rest,
                Set.of("label", "header", "delimiter", "categorical", "text", "weight", "test"));
        CsvReader reader = new CsvReader();
        if (q.containsKey("label")) {
            reader = reader.withLabelColumn(nonEmpty(spec, q, "label"));
        }
        if (q.containsKey("header")) {
            String h = q.get("header");
            if (!h.equals("true") && !h.equals("false")) {
                throw bad(spec, "header=" + h + " (expected true or false)");
            }
            reader = reader.withHeader(Boolean.parseBoolean(h));
        }
        if (q.containsKey("delimiter")) {
            String d = q.get("delimiter");
            char c;
            if (d.equals("tab") || d.equals("\\t")) {
                c = '\t';
            } else if (d.length() == 1 && d.charAt(0) != '"') {
                c = d.charAt(0);
            } else {
                throw bad(spec, "delimiter=" + d + " (expected one character, or 'tab')");
            }
            reader = reader.withDelimiter(c);
        }
        if (q.containsKey("categorical")) {
            List<String> cols = Arrays.asList(nonEmpty(spec, q, "categorical").split(",", -1));
            if (cols.contains("")) {
                throw bad(spec, "categorical=" + q.get("categorical") + " has an empty column name");
            }
            reader = reader.withCategorical(cols);
        }
        if (q.containsKey("text")) {
            String t = nonEmpty(spec, q, "text");
            if (t.contains(",")) {
                throw bad(spec, "text=" + t + " names several columns (one text column at most: join the texts"
                        + " into one column)");
            }
            reader = reader.withTextColumn(t);
        }
        if (q.containsKey("weight")) {
            String w = nonEmpty(spec, q, "weight");
            if (w.contains(",")) {
                throw bad(spec, "weight=" + w + " names several columns (one weight column at most)");
            }
            reader = reader.withWeightColumn(w);
        }
        return new DataSpec.Csv(Path.of(path(spec, rest)), reader, optionalPath(spec, q, "test"));
    }

    private static DataSpec libsvm(String spec, String rest) {
        Map<String, String> q = query(spec, rest, Set.of("features", "test"));
        int features = 0;
        if (q.containsKey("features")) {
            String f = q.get("features");
            features = f.matches("[0-9]{1,9}") ? Integer.parseInt(f) : 0;
            if (features <= 0) {
                throw bad(spec, "features=" + f + " (expected a positive integer)");
            }
        }
        return new DataSpec.LibSvm(Path.of(path(spec, rest)), features, optionalPath(spec, q, "test"));
    }

    private static DataSpec idx(String spec, String rest) {
        Map<String, String> q = query(spec, rest, Set.of("test"));
        Path[] train = pair(spec, path(spec, rest));
        if (q.containsKey("test")) {
            Path[] test = pair(spec, nonEmpty(spec, q, "test"));
            return new DataSpec.Idx(train[0], train[1], Optional.of(test[0]), Optional.of(test[1]));
        }
        return new DataSpec.Idx(train[0], train[1], Optional.empty(), Optional.empty());
    }

    private static Path[] pair(String spec, String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw bad(spec, "'" + text + "' is not IMAGES,LABELS");
        }
        return new Path[] {Path.of(parts[0]), Path.of(parts[1])};
    }

    /** The part before the last '?'. */
    private static String path(String spec, String rest) {
        int q = rest.lastIndexOf('?');
        String p = q < 0 ? rest : rest.substring(0, q);
        if (p.isEmpty()) {
            throw bad(spec, "no path");
        }
        return p;
    }

    private static Map<String, String> query(String spec, String rest, Set<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        int q = rest.lastIndexOf('?');
        if (q < 0) {
            return out;
        }
        for (String pair : rest.substring(q + 1).split("&", -1)) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (eq < 0 || !allowed.contains(key)) {
                throw bad(spec, "option '" + pair + "' (options here: " + allowed.stream().sorted().toList() + ", as key=value)");
            }
            if (out.put(key, pair.substring(eq + 1)) != null) {
                throw bad(spec, "option '" + key + "' given twice");
            }
        }
        return out;
    }

    private static String nonEmpty(String spec, Map<String, String> q, String key) {
        String v = q.get(key);
        if (v.isEmpty()) {
            throw bad(spec, "empty value for '" + key + "'");
        }
        return v;
    }

    private static Optional<Path> optionalPath(String spec, Map<String, String> q, String key) {
        return q.containsKey(key) ? Optional.of(Path.of(nonEmpty(spec, q, key))) : Optional.empty();
    }

    private static IllegalArgumentException bad(String spec, String problem) {
        return new IllegalArgumentException("data spec '" + spec + "': " + problem + " (expected: " + DataSpec.FORMS
                + ")");
    }
}
