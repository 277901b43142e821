package io.ringfold.collective;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Forms a {@link SharedMemoryCommunicator} over a TCP group: the ranks all-gather a host identity and their
 * pids; if all are on one host, rank 0 creates the segment file (in /dev/shm, a memory file system, where
 * it exists; else in java.io.tmpdir), the others map it, and once all have, rank 0 deletes it. The mappings
 * stay valid without the name, so nothing is left behind, even after kill -9.
 */
final class SharedMemorySetup {

    private static final Path DEV_SHM = Path.of("/dev/shm");

    private SharedMemorySetup() {
    }

    /**
     * What must be equal for two processes to share a file mapping and see each other's pids: the host name,
     * the kernel boot (two containers may share a name), and the mount and pid namespaces (which decide what
     * /dev/shm is and what a pid means). Where /proc is absent, the host name alone.
     */
    static String hostIdentity() {
        StringBuilder id = new StringBuilder(hostName());
        try {
            Path boot = Path.of("/proc/sys/kernel/random/boot_id");
            if (Files.isReadable(boot)) {
                id.append(" boot ").append(Files.readString(boot).trim());
            }
            for (String ns : new String[] {"mnt", "pid"}) {
                Path link = Path.of("/proc/self/ns", ns);
                if (Files.isSymbolicLink(link)) {
                    id.append(' ').append(Files.readSymbolicLink(link));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("host identity: " + CollectiveException.reason(e), e);
        }
        return id.toString();
    }

    static String hostName() {
        try {
            Path p = Path.of("/proc/sys/kernel/hostname");
            return Files.isReadable(p) ? Files.readString(p).trim() : InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            throw new UncheckedIOException("host name: " + CollectiveException.reason(e), e);
        }
    }

    /** The identities of all ranks of {@code tcp}, and "pid P@host" of each: a collective call. */
    static String[][] gather(TcpCommunicator tcp) {
        String mine = hostIdentity() + "\n" + ProcessHandle.current().pid() + "@" + hostName();
        byte[][] all = tcp.allGather(mine.getBytes(StandardCharsets.UTF_8));
        String[][] out = new String[2][all.length];
        for (int q = 0; q < all.length; q++) {
            String[] parts = new String(all[q], StandardCharsets.UTF_8).split("\n", 2);
            out[0][q] = parts[0];
            out[1][q] = "pid " + (parts.length > 1 ? parts[1] : "?");
        }
        return out;
    }

    /** Creates (rank 0) or maps (the others) the segment; every rank fails alike if one cannot. */
    static SharedMemoryCommunicator map(TcpCommunicator tcp, String[] processes, int halfBytes) {
        int rank = tcp.rank();
        int n = tcp.size();
        String who = "shared memory on rank " + rank + "/" + n + " (" + processes[rank] + ")";
        SharedSegment seg = null;
        String problem = "";
        Path file = null;
        try {
            if (rank == 0) {
                Path dir = Files.isDirectory(DEV_SHM) && Files.isWritable(DEV_SHM) ? DEV_SHM
                        : Path.of(System.getProperty("java.io.tmpdir"));
                try {
                    file = Files.createTempFile(dir, "ringfold-" + ProcessHandle.current().pid() + "-", ".shm");
                    seg = SharedSegment.create(file, n, halfBytes);
                } catch (IOException | RuntimeException e) {
                    problem = "could not create a segment of " + SharedSegment.bytes(n, halfBytes) + " bytes in " + dir
                            + ": " + e;
                }
            }
            byte[][] names = tcp.allGather((rank == 0 ? (seg != null ? file.toString() : "") : "")
                    .getBytes(StandardCharsets.UTF_8));
            String where = new String(names[0], StandardCharsets.UTF_8);
            if (rank != 0 && !where.isEmpty()) {
                try {
                    seg = SharedSegment.open(Path.of(where), n, halfBytes);
                } catch (IOException | RuntimeException e) {
                    problem = "could not map " + where + ": " + e;
                }
            }
            if (seg != null) {
                seg.setPid(rank, ProcessHandle.current().pid());
            }
            byte[][] problems = tcp.allGather(problem.getBytes(StandardCharsets.UTF_8));
            for (int q = 0; q < n; q++) {
                if (problems[q].length > 0) {
                    throw new CollectiveException(who + ": rank " + q + " (" + processes[q] + ") "
                            + new String(problems[q], StandardCharsets.UTF_8));
                }
            }
            return new SharedMemoryCommunicator(tcp, seg, processes);
        } finally {
            if (file != null) {
                delete(file);
            }
        }
    }

    /** The file's name only: every rank has mapped it or failed by now, and the mappings do not need it. */
    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("shared memory: could not delete " + file + ": " + CollectiveException.reason(e), e);
        }
    }
}
