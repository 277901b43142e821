package io.ringfold.serving.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random and mutated requests for the decoders: seed bodies of every protocol (v2 infer, TF Serving
 * predict row and columnar, classify, regress), byte-level mutations of them (flips, cuts, splices,
 * inserted JSON tokens), structural ones (a random value put in place of a random one), and paths built
 * from the routes' own segments plus hostile ones. Everything comes from the one generator it is given.
 */
final class RequestFuzzer {

    /** One request to send. */
    record Case(String method, String path, byte[] body) {
        @Override
        public String toString() {
            String b = new String(body, StandardCharsets.UTF_8);
            return method + " " + path + " " + (b.length() > 300 ? b.substring(0, 300) + "..." : b);
        }
    }

    static final List<String> SEED_BODIES = List.of(
            "{\"id\": \"42\", \"inputs\": [{\"name\": \"input\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 0, 0, 2]}],"
                    + " \"outputs\": [{\"name\": \"class\"}], \"parameters\": {\"a\": 1}}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 2], \"datatype\": \"INT64\", \"data\": [[1, 0]]}]}",
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [2], \"datatype\": \"FP64\", \"data\": [0.5, -3e2]}]}",
            "{\"signature_name\": \"serving_default\", \"instances\": [[1.0, 2.0], [3.0, 4.0]]}",
            "{\"instances\": [{\"input\": [1, 1]}]}",
            "{\"inputs\": {\"input\": [[1, 1], [2, 0]]}}",
            "{\"inputs\": [[1.0, 2.0]]}",
            "{\"context\": {\"x1\": 1}, \"examples\": [{\"x0\": 1}, {\"x0\": [2]}]}",
            "{\"examples\": [{\"x0\": 0, \"x1\": 2}]}",
            "{\"ready\": true}",
            "");

    private static final List<String> PATHS = List.of(
            "/v2/models/iris/infer", "/v2/models/iris/versions/1/infer", "/v2/models/reg/infer",
            "/v1/models/iris:predict", "/v1/models/reg/versions/3:predict", "/v1/models/iris:classify",
            "/v1/models/reg:regress", "/v1/models/iris/labels/stable:predict", "/v2/repository/index",
            "/v1/models/iris", "/v1/models/iris/metadata", "/v2/models/iris", "/v2/models/iris/ready", "/v2",
            "/v2/health/ready", "/v2/health/live", "/metrics");

    private static final String[] SEGMENTS = {"v1", "v2", "models", "iris", "reg", "versions", "labels", "1", "3",
            "stable", "infer", "ready", "metadata", "repository", "index", "health", "live", ":predict", ":classify",
            ":regress", ":", "..", ".", "", "%2F", "%00", "..%2F..", "-1", "0", "999999999999999999",
            "9999999999999999999999", "1e3", "iris:predict", "a/b", "\u00e9", "x".repeat(200), "load"};

    private static final String[] TOKENS = {"{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "NaN",
            "-Infinity", "Infinity", "1e39", "-1e-46", "1e999999", "0", "-0", "1.5", "9223372036854775808",
            "\"input\"", "\"FP32\"", "\"BYTES\"", "\"UINT8\"", "\"shape\"", "\"data\"", "\"name\"", "\"datatype\"",
            "\"instances\"", "\"inputs\"", "\"examples\"", "\"context\"", "\"outputs\"", "[-1, 2]", "[0]", "[]", "{}",
            "\"\\u0000\"", "\"\\ud800\"", "[[[[[[[[[[", "]]]]]]]]]]", "\"x0\"", "\"x1\"", "\"a\"", "/*", "\u00ff", "\t"};

    private static final String[] METHODS = {"POST", "POST", "POST", "POST", "GET", "PUT", "DELETE", "HEAD"};

    private final SplittableRandom rnd;

    RequestFuzzer(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    Case next() {
        int kind = rnd.nextInt(10);
        String method = kind == 0 ? METHODS[rnd.nextInt(METHODS.length)] : "POST";
        String path = kind == 1 ? randomPath() : PATHS.get(rnd.nextInt(PATHS.size()));
        byte[] body = switch (rnd.nextInt(4)) {
            case 0 -> tokenSoup();
            case 1, 2 -> mutate(seedBody().getBytes(StandardCharsets.UTF_8));
            default -> structural(seedBody());
        };
        return new Case(method, path, body);
    }

    private String seedBody() {
        return SEED_BODIES.get(rnd.nextInt(SEED_BODIES.size()));
    }

    private String randomPath() {
        StringBuilder b = new StringBuilder();
        int n = 1 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            b.append('/').append(SEGMENTS[rnd.nextInt(SEGMENTS.length)]);
        }
        if (rnd.nextInt(4) == 0) {
            b.append(SEGMENTS[rnd.nextInt(SEGMENTS.length)]);
        }
        return b.toString();
    }

