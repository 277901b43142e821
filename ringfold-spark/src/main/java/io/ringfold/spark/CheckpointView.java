package io.ringfold.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What one barrier task sees of the checkpoint it is about to resume from. Every rank of a retried stage
 * reads the checkpoint itself, so they must all see the same file: on a cluster a {@code checkpointDir}
 * that is a local path of each machine (not a shared mount), or a shared mount that has not caught up,
 * would give ranks different starting points, and they would train on silently inconsistent parameters.
 * The views travel with the ring addresses through the all-gather and are compared before training.
 */
final class CheckpointView {

    /** The view of a task that does not resume (no checkpoint directory, or the stage's first attempt). */
    static final String NOT_RESUMING = "-";
    /** The view of a resuming task that finds no checkpoint file: it starts from epoch 0. */
    static final String ABSENT = "absent";

    private CheckpointView() {
    }

    /**
     * {@link #NOT_RESUMING} unless {@code resume}, else {@link #ABSENT} or {@code sha256:HEX} of the file's
     * bytes. A file removed while it is read counts as absent; any other read error fails the task (and
     * Spark retries the stage).
     */
    static String of(Path file, boolean resume) {
        if (!resume) {
            return NOT_RESUMING;
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256: not available (every Java platform must provide it)", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        } catch (NoSuchFileException e) {
            return ABSENT;
        } catch (IOException e) {
            throw new UncheckedIOException("reading checkpoint " + file + " to resume: " + e.getMessage(), e);
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Null when every rank's view is the same, else a message naming the directory and each rank's view.
     * {@code views[r]} is rank r's.
     */
    static String disagreement(String checkpointDir, String[] views) {
        boolean same = true;
        for (String v : views) {
            same &= v.equals(views[0]);
        }
        if (same) {
            return null;
        }
        StringBuilder seen = new StringBuilder();
        for (int r = 0; r < views.length; r++) {
            seen.append(r == 0 ? "" : ", ").append("rank ").append(r).append(": ").append(views[r]);
        }
        return "checkpointDir " + checkpointDir + ": the tasks resuming a retried stage see different checkpoints ("
                + seen + "; expected: the same file on every executor, so a directory they all share)";
    }
}
