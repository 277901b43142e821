package io.ringfold.jobs.service;

import io.ringfold.jobs.Engine;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line a job runs: {@code preprocess} with a preprocess job's arguments, {@code train} with a train
 * job's, or {@code launch --nproc N -- train ...}, with what the service needs added when the job left it out: {@code --out} (its working directory's
 * {@code model}), {@code --json} (the summary it records), {@code --workers}, and {@code --resume} for a job taken
 * back after a restart or retried, when it writes checkpoints. A {@code kubernetes} job's pods each run {@code train}
 * as one process of {@link #pods} (their rank and rendezvous come from the environment the Job sets).
 */
final class JobCommandLine {

    private JobCommandLine() {
    }

    /** Where a job writes when its arguments do not say: {@code work}'s {@code model}, or its {@code preprocessing}. */
    static Path defaultOut(JobSpec spec, Path work) {
        return work.resolve(spec.type() == JobType.PREPROCESS ? "preprocessing" : "model");
    }

    /** The arguments after {@code ringfold}. */
    static List<String> arguments(JobSpec spec, Path defaultOut, boolean resume) {
        if (spec.type() == JobType.PREPROCESS) {
            List<String> preprocess = new ArrayList<>();
            preprocess.add("preprocess");
            preprocess.addAll(spec.arguments());
            if (value(spec.arguments(), "--out") == null) {
                preprocess.add("--out");
                preprocess.add(defaultOut.toString());
            }
            if (!spec.arguments().contains("--json")) {
                preprocess.add("--json");
            }
            return preprocess;
        }
        List<String> train = new ArrayList<>();
        train.add("train");
        train.addAll(spec.arguments());
        if (value(spec.arguments(), "--out") == null) {
            train.add("--out");
            train.add(defaultOut.toString());
        }
        if (!spec.arguments().contains("--json")) {
            train.add("--json");
        }
        if (resume && value(spec.arguments(), "--checkpoint-dir") != null && !spec.arguments().contains("--resume")) {
            train.add("--resume");
        }
        if (spec.engine() == Engine.LAUNCH) {
            int nproc = spec.nproc() != null ? spec.nproc() : spec.workers() != null ? spec.workers() : 2;
            List<String> launch = new ArrayList<>(List.of("launch", "--nproc", Integer.toString(nproc), "--"));
            launch.addAll(train);
            return launch;
        }
        if (spec.engine() == Engine.KUBERNETES) {
            return train;
        }
        if (spec.workers() != null && value(spec.arguments(), "--workers") == null) {
            train.add("--workers");
            train.add(Integer.toString(spec.workers()));
        }
        if (spec.engine() == Engine.SPARK && value(spec.arguments(), "--engine") == null) {
            train.add("--engine");
            train.add("spark");
        }
        return train;
    }

    /**
     * The command line ({@code train ...} or {@code preprocess ...}) the job will run, its engine's and the service's
     * additions included, for checking at submission: a job that runs under {@code launch}, or in several pods, is
     * checked as one of its worker processes.
     */
    static List<String> asChecked(JobSpec spec, Path defaultOut) {
        List<String> run = arguments(spec, defaultOut, false);
        if (run.get(0).equals("launch")) {
            int nproc = Integer.parseInt(run.get(2));
            List<String> worker = new ArrayList<>(run.subList(run.indexOf("--") + 1, run.size()));
            worker.addAll(List.of("--rank", "0", "--world-size", Integer.toString(nproc), "--rendezvous", "127.0.0.1:1"));
            return worker;
        }
        List<String> train = new ArrayList<>(run);
        if (spec.engine() == Engine.KUBERNETES && pods(spec) > 1) {
            train.addAll(List.of("--rank", "0", "--world-size", Integer.toString(pods(spec)), "--rendezvous", "127.0.0.1:1"));
        }
        return train;
    }

    /**
     * The pods of a {@code kubernetes} job, one training process each: its {@code workers}, else its {@code nproc},
     * else 1 (then {@code train} runs alone in its pod, as by hand, and may use {@code --workers} threads).
     */
    static int pods(JobSpec spec) {
        return spec.workers() != null ? spec.workers() : spec.nproc() != null ? spec.nproc() : 1;
    }

    /** The model directory the job writes. */
    static Path out(JobSpec spec, Path defaultOut) {
        String given = value(spec.arguments(), "--out");
        return given == null ? defaultOut : Path.of(given);
    }

    /** The value of {@code flag} ({@code --flag V} or {@code --flag=V}), or null. */
    static String value(List<String> args, String flag) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(flag) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (a.startsWith(flag + "=")) {
                return a.substring(flag.length() + 1);
            }
        }
        return null;
    }
}
