package io.ringfold.bench;

import io.ringfold.tensor.Kernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The largest magnitude of a gradient, which the exact data-parallel trainer takes for every shard at
 * every step: {@link Kernels#maxAbs} (four accumulators) against the one-accumulator loop it replaced,
 * kept here verbatim as the baseline. Lengths: the MLP 784-128-10's 101,770 parameters (407 KB, fits
 * the L2 cache) and ten times that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MaxAbsBenchmark {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    @Param({"101770", "1017700"})
    public int n;

    private float[] g;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) random.nextDouble(-1, 1);
        }
    }

    @Benchmark
    public float fourAccumulators() {
        return Kernels.maxAbs(g);
    }

    @Benchmark
    public float oneAccumulator() {
        int i = 0;
        int upper = F.loopBound(n);
        FloatVector m = FloatVector.zero(F);
        for (; i < upper; i += F.length()) {
            m = m.max(FloatVector.fromArray(F, g, i).abs());
        }
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            r = Math.max(r, Math.abs(g[i]));
        }
        return r;
    }
}
