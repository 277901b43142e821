package io.ringfold.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two Linux network namespaces joined by a veth pair: two "hosts" on one machine, each with its own
 * network stack, so that worker processes talk over a link a test can cut. Side 0 has address
 * {@link #address(int) 10.231.7.1}, side 1 has 10.231.7.2 (a /24), loopback is up in both.
 *
 * <p>Both ends of the veth are created directly inside the namespaces, so nothing is added to the
 * host's network; and since each instance has network stacks of its own, the fixed addresses and ports
 * cannot clash with the host, nor with another test run at the same time. {@link #delete()} kills the
 * processes started here and deletes the namespaces (which deletes the veth), even after a failed
 * set-up. Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) and iproute2's {@code ip}.
 */
final class VethNamespaces {

    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final String[] ADDRESSES = {"10.231.7.1", "10.231.7.2"};
    private static final long CAP_NET_ADMIN = 1L << 12;
    private static final long CAP_SYS_ADMIN = 1L << 21;

    private final String ip;
    private final String[] namespaces = new String[2];
    private final String[] interfaces = new String[2];
    private final List<String> created = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private VethNamespaces(String ip, String prefix) {
        this.ip = ip;
        for (int side = 0; side < 2; side++) {
            namespaces[side] = prefix + "-" + "ab".charAt(side);
            interfaces[side] = prefix.replace("-", "") + "ab".charAt(side); // interface names: 15 characters at most
        }
    }

    /** Why these namespaces cannot be made here (not Linux, not root, no {@code ip}), or empty when they can. */
    static Optional<String> unmetRequirement() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isRegularFile(status)) {
            return Optional.of("network namespaces need Linux (/proc/self/status: absent)");
        }
        String uid = "?";
        long caps = 0;
        for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
            if (line.startsWith("Uid:")) {
                uid = line.substring(4).strip().split("\\s+")[1]; // real, effective, saved, filesystem
            } else if (line.startsWith("CapEff:")) {
                caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
            }
        }
        String lacking = ((caps & CAP_SYS_ADMIN) == 0 ? " CAP_SYS_ADMIN" : "") + ((caps & CAP_NET_ADMIN) == 0 ? " CAP_NET_ADMIN" : "");
        if (!uid.equals("0") || !lacking.isEmpty()) {
            return Optional.of("network namespaces need root with CAP_SYS_ADMIN and CAP_NET_ADMIN (effective uid: " + uid
                    + ", lacking:" + (lacking.isEmpty() ? " none" : lacking) + ")");
        }
        if (ipCommand().isEmpty()) {
            return Optional.of("the ip command (iproute2) is not on the PATH nor in /usr/sbin, /sbin");
        }
        return Optional.empty();
    }

    private static Optional<String> ipCommand() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin")); // often missing from a PATH
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "ip"))) {
                return Optional.of(Path.of(d, "ip").toString());
            }
        }
        return Optional.empty();
    }

    /** Creates the namespaces and the link, named {@code rf<pid>-<n>-a/b}, unique to this JVM and instance. */
    static VethNamespaces create() throws IOException, InterruptedException {
        String ip = ipCommand().orElseThrow(() -> new IllegalStateException("ip: not found (expected: iproute2 installed)"));
        VethNamespaces n = new VethNamespaces(ip, "rf" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet());
        try {
            for (String ns : n.namespaces) {
                n.run("netns", "add", ns);
                n.created.add(ns);
            }
            n.run("link", "add", n.interfaces[0], "netns", n.namespaces[0], "type", "veth",
                    "peer", "name", n.interfaces[1], "netns", n.namespaces[1]);
            for (int side = 0; side < 2; side++) {
                n.run("-n", n.namespaces[side], "addr", "add", ADDRESSES[side] + "/24", "dev", n.interfaces[side]);
                n.run("-n", n.namespaces[side], "link", "set", "lo", "up");
                n.run("-n", n.namespaces[side], "link", "set", n.interfaces[side], "up");
            }
            return n;
        } catch (IOException | InterruptedException | RuntimeException e) {
            n.delete();
            throw e;
        }
    }

    /** The address of side 0 or 1 on the link. */
    String address(int side) {
        return ADDRESSES[side];
    }

    /** Starts {@code command} inside the namespace of {@code side}, its output going to the given files. */
    Process start(int side, List<String> command, Path stdout, Path stderr) throws IOException {
        List<String> c = new ArrayList<>(List.of(ip, "netns", "exec", namespaces[side]));
        c.addAll(command);
        // ip netns exec replaces itself with the command (no fork): the Process is the command itself.
        Process p = new ProcessBuilder(c).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        processes.add(p);
        return p;
    }

    /** Sets side {@code side}'s end of the veth down: like pulling the cable, the peer sees no carrier. */
    void cutLink(int side) throws IOException, InterruptedException {
        run("-n", namespaces[side], "link", "set", interfaces[side], "down");
    }

    /** The ids of the processes still running inside the namespace of {@code side}. */
    List<String> pids(int side) throws IOException, InterruptedException {
        String out = run("netns", "pids", namespaces[side]).strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    private String run(String... args) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of(ip));
        c.addAll(List.of(args));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", c) + ": still running after 10 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", c) + ": exit status " + p.exitValue() + " (expected: 0): "
                    + out.strip());
        }
        return out;
    }

    /** Kills the processes started here, then deletes the namespaces; reports every failure, not only the first. */
    void delete() throws IOException, InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        IllegalStateException failure = null;
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                failure = add(failure, new IllegalStateException("process " + p.pid() + " still alive 10 s after SIGKILL"));
            }
        }
        // Delete in reverse order of creation; a namespace still used by a process would outlive its name.
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                run("netns", "delete", created.get(i));
            } catch (IllegalStateException e) {
                failure = add(failure, e);
            }
        }
        created.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private static IllegalStateException add(IllegalStateException first, IllegalStateException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
