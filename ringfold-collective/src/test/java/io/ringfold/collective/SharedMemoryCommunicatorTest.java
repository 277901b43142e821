package io.ringfold.collective;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The contract through shared memory: ranks are threads of this JVM, each joining over real TCP and then
 * mapping the same segment, the code path of separate processes. Halves of 256 KiB, so that moderate
 * buffers take many chunks and both allreduce algorithms run (whole chunks up to 64 KiB, slices above).
 */
class SharedMemoryCommunicatorTest extends CommunicatorContractTest {

    static final int HALF_BYTES = 256 * 1024;

    @Override
    protected List<Communicator> create(int size, Duration timeout) {
        return group(size, TcpCommunicatorTest.options(timeout), HALF_BYTES);
    }

    static List<Communicator> group(int size, TcpOptions o, int halfBytes) {
        List<Communicator> tcp = TcpCommunicatorTest.group(size, o);
        List<Communicator> out = new ArrayList<>();
        for (Communicator c : Ranks.all(tcp, c -> Transport.SHM.over((TcpCommunicator) c, halfBytes))) {
            out.add(c);
        }
        return out;
    }
}
