package io.ringfold.spark.cluster;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of every daemon JVM the test cluster starts: it runs the real main class (Spark's Master or
 * Worker) and exits as soon as the JVM that started it is gone. Without it a test JVM that dies without
 * running {@link StandaloneCluster#close()} (killed by surefire's timeout, kill -9) would leave Master and
 * Worker JVMs behind; a Worker's own shutdown hooks then stop its executors, and executors also exit on
 * their own once their Worker's connection drops.
 *
 * <p>Arguments: parent PID, main class name, then the main class's own arguments.
 */
public final class OrphanGuard {

    private OrphanGuard() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("arguments: " + Arrays.toString(args)
                    + " (expected: PARENT_PID MAIN_CLASS [ARGS...])");
        }
        long parentPid = Long.parseLong(args[0]);
        ProcessHandle parent = ProcessHandle.of(parentPid).orElse(null);
        if (parent == null) {
            System.err.println("OrphanGuard: parent process " + parentPid + " is already gone; exiting");
            System.exit(3);
        }
        // System.exit rather than halt: it runs the Worker's shutdown hooks, which kill its executors.
        parent.onExit().thenRun(() -> {
            System.err.println("OrphanGuard: parent process " + parentPid + " exited; exiting");
            System.exit(3);
        });
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