    private byte[] tokenSoup() {
        StringBuilder b = new StringBuilder();
        int n = rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            b.append(TOKENS[rnd.nextInt(TOKENS.length)]);
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One to four byte-level edits. */
    private byte[] mutate(byte[] in) {
        byte[] b = in;
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
            switch (rnd.nextInt(5)) {
                case 0 -> { // flip a byte to any value, including invalid UTF-8
                    if (b.length > 0) {
                        b = b.clone();
                        b[Math.min(at, b.length - 1)] = (byte) rnd.nextInt(256);
                    }
                }
                case 1 -> b = java.util.Arrays.copyOf(b, at); // truncate
                case 2 -> { // delete a range
                    int end = Math.min(b.length, at + 1 + rnd.nextInt(8));
                    b = concat(slice(b, 0, at), slice(b, end, b.length));
                }
                case 3 -> b = concat(concat(slice(b, 0, at), TOKENS[rnd.nextInt(TOKENS.length)]
                        .getBytes(StandardCharsets.UTF_8)), slice(b, at, b.length)); // insert a token
                default -> { // duplicate a range in place
                    int end = Math.min(b.length, at + 1 + rnd.nextInt(16));
                    b = concat(slice(b, 0, end), slice(b, at, b.length));
                }
            }
        }
        return b;
    }

    /** Replaces one JSON value (a number, string, array or object, found by scanning) with a random value. */
    private byte[] structural(String s) {
        if (s.isEmpty()) {
            return randomValue(3).getBytes(StandardCharsets.UTF_8);
        }
        // Start points of values: after ':' '[' or ','.
        int[] starts = new int[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':' || c == '[' || c == ',') {
                starts[n++] = i + 1;
            }
        }
        if (n == 0) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        int start = starts[rnd.nextInt(n)];
        while (start < s.length() && s.charAt(start) == ' ') {
            start++;
        }
        int end = valueEnd(s, start);
        return (s.substring(0, start) + randomValue(3) + s.substring(end)).getBytes(StandardCharsets.UTF_8);
    }

    /** End of the JSON value starting at {@code i} (bracket matching; strings have no escapes in the seeds). */
    private static int valueEnd(String s, int i) {
        int depth = 0;
        boolean inString = false;
        for (int j = i; j < s.length(); j++) {
            char c = s.charAt(j);
            if (inString) {
                if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        return j + 1;
                    }
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                if (depth == 0) {
                    return j;
                }
                depth--;
                if (depth == 0) {
                    return j + 1;
                }
            } else if (c == ',' && depth == 0) {
                return j;
            }
        }
        return s.length();
    }

    private String randomValue(int depth) {
        int k = rnd.nextInt(depth > 0 ? 9 : 6);
        return switch (k) {
            case 0 -> "null";
            case 1 -> rnd.nextBoolean() ? "true" : "false";
            case 2 -> TOKENS[10 + rnd.nextInt(10)]; // special numbers: NaN .. 9223372036854775808
            case 3 -> Integer.toString(rnd.nextInt(-5, 100_000));
            case 4 -> Double.toString(rnd.nextDouble() * 1e6 - 5e5);
            case 5 -> "\"" + SEGMENTS[rnd.nextInt(SEGMENTS.length)] + "\"";
            case 6, 7 -> {
                StringBuilder b = new StringBuilder("[");
                int n = rnd.nextInt(5);
                for (int i = 0; i < n; i++) {
                    b.append(i > 0 ? "," : "").append(randomValue(depth - 1));
                }
                yield b.append(']').toString();
            }
            default -> {
                StringBuilder b = new StringBuilder("{");
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    b.append(i > 0 ? "," : "").append(TOKENS[20 + rnd.nextInt(13)]).append(':').append(randomValue(depth - 1));
                }
                yield b.append('}').toString();
            }
        };
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, Math.max(from, to));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
