package io.ringfold.spark.cluster;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The classpath of the running JVM as a list of files, for JVMs the tests start. Surefire may start its
 * JVM with one "manifest-only" jar whose {@code Class-Path} attribute lists the real entries; those are
 * expanded, so a child JVM gets plain directories and jars and does not depend on surefire's temporary
 * jar.
 */
final class TestClasspath {

    private TestClasspath() {
    }

    /** Every entry of {@code java.class.path}, manifest-only jars replaced by the entries they list. */
    static List<Path> entries() {
        Set<Path> out = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath().normalize();
            List<Path> listed = manifestClassPath(path);
            if (listed.isEmpty()) {
                out.add(path);
            } else {
                out.addAll(listed);
            }
        }
        return List.copyOf(out);
    }

    /** {@link #entries()} joined with the platform's path separator. */
    static String joined() {
        List<String> parts = new ArrayList<>();
        for (Path p : entries()) {
            parts.add(p.toString());
        }
        return String.join(File.pathSeparator, parts);
    }

    /** The entries a manifest-only jar lists; empty for a directory or an ordinary jar. */
    private static List<Path> manifestClassPath(Path path) {
        if (!path.toString().endsWith(".jar") || !path.toFile().isFile()) {
            return List.of();
        }
        try (JarFile jar = new JarFile(path.toFile())) {
            Manifest manifest = jar.getManifest();
            // Only a jar without classes of its own is a classpath carrier; ordinary jars may list
            // companions in Class-Path too, and the JVM follows those itself.
            boolean onlyManifest = jar.stream().noneMatch(e -> e.getName().endsWith(".class"));
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (!onlyManifest || classPath == null || classPath.isBlank()) {
                return List.of();
            }
            List<Path> listed = new ArrayList<>();
            for (String url : classPath.trim().split("\\s+")) {
                URI uri = path.toUri().resolve(url);
                listed.add(Path.of(uri).toAbsolutePath().normalize());
            }
            return listed;
        } catch (IOException e) {
            throw new IllegalStateException("classpath entry " + path + " is not a readable jar", e);
        }
    }
}
