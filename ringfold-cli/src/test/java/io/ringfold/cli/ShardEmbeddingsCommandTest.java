package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code train --shard-embeddings} on 40 SpamAssassin e-mails (spam-sample.csv): the embedding table split over
 * 2 and 3 worker threads and over 2 processes ({@code launch --nproc 2}, over TCP and shared memory) gives the
 * digest of unsharded training on one worker, with a validation split, for Adam and SGD; the combinations it
 * cannot serve are refused in one line naming the value.
 */
class ShardEmbeddingsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path sample;

    @BeforeEach
    void copySample() throws Exception {
        sample = tmp.resolve("spam-sample.csv");
        try (InputStream in = getClass().getResourceAsStream("spam-sample.csv")) {
            Files.copy(in, sample);
        }
    }

    private List<String> train(String out, String optimizer, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", "csv:" + sample + "?label=label&text=text",
                "--layers", "embeddingbag(16),relu,dense(8)", "--optimizer", optimizer, "--epochs", "3",
                "--batch-size", "8", "--validation-split", "0.2", "--weight-decay", "0.001", "--seed", "3", "--json",
                "--out", tmp.resolve(out).toString()));
        a.addAll(List.of(extra));
        return a;
    }

    private static String digest(CliRunner r) throws Exception {
        assertThat(r.status()).as(r.err()).isZero();
        return JSON.readTree(r.lastLine()).get("parameter_digest").asText();
    }

    @Test
    void threadsAndProcessesGiveTheDigestOfOneUnshardedWorker() throws Exception {
        for (String optimizer : new String[] {"adam", "sgd"}) {
            String expected = digest(CliRunner.run(train("one-" + optimizer, optimizer, "--workers", "1")
                    .toArray(String[]::new)));
            for (String workers : new String[] {"2", "3"}) {
                CliRunner r = CliRunner.run(train("w" + workers + optimizer, optimizer, "--workers", workers,
                        "--shard-embeddings").toArray(String[]::new));
                assertThat(digest(r)).as("%s, %s threads", optimizer, workers).isEqualTo(expected);
                assertThat(r.out()).contains("embedding table split by rows over the workers");
            }
            // Adam over loopback TCP, SGD over shared memory (launch's default on one host).
            List<String> launch = new ArrayList<>(List.of("launch", "--nproc", "2", "--"));
            launch.addAll(train("p2" + optimizer, optimizer, "--shard-embeddings"));
            if (optimizer.equals("adam")) {
                launch.addAll(List.of("--transport", "tcp"));
            }
            CliRunner r = CliRunner.run(launch.toArray(String[]::new));
            assertThat(digest(r)).as("%s, launch --nproc 2", optimizer).isEqualTo(expected);
            assertThat(r.out()).contains("[rank 1]").contains("embedding table split by rows over the workers");
        }
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    @Test
    void whatItCannotServeIsRefusedInOneLine() {
        assertRefused(train("a", "adam", "--shard-embeddings"), "ringfold: --shard-embeddings without workers (expected: with "
                + "--workers N, or processes from launch --nproc N, to split the table over)");
        assertRefused(train("b", "adam", "--workers", "2", "--shard-embeddings", "--allreduce", "float32"),
                "ringfold: error: --shard-embeddings with --allreduce float32 (expected: --allreduce exact, whose sums the sharded "
                        + "table's are added to)");
        // A full-batch solver fits one dense layer: a network with a table never gets one.
        assertRefused(train("e", "adam", "--solver", "lbfgs", "--workers", "2", "--shard-embeddings"),
                "ringfold: --solver: lbfgs (expected: sgd, adam or auto for a network (lbfgs, owlqn and normal fit linear, "
                + "logistic and softmax models))");
        assertRefused(List.of("train", "--data", "digits", "--hidden", "8", "--workers", "2", "--shard-embeddings",
                "--out", tmp.resolve("d").toString()), "ringfold: error: --shard-embeddings: the network's first layer is layers[0] "
                + "dense(8) (expected: an embeddingbag layer, whose table it splits)");
    }

    private static void assertRefused(List<String> args, String message) {
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertThat(r.status()).as(r.out()).isNotZero();
        assertThat(r.err()).startsWith(message + "\n");
    }
}
