package io.ringfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train} takes the rendezvous from the environment when no flag gives it: in-process with an injected
 * environment (flags win, a bad variable is refused in one line), and as two real processes started only
 * with the variables that Kubeflow's PyTorchJob (torchrun's names) or an Indexed Job set, which train to
 * the parameter digest of {@code --workers 1}.
 */
class TrainFromEnvironmentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VARIABLES = List.of("RANK", "JOB_COMPLETION_INDEX", "WORLD_SIZE",
            "RINGFOLD_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "RINGFOLD_RENDEZVOUS");

    @TempDir
    Path tmp;

    private static List<String> train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", "digits", "--hidden", "16", "--epochs", "3",
                "--batch-size", "32", "--seed", "5", "--json", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    /** Runs the command line in-process with {@code env} as train's environment. */
    private static CliRunner runWith(Map<String, String> env, List<String> args) {
        TrainCommand train = new TrainCommand();
        train.environment = env::get;
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine cl = new CommandLine(new RingfoldCommand(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == TrainCommand.class ? cls.cast(train) : defaults.create(cls);
            }
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.append(ex.getMessage()).append('\n');
            return 2;
        });
        int status = cl.execute(args.toArray(String[]::new));
        return new CliRunner(status, out.toString(), err.toString());
    }

    @Test
    void aBadVariableIsRefusedInOneLineBeforeAnyData() {
        CliRunner r = runWith(Map.of("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "http"),
                train(tmp.resolve("m")));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("environment: MASTER_PORT: http (expected: a port, 1..65535)\n");

        r = runWith(Map.of("MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "7000"), train(tmp.resolve("p")));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("environment: RANK: not set (expected: ");
    }

    @Test
    void flagsWinAndTheEnvironmentIsThenNotRead() throws Exception {
        Map<String, String> broken = Map.of("RANK", "x", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1");
        CliRunner r = runWith(broken, train(tmp.resolve("w1"), "--workers", "1"));
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("rendezvous from the environment");
        assertThat(JSON.readTree(r.lastLine()).get("parameter_digest").asText()).isNotEmpty();

        // One flag given: the other two are not taken from the environment, so the flags are incomplete.
        Map<String, String> complete = Map.of("RANK", "0", "WORLD_SIZE", "1", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "7000");
        r = runWith(complete, train(tmp.resolve("r0"), "--rank", "0"));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("--rank, --world-size and --rendezvous go together");
    }

    @Test
    void twoProcessesWithTorchrunsOrAnIndexedJobsVariablesTrainToTheDigestOfOneWorker() throws Exception {
        CliRunner single = CliRunner.run(train(tmp.resolve("w1"), "--workers", "1").toArray(String[]::new));
        assertThat(single.status()).as(single.err()).isZero();
        String expected = JSON.readTree(single.lastLine()).get("parameter_digest").asText();

        int port = freePort();
        // Kubeflow PyTorchJob: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT in every pod.
        List<Map<String, String>> torchrun = List.of(
                Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", Integer.toString(port)),
                Map.of("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", Integer.toString(port)));
        assertThat(digestOfProcesses("torchrun", torchrun, "RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT"))
                .isEqualTo(expected);

        // deploy/kubernetes/training/job.yaml: Kubernetes sets JOB_COMPLETION_INDEX; the Job sets the others.
        port = freePort();
        List<Map<String, String>> indexed = List.of(
                Map.of("JOB_COMPLETION_INDEX", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "localhost", "MASTER_PORT", Integer.toString(port)),
                Map.of("JOB_COMPLETION_INDEX", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "localhost", "MASTER_PORT", Integer.toString(port)));
        assertThat(digestOfProcesses("indexed", indexed, "JOB_COMPLETION_INDEX, WORLD_SIZE, MASTER_ADDR, MASTER_PORT"))
                .isEqualTo(expected);
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    /** Starts one `train` process per environment and returns rank 0's parameter digest. */
    private String digestOfProcesses(String name, List<Map<String, String>> environments, String variables)
            throws IOException, InterruptedException {
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (int r = 0; r < environments.size(); r++) {
                List<String> cmd = new ArrayList<>(LaunchCommand.javaCommand(List.of()));
                cmd.addAll(train(tmp.resolve(name + "-out")));
                Path log = tmp.resolve(name + "-rank" + r + ".log");
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
                pb.environment().keySet().removeAll(VARIABLES);
                pb.environment().putAll(environments.get(r));
                pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
                pb.environment().put(RingfoldCommand.PARENT_PID_ENV, Long.toString(ProcessHandle.current().pid()));
                processes.add(pb.start());
                logs.add(log);
            }
            for (int r = 0; r < processes.size(); r++) {
                Process p = processes.get(r);
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s rank %d ends within 120 s", name, r).isTrue();
                String log = Files.readString(logs.get(r));
                assertThat(p.exitValue()).as(log).isZero();
                assertThat(log).contains("rendezvous from the environment (" + variables + "): rank " + r + " of 2 at ");
            }
            List<String> lines = Files.readAllLines(logs.get(0));
            return JSON.readTree(lines.get(lines.size() - 1)).get("parameter_digest").asText();
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
