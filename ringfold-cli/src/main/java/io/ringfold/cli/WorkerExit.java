package io.ringfold.cli;

import java.util.List;

/**
 * How a worker process of {@code launch} ended: its rank, its pid and its exit value as {@link Process}
 * gives it, which for a process killed by signal N is 128 + N (as a shell reports it; Java's process
 * API has no other way to tell).
 */
record WorkerExit(int rank, long pid, int status) {

    /** Linux's signal numbers 1..31 ({@code kill -l}); other systems number some of them differently. */
    private static final List<String> LINUX_SIGNALS = List.of("SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
            "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
            "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
            "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS");
    /** The highest signal number (Linux's SIGRTMAX). */
    private static final int MAX_SIGNAL = 64;

    /** "rank 1 (pid 1234) killed by signal 9 (SIGKILL)", "rank 0 (pid 1233) exited with status 3". */
    String describe() {
        return "rank " + rank + " (pid " + pid + ") " + how(status, System.getProperty("os.name").startsWith("Linux"));
    }

    /** "killed by signal 9 (SIGKILL)" for 137, "exited with status 3" for 3; names signals only on Linux. */
    static String how(int status, boolean linux) {
        int signal = status - 128;
        if (signal < 1 || signal > MAX_SIGNAL) {
            return "exited with status " + status;
        }
        String name = linux && signal <= LINUX_SIGNALS.size() ? " (" + LINUX_SIGNALS.get(signal - 1) + ")" : "";
        return "killed by signal " + signal + name;
    }
}
