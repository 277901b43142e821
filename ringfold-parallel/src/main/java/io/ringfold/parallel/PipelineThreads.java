package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.InProcessGroup;
import io.ringfold.train.Fitter;
import io.ringfold.train.TrainingListener;

import java.time.Duration;

/**
 * Pipeline training with worker threads in this JVM ({@code train --pipeline-stages K --workers N}): K x N
 * threads over one {@link InProcessGroup}, and one more group per stage for its N replicas. A worker that
 * fails closes its communicators, so the others fail at their next transfer or collective instead of waiting
 * for the deadline; the first worker's own error (not the others' consequential ones) is rethrown.
 */
public final class PipelineThreads {

    private PipelineThreads() {
    }

    /** {@code replicas} pipelines of {@code trainer}'s stages, on K x {@code replicas} threads. */
    public static Fitter fitter(PipelineTrainer trainer, int replicas, Duration timeout, CheckpointPolicy checkpoints) {
        if (replicas <= 0) {
            throw new IllegalArgumentException("workers: " + replicas + " (expected: > 0)");
        }
        int stages = trainer.pipeline().stages();
        int size = stages * replicas;
        return (net, x, y, w, xVal, yVal, listener) -> {
            InProcessGroup world = new InProcessGroup(size, timeout);
            InProcessGroup[] groups = new InProcessGroup[stages];
            for (int k = 0; k < stages; k++) {
                groups[k] = new InProcessGroup(replicas, timeout);
            }
            return WorkerThreads.runRanks(size, r -> "ringfold-stage-" + r / replicas + "-replica-" + r % replicas,
                    "pipeline workers", rank -> {
                Communicator comm = world.communicator(rank);
                Communicator group = groups[rank / replicas].communicator(rank % replicas);
                try {
                    return trainer.fit(comm, group, net, x, y, w, xVal, yVal,
                            rank == 0 ? listener : TrainingListener.NONE, checkpoints);
                } finally {
                    group.close();
                    comm.close();
                }
            });
        };
    }
}
