package io.ringfold.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
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
 * Every module's packages form layers without loops (the style's rule), read from the main sources' imports and
 * fully qualified references outside comments, over the whole repository (this module's tests run in
 * ringfold-cli, beside the others).
 */
class PackageDependenciesTest {

    private static final Path REPOSITORY = Path.of("..");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.ringfold(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

    private static Map<String, Set<String>> uses;

    @BeforeAll
    static void readSources() throws IOException {
        uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(REPOSITORY)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")
                    && p.toString().contains("/src/main/java/")).toList()) {
                // References in comments (a {@link ...} that names a class) are no dependency.
                String code = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
                Matcher pm = PACKAGE.matcher(code);
                if (!pm.find()) {
                    continue;
                }
                String pkg = pm.group(1);
                Set<String> deps = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        deps.add(m.group(1));
                    }
                }
            }
        }
    }

    @Test
    void noPackageOfAnyModuleLoopsBackToItself() {
        assertThat(uses).containsKeys("io.ringfold.train", "io.ringfold.serving.core", "io.ringfold.federated",
                "io.ringfold.jobs.service", "io.ringfold.cli");
        assertThat(loop()).as("a package loop").isEmpty();
    }

    @Test
    void theServersCoreDependsOnNothingOfTheServer() {
        assertThat(uses.get("io.ringfold.serving.core")).noneMatch(p -> p.startsWith("io.ringfold.serving."));
    }

    /** One loop as its packages in order, or an empty list. */
    private static List<String> loop() {
        Set<String> done = new TreeSet<>();
        for (String start : uses.keySet()) {
            List<String> loop = visit(start, new ArrayDeque<>(), done);
            if (!loop.isEmpty()) {
                return loop;
            }
        }
        return List.of();
    }

    private static List<String> visit(String p, Deque<String> path, Set<String> done) {
        if (path.contains(p)) {
            List<String> loop = new ArrayList<>(path);
            Collections.reverse(loop);
            loop = new ArrayList<>(loop.subList(loop.indexOf(p), loop.size()));
            loop.add(p);
            return loop;
        }
        if (done.contains(p) || !uses.containsKey(p)) {
            return List.of();
        }
        path.push(p);
        for (String d : uses.get(p)) {
            List<String> loop = visit(d, path, done);
            if (!loop.isEmpty()) {
                return loop;
            }
        }
        path.pop();
        done.add(p);
        return List.of();
    }
}
