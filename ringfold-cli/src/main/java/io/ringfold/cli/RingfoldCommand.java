package io.ringfold.cli;

import io.ringfold.cli.logging.LogFormat;
import io.ringfold.cli.logging.Logging;
import io.ringfold.model.Provenance;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code ringfold} command. Errors end the process with one line on stderr naming what was wrong
 * ({@code ringfold: error: ...}), exit status 2 for bad flags and 1 for bad input or failures; no stack
 * traces unless {@code RINGFOLD_DEBUG=1}.
 */
@Command(name = "ringfold", mixinStandardHelpOptions = true, versionProvider = RingfoldCommand.Version.class,
        description = "Scalable machine learning for the JVM: train, preprocess, cv, launch, bench, evaluate, predict, inspect, "
                + "export, serve, jobs, privacy, federated.",
        subcommands = {QuickstartCommand.class, TrainCommand.class, PreprocessCommand.class, CvCommand.class, RunsCommand.class, LaunchCommand.class, BenchCommand.class, EvaluateCommand.class, PredictCommand.class, InspectCommand.class, ExportCommand.class, ServeCommand.class, JobsCommand.class,
                PrivacyCommand.class, FederatedCommand.class,
                CommandLine.HelpCommand.class})
public final class RingfoldCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A global option: every command accepts it, before or after its name, and logs from then on in it. */
    @CommandLine.Option(names = "--log-format", paramLabel = "text|json", scope = CommandLine.ScopeType.INHERIT,
            defaultValue = "${env:RINGFOLD_LOG_FORMAT:-text}", converter = LogFormatConverter.class,
            description = "Log records on stderr, one line each: text, or one JSON object (time, level, logger, message,"
                    + " thread, exception) for log collectors (default: $RINGFOLD_LOG_FORMAT, else text).")
    void logFormat(LogFormat format) {
        Logging.configure(format);
    }

    static final class LogFormatConverter implements CommandLine.ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            try {
                return LogFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage() + "; from --log-format or RINGFOLD_LOG_FORMAT");
            }
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (train, cv, launch, bench, evaluate, predict, inspect, export, serve, jobs, federated)");
    }

    /**
     * Set by a parent that starts this process as its worker (the job service, for each job): this process
     * ends when that one does, so a parent killed outright (SIGKILL) leaves no orphan training on.
     */
    static final String PARENT_PID_ENV = "RINGFOLD_PARENT_PID";

    public static void main(String[] args) {
        String parent = System.getenv(PARENT_PID_ENV);
        if (parent != null && parent.matches("[0-9]{1,18}")) {
            java.util.Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(parent));
            if (h.isEmpty()) {
                System.exit(143);
            }
            h.get().onExit().thenRun(() -> {
                System.err.println("ringfold: error: the parent process " + parent + " ended; stopping");
                Runtime.getRuntime().halt(143);
            });
        }
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit status (for tests and main). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new RingfoldCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            err.println("ringfold: " + ex.getMessage());
            err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println("ringfold: error: " + message(ex));
            if ("1".equals(System.getenv("RINGFOLD_DEBUG"))) {
                ex.printStackTrace(err);
            }
            return 1;
        });
        return cl.execute(args);
    }

    private static String message(Throwable ex) {
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            return ex.getClass().getSimpleName();
        }
        return m;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ringfold " + Provenance.libraryVersion(),
                    "Java " + System.getProperty("java.runtime.version") + " on " + System.getProperty("os.name") + " "
                            + System.getProperty("os.arch")};
        }
    }
}
