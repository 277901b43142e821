package io.ringfold.serving;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's packages form layers without loops: the core at the bottom, then batching, backends, the
 * repository, the inference path and the protocol front ends. Read from the main sources' imports and
 * fully qualified references outside comments.
 */
class PackageDependenciesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/ringfold/serving");
    private static final Pattern REFERENCE = Pattern.compile("io\\.ringfold\\.serving\\.([a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

    @Test
    void thePackagesHaveNoLoops() throws IOException {
        Map<String, Set<String>> uses = graph();
        assertThat(uses).containsKeys("core", "backend", "repository", "inference", "http", "grpc");
        assertThat(uses.get("core")).as("core depends on nothing of the server").isEmpty();
        List<String> loop = findLoop(uses);
        assertThat(loop).as("a package loop").isEmpty();
    }

    private static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(f.getParent()).toString().replace('/', '.');
                if (pkg.isEmpty() || pkg.startsWith("grpc.v2")) {
                    continue;
                }
                Set<String> deps = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                // References in comments (a {@code ...} that names a class) are no dependency.
                String code = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    String dep = m.group(1);
                    if (!dep.equals(pkg) && !dep.startsWith("grpc.v2")) {
                        deps.add(dep);
                    }
                }
            }
        }
        return uses;
    }

    /** One cycle as its packages in order, or an empty list. */
    private static List<String> findLoop(Map<String, Set<String>> uses) {
        Set<String> done = new TreeSet<>();
        for (String start : uses.keySet()) {
            Deque<String> path = new ArrayDeque<>();
            List<String> loop = visit(start, uses, path, done);
            if (!loop.isEmpty()) {
                return loop;
            }
        }
        return List.of();
    }

    private static List<String> visit(String p, Map<String, Set<String>> uses, Deque<String> path, Set<String> done) {
        if (path.contains(p)) {
            List<String> loop = new ArrayList<>(path);
            java.util.Collections.reverse(loop);
            loop = loop.subList(loop.indexOf(p), loop.size());
            List<String> closed = new ArrayList<>(loop);
            closed.add(p);
            return closed;
        }
        if (done.contains(p)) {
            return List.of();
        }
        path.push(p);
        for (String d : uses.getOrDefault(p, Set.of())) {
            List<String> loop = visit(d, uses, path, done);
            if (!loop.isEmpty()) {
                return loop;
            }
        }
        path.pop();
        done.add(p);
        return List.of();
    }
}
