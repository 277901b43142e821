package io.ringfold.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ringfold bench ...}: measurements that need the real runtime (collectives across processes). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {BenchAllReduceCommand.class, BenchGrpcCommand.class, BenchOnnxCommand.class})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a benchmark is required (allreduce, grpc)");
    }
}
