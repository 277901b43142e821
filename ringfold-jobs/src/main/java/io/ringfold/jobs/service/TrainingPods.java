package io.ringfold.jobs.service;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads what a run needs from its Job's and pods' status: ranks, phases, whether it ended and why. */
final class TrainingPods {

    static final String RUNNING = "Running";
    static final String SUCCEEDED = "Succeeded";
    static final String FAILED = "Failed";

    private TrainingPods() {
    }

    /** The pod's rank (its completion index), or -1 when Kubernetes has not said. */
    static int rank(Pod pod) {
        String index = label(pod.getMetadata().getLabels(), IndexedTrainingJob.COMPLETION_INDEX);
        if (index == null) {
            index = label(pod.getMetadata().getAnnotations(), IndexedTrainingJob.COMPLETION_INDEX);
        }
        try {
            return index == null ? -1 : Integer.parseInt(index);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    }

    /** Whether the pod's container has started: its log can be read. */
    static boolean started(Pod pod) {
        String phase = phase(pod);
        return phase.equals(RUNNING) || phase.equals(SUCCEEDED) || phase.equals(FAILED);
    }

    /** The Job's condition of {@code type} (Complete, Failed) when it is true. */
    static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
    }

    /** Whether every rank of {@code pods} has a Succeeded pod. */
    static boolean allSucceeded(List<Pod> pods, int ranks) {
        return pods.stream().filter(p -> phase(p).equals(SUCCEEDED)).map(TrainingPods::rank).filter(r -> r >= 0)
                .collect(Collectors.toSet()).size() >= ranks;
    }

    /**
     * Why a failed pod failed, in a line: train's own error from the termination message (the last log lines, as the
     * container's FallbackToLogsOnError keeps them), else the message's last line; with the container's reason and
     * exit code (OOMKilled, Error 1), or the pod's own reason when no container ran (Evicted).
     */
    static String failure(Pod pod) {
        String where = "pod " + pod.getMetadata().getName() + " (rank " + rank(pod) + ")";
        ContainerStateTerminated t = container(pod).map(c -> c.getState() == null ? null : c.getState().getTerminated())
                .orElse(null);
        if (t == null) {
            String reason = pod.getStatus() == null ? null : pod.getStatus().getReason();
            String message = pod.getStatus() == null ? null : pod.getStatus().getMessage();
            return where + " failed: " + (reason == null ? "no reason given" : reason)
                    + (message == null || message.isBlank() ? "" : ": " + lastLine(message));
        }
        String how = (t.getReason() == null ? "terminated" : t.getReason()) + ", exit code " + t.getExitCode();
        String message = t.getMessage() == null ? "" : t.getMessage();
        for (String line : message.split("\n")) {
            String error = TrainOutput.errorIn(line.strip());
            if (error != null) {
                return error + " (" + where + ": " + how + ")";
            }
        }
        String last = lastLine(message);
        return where + " failed: " + how + (last.isEmpty() ? "" : ": " + last);
    }

    /** Why a pod has not started (ImagePullBackOff: ..., Unschedulable: ...), or null when nothing says. */
    static String waiting(Pod pod) {
        ContainerStateWaiting w = container(pod).map(c -> c.getState() == null ? null : c.getState().getWaiting())
                .orElse(null);
        if (w != null && w.getReason() != null) {
            return w.getReason() + (w.getMessage() == null ? "" : ": " + lastLine(w.getMessage()));
        }
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            return pod.getStatus().getConditions().stream()
                    .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
                    .map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + lastLine(c.getMessage())))
                    .findFirst().orElse(null);
        }
        return null;
    }

    private static Optional<ContainerStatus> container(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(c -> IndexedTrainingJob.CONTAINER.equals(c.getName())).findFirst();
    }

    private static String label(Map<String, String> map, String key) {
        return map == null ? null : map.get(key);
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1].strip();
    }
}
