package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.ReduceOp;

import java.time.Duration;

/**
 * A communicator with only the plain collectives of the one it wraps: not an {@code InPlaceReduceScatter}
 * or {@code InPlaceAllGather}, so that the trainer takes the path it takes over TCP between machines,
 * through its own arrays. For tests that compare that path with the in-place one on the same group.
 */
final class PlainCollectives implements Communicator {

    private final Communicator c;

    PlainCollectives(Communicator c) {
        this.c = c;
    }

    @Override
    public int rank() {
        return c.rank();
    }

    @Override
    public int size() {
        return c.size();
    }

    @Override
    public Duration timeout() {
        return c.timeout();
    }

    @Override
    public String describe() {
        return "plain collectives of " + c.describe();
    }

    @Override
    public void allReduce(float[] buffer, int offset, int length, ReduceOp op) {
        c.allReduce(buffer, offset, length, op);
    }

    @Override
    public void allReduce(double[] buffer, int offset, int length, ReduceOp op) {
        c.allReduce(buffer, offset, length, op);
    }

    @Override
    public void allReduce(long[] buffer, int offset, int length, ReduceOp op) {
        c.allReduce(buffer, offset, length, op);
    }

    @Override
    public void reduceScatter(float[] buffer, int offset, int block, ReduceOp op) {
        c.reduceScatter(buffer, offset, block, op);
    }

    @Override
    public void reduceScatter(long[] buffer, int offset, int block, ReduceOp op) {
        c.reduceScatter(buffer, offset, block, op);
    }

    @Override
    public void allGather(float[] buffer, int offset, int block) {
        c.allGather(buffer, offset, block);
    }

    @Override
    public void allGather(long[] buffer, int offset, int block) {
        c.allGather(buffer, offset, block);
    }

    @Override
    public void broadcast(float[] buffer, int offset, int length, int root) {
        c.broadcast(buffer, offset, length, root);
    }

    @Override
    public void broadcast(long[] buffer, int offset, int length, int root) {
        c.broadcast(buffer, offset, length, root);
    }

    @Override
    public void broadcast(byte[] buffer, int offset, int length, int root) {
        c.broadcast(buffer, offset, length, root);
    }

    @Override
    public void barrier() {
        c.barrier();
    }

    @Override
    public byte[][] allGather(byte[] mine) {
        return c.allGather(mine);
    }

    @Override
    public void send(int peer, float[] buffer, int offset, int length) {
        c.send(peer, buffer, offset, length);
    }

    @Override
    public void receive(int peer, float[] buffer, int offset, int length) {
        c.receive(peer, buffer, offset, length);
    }

    @Override
    public long bytesSent() {
        return c.bytesSent();
    }

    @Override
    public long nanosInCollectives() {
        return c.nanosInCollectives();
    }

    @Override
    public void close() {
        c.close();
    }
}
