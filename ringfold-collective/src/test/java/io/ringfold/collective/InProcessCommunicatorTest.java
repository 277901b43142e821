package io.ringfold.collective;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

class InProcessCommunicatorTest extends CommunicatorContractTest implements InPlaceContract {

    @Override
    protected List<Communicator> create(int size, Duration timeout) {
        InProcessGroup group = new InProcessGroup(size, timeout);
        List<Communicator> out = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            out.add(group.communicator(r));
        }
        return out;
    }

    @Override
    public List<Communicator> inPlaceGroup(int size, Duration timeout) {
        return create(size, timeout);
    }

    /** What one slot holds: a block for each rank. */
    @Override
    public int largestReduceScatterBlock(int ranks) {
        return (int) (InProcessSlots.MAX_BYTES / 8 / ranks);
    }

    /** What one slot holds: this rank's block. */
    @Override
    public int largestAllGatherBlock(int ranks) {
        return (int) (InProcessSlots.MAX_BYTES / 4);
    }
}
