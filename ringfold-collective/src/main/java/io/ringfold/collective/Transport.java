package io.ringfold.collective;

import java.util.Locale;

/**
 * How the ranks of a TCP group exchange collective data: {@link #TCP} over the mesh of connections,
 * {@link #SHM} through shared memory (every rank must be on this host), or {@link #AUTO}: shared memory
 * when every rank is on this host, else TCP. On one host, loopback TCP copies every byte through the
 * kernel twice and wakes the receiver per segment; shared memory copies it once, in user space.
 */
public enum Transport {
    AUTO, TCP, SHM;

    /** {@code auto}, {@code tcp} or {@code shm}. */
    public static Transport parse(String name) {
        for (Transport t : values()) {
            if (t.name().toLowerCase(Locale.ROOT).equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("transport: " + name + " (expected: auto, tcp or shm)");
    }

    /**
     * The communicator for {@code tcp}'s group with this transport; a collective call (every rank calls it,
     * with the same transport). Takes ownership of {@code tcp}: the result closes it, and so does a failure.
     */
    public Communicator over(TcpCommunicator tcp) {
        return over(tcp, SharedMemoryCommunicator.DEFAULT_HALF_BYTES);
    }

    Communicator over(TcpCommunicator tcp, int halfBytes) {
        if (this == TCP) {
            return tcp;
        }
        try {
            String[][] ids = SharedMemorySetup.gather(tcp);
            for (int q = 1; q < tcp.size(); q++) {
                if (!ids[0][q].equals(ids[0][0])) {
                    if (this == AUTO) {
                        return tcp;
                    }
                    throw new CollectiveException("shared memory on rank " + tcp.rank() + "/" + tcp.size() + ": rank " + q
                            + " (" + ids[1][q] + ") is not on the host of rank 0 (" + ids[1][0] + "): " + ids[0][q] + " vs "
                            + ids[0][0] + " (expected: every rank on one host for --transport shm; auto or tcp otherwise)");
                }
            }
            return SharedMemorySetup.map(tcp, ids[1], halfBytes);
        } catch (RuntimeException e) {
            tcp.close();
            throw e;
        }
    }
}
