package io.ringfold.collective;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

class InProcessCommunicatorTest extends CommunicatorContractTest {

    @Override
    protected List<Communicator> create(int size, Duration timeout) {
        InProcessGroup group = new InProcessGroup(size, timeout);
        List<Communicator> out = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            out.add(group.communicator(r));
        }
        return out;
    }
}
