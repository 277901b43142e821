package io.ringfold.spark.cluster;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.storage.RDDInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A listener recording, for barrier stages only, which executor ran each task of each stage attempt and
 * how it ended: the driver's view of where a fit's ranks ran. Listener events arrive asynchronously, on
 * Spark's listener thread, in the order the scheduler posted them (a stage's submission before its tasks).
 */
public final class BarrierTaskLog extends SparkListener {

    /** One task of a barrier stage: its stage attempt, partition (= rank), executor and end reason. */
    public record TaskRun(int stageId, int attempt, int partition, String executorId, String end) {
    }

    private final Set<Integer> barrierStages = ConcurrentHashMap.newKeySet();
    private final Queue<TaskRun> started = new ConcurrentLinkedQueue<>();
    private final Queue<TaskRun> ended = new ConcurrentLinkedQueue<>();

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted event) {
        for (RDDInfo rdd : scala.jdk.javaapi.CollectionConverters.asJava(event.stageInfo().rddInfos())) {
            if (rdd.isBarrier()) {
                barrierStages.add(event.stageInfo().stageId());
                return;
            }
        }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart event) {
        if (barrierStages.contains(event.stageId())) {
            started.add(new TaskRun(event.stageId(), event.stageAttemptId(), event.taskInfo().index(),
                    event.taskInfo().executorId(), null));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
        if (barrierStages.contains(event.stageId())) {
            ended.add(new TaskRun(event.stageId(), event.stageAttemptId(), event.taskInfo().index(),
                    event.taskInfo().executorId(), event.reason().toString()));
        }
    }

    /** Executors that started tasks of barrier stage attempt {@code attempt}, sorted. */
    public Set<String> executors(int attempt) {
        Set<String> out = new TreeSet<>();
        for (TaskRun run : started) {
            if (run.attempt() == attempt) {
                out.add(run.executorId());
            }
        }
        return out;
    }

    /** Tasks of barrier stages that ended so far, in the order Spark reported them. */
    public List<TaskRun> ended() {
        return new ArrayList<>(ended);
    }

    /**
     * The executor that started partition {@code partition} of barrier stage attempt {@code attempt},
     * waiting up to {@code timeout} for the event.
     */
    public String awaitExecutor(int attempt, int partition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (TaskRun run : started) {
                if (run.attempt() == attempt && run.partition() == partition) {
                    return run.executorId();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("barrier task " + partition + " of stage attempt " + attempt
                        + ": not started after " + timeout.toSeconds() + " s (started: " + started + ")");
            }
            Thread.sleep(20);
        }
    }
}
