package io.ringfold.cli;

import io.ringfold.train.EpochMetrics;
import io.ringfold.train.TrainingListener;

import java.io.PrintWriter;

/**
 * Training progress for people: on a terminal a bar redrawn in place (at most ten times a second),
 * then one line per epoch; elsewhere (pipes, CI logs) only the epoch lines.
 */
final class ProgressReporter implements TrainingListener {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private final int epochs;
    private long lastDraw;

    ProgressReporter(PrintWriter out, boolean terminal, int epochs) {
        this.out = out;
        this.terminal = terminal;
        this.epochs = epochs;
    }

    @Override
    public void onStep(int epoch, int step, int steps) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (step != steps && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        int filled = (int) ((long) WIDTH * step / steps);
        out.print("\repoch " + epoch + "/" + epochs + " [" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] "
                + (100L * step / steps) + "%");
        out.flush();
    }

    /** What a resumed run logs first; tests and docs/parallel.md rely on its wording. */
    @Override
    public void onResume(java.nio.file.Path checkpoint, int epoch, int step, int steps) {
        out.println("resumed from checkpoint " + checkpoint + " at epoch " + epoch + "/" + epochs + ", step " + step
                + "/" + steps);
        out.flush();
    }

    private String pendingTelemetry;

    @Override
    public void onTelemetry(int epoch, java.util.List<io.ringfold.train.RankTelemetry> ranks) {
        StringBuilder sb = new StringBuilder("  ranks:");
        for (io.ringfold.train.RankTelemetry t : ranks) {
            sb.append(String.format(java.util.Locale.ROOT, "  %d compute %.2f s wait %.2f s", t.rank(),
                    t.computeSeconds(), t.waitSeconds()));
        }
        pendingTelemetry = sb.toString();
    }

    /** A pipeline's line replaces the ranks' one: each worker as stage/replica, with its transfers and bubble. */
    @Override
    public void onStageTelemetry(int epoch, java.util.List<io.ringfold.train.StageTelemetry> workers) {
        StringBuilder sb = new StringBuilder("  stages:");
        for (io.ringfold.train.StageTelemetry t : workers) {
            sb.append(String.format(java.util.Locale.ROOT, "  %d/%d compute %.2f s transfers %.2f s bubble %.0f%%",
                    t.stage(), t.replica(), t.computeSeconds(), t.transferSeconds(), 100 * t.bubbleFraction()));
        }
        pendingTelemetry = sb.toString();
    }

    /** Every tenth iteration of a full-batch solver, and the first. */
    @Override
    public void onIteration(int iteration, double objective, double gradientNorm) {
        if (iteration == 1 || iteration % 10 == 0) {
            out.println(String.format("iteration %d: objective %.8g, max |gradient| %.3g", iteration, objective,
                    gradientNorm));
            out.flush();
        }
    }

    @Override
    public void onPrivacy(io.ringfold.dpsgd.DpSgdPlan plan) {
        out.println(plan.describe());
        out.flush();
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        if (terminal) {
            out.print("\r\033[2K");
        }
        out.println(m.describe(epochs));
        if (pendingTelemetry != null) {
            out.println(pendingTelemetry);
            pendingTelemetry = null;
        }
        out.flush();
    }
}
