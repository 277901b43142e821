package io.ringfold.spark;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.InProcessGroup;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Barrier tasks that all run in one JVM (local mode, or a single executor) train over an
 * {@link InProcessGroup}, shared memory, instead of TCP through the loopback: the same results (both
 * communicators sum int64 exactly), without a socket round trip per step. Each task publishes
 * {@link #JVM} in the stage's all-gather; when every task published the same, they meet here under the
 * stage attempt's key.
 */
final class SameJvmGroups {

    /** This JVM: process id @ host (the runtime's name) and its start time, so a reused pid differs. */
    static final String JVM = (ManagementFactory.getRuntimeMXBean().getName() + "/"
            + ManagementFactory.getRuntimeMXBean().getStartTime()).replace(' ', '_');

    private static final ConcurrentHashMap<String, Entry> GROUPS = new ConcurrentHashMap<>();
    /** Each stage attempt's staged input blocks, by rank, while its tasks assemble their rows. */
    private static final ConcurrentHashMap<String, PartitionBlock[]> BLOCKS = new ConcurrentHashMap<>();

    private static final class Entry {
        final InProcessGroup group;
        int joined;

        Entry(InProcessGroup group) {
            this.group = group;
        }
    }

    private SameJvmGroups() {
    }

    /** Whether every gathered JVM identity is this JVM's. */
    static boolean allHere(String[] jvms) {
        for (String j : jvms) {
            if (!JVM.equals(j)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The communicator of {@code rank} in the group of stage attempt {@code key}, made by the first rank to
     * arrive; the entry is dropped once every rank has taken its communicator (a retried stage has
     * another key).
     */
    static Communicator join(String key, int rank, int size, Duration timeout) {
        Entry e = GROUPS.computeIfAbsent(key, k -> new Entry(new InProcessGroup(size, timeout)));
        synchronized (e) {
            if (++e.joined == size) {
                GROUPS.remove(key, e);
            }
        }
        return e.group.communicator(rank);
    }

    /**
     * Publishes this task's block and returns every task's, once all have published ({@code comm} is the
     * group's in-process communicator: its barrier also makes the blocks visible to every thread). The
     * tasks then read each other's rows in place, with no copy into a message.
     */
    static PartitionBlock[] shareBlocks(String key, int rank, PartitionBlock mine, Communicator comm) {
        PartitionBlock[] all = BLOCKS.computeIfAbsent(key, k -> new PartitionBlock[comm.size()]);
        all[rank] = mine;
        comm.barrier();
        return all;
    }

    /** After every task has read the blocks (a barrier), forgets them; also safe after a failure. */
    static void releaseBlocks(String key, Communicator comm) {
        try {
            comm.barrier();
        } finally {
            BLOCKS.remove(key);
        }
    }
}
