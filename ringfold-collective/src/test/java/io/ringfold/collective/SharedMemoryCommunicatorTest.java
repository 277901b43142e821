package io.ringfold.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The contract through shared memory: ranks are threads of this JVM, each joining over real TCP and then
 * mapping the same segment, the code path of separate processes. Halves of 256 KiB, so that moderate
 * buffers take many chunks and both allreduce algorithms run (whole chunks up to 64 KiB, slices above).
 */
class SharedMemoryCommunicatorTest extends CommunicatorContractTest implements InPlaceContract {

    static final int HALF_BYTES = 256 * 1024;

    @Override
    protected List<Communicator> create(int size, Duration timeout) {
        return group(size, TcpCommunicatorTest.options(timeout), HALF_BYTES);
    }

    @Override
    public List<Communicator> inPlaceGroup(int size, Duration timeout) {
        return create(size, timeout);
    }

    /** What one half of a unit holds: a block for each rank. */
    @Override
    public int largestReduceScatterBlock(int ranks) {
        return HALF_BYTES / 8 / ranks;
    }

    /** What one half of a unit holds: this rank's block. */
    @Override
    public int largestAllGatherBlock(int ranks) {
        return HALF_BYTES / 4;
    }

    static List<Communicator> group(int size, TcpOptions o, int halfBytes) {
        List<Communicator> tcp = TcpCommunicatorTest.group(size, o);
        List<Communicator> out = new ArrayList<>();
        for (Communicator c : Ranks.all(tcp, c -> Transport.SHM.over((TcpCommunicator) c, halfBytes))) {
            out.add(c);
        }
        return out;
    }

    @Test
    void autoChoosesSharedMemoryOnOneHostAndLeavesNoFileBehind() throws IOException {
        List<Communicator> tcp = TcpCommunicatorTest.group(2, TcpCommunicatorTest.options(TIMEOUT));
        List<Communicator> shm = Ranks.all(tcp, c -> Transport.AUTO.over((TcpCommunicator) c));
        try {
            long pid = ProcessHandle.current().pid();
            for (int r = 0; r < 2; r++) {
                assertThat(shm.get(r)).isInstanceOf(SharedMemoryCommunicator.class);
                assertThat(shm.get(r).describe()).startsWith("shm rank " + r + "/2 (pid " + pid + ") over tcp rank " + r);
            }
            Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(f -> f.startsWith("ringfold-" + pid + "-"));
            }
            Ranks.all(shm, c -> {
                long[] x = {c.rank() + 1L};
                c.allReduce(x, 0, 1, ReduceOp.SUM);
                assertThat(x[0]).isEqualTo(3L);
                return null;
            });
        } finally {
            shm.forEach(Communicator::close);
        }
    }

    @Test
    void tcpTransportKeepsTheTcpCommunicatorAndNamesAreParsed() {
        List<Communicator> tcp = TcpCommunicatorTest.group(1, TcpCommunicatorTest.options(TIMEOUT));
        try {
            assertThat(Transport.TCP.over((TcpCommunicator) tcp.get(0))).isSameAs(tcp.get(0));
        } finally {
            tcp.get(0).close();
        }
        assertThat(Transport.parse("auto")).isEqualTo(Transport.AUTO);
        assertThat(Transport.parse("shm")).isEqualTo(Transport.SHM);
        assertThatThrownBy(() -> Transport.parse("rdma")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("transport: rdma (expected: auto, tcp or shm)");
    }

    @Test
    void splitGivesSharedMemoryGroups() {
        List<Communicator> shm = group(2, TcpCommunicatorTest.options(TIMEOUT), HALF_BYTES);
        List<Communicator> children = Ranks.all(shm, c -> c.split(0, -c.rank()));
        try {
            for (int r = 0; r < 2; r++) {
                assertThat(children.get(r)).isInstanceOf(SharedMemoryCommunicator.class);
                assertThat(children.get(r).describe()).startsWith("shm rank " + (1 - r) + "/2");
            }
        } finally {
            children.forEach(Communicator::close);
            shm.forEach(Communicator::close);
        }
    }
}
