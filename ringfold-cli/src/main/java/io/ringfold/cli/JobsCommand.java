package io.ringfold.cli;

import picocli.CommandLine.Command;

/**
 * {@code ringfold jobs}: the training job service ({@code jobs serve}) and its client ({@code submit}, {@code list},
 * {@code status}, {@code logs}, {@code cancel}, {@code retry}); docs/jobs.md.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "The training job service and its client (docs/jobs.md).",
        subcommands = {JobsServeCommand.class, JobsClientCommands.Submit.class, JobsClientCommands.ListJobs.class,
                JobsClientCommands.Status.class, JobsClientCommands.Logs.class, JobsClientCommands.Cancel.class,
                JobsClientCommands.Retry.class})
final class JobsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a jobs command is required (serve, submit, list, status, logs, cancel, retry)");
    }
}
