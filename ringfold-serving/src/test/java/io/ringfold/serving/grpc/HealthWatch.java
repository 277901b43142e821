package io.ringfold.serving.grpc;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@code grpc.health.v1.Health/Watch} stream whose statuses a test takes one by one, each with a deadline. */
final class HealthWatch implements AutoCloseable {

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final Context.CancellableContext context = Context.current().withCancellation();

    HealthWatch(Channel channel, String service) {
        HealthCheckRequest request = HealthCheckRequest.newBuilder().setService(service).build();
        context.run(() -> HealthGrpc.newStub(channel).watch(request, new StreamObserver<>() {
            @Override
            public void onNext(HealthCheckResponse r) {
                events.add(r.getStatus());
            }

            @Override
            public void onError(Throwable t) {
                events.add(t);
            }

            @Override
            public void onCompleted() {
                events.add("completed");
            }
        }));
    }

    /** The next status the server streams; fails on an error, the stream's end or {@code within} passing. */
    ServingStatus next(Duration within) throws InterruptedException {
        Object e = events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (e instanceof ServingStatus s) {
            return s;
        }
        throw new AssertionError("health watch: " + (e == null ? "no status within " + within : e)
                + " (expected: a serving status)", e instanceof Throwable t ? t : null);
    }

    /** The status the stream ends with, within {@code within}; fails on a message or no end in time. */
    Status end(Duration within) throws InterruptedException {
        Object e = events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (e instanceof Throwable t) {
            return Status.fromThrowable(t);
        }
        throw new AssertionError("health watch: " + (e == null ? "no end within " + within : e)
                + " (expected: the stream to end with a status)");
    }

    /** Nothing more arrives within {@code within}, or the unexpected event. */
    Object nothingMore(Duration within) throws InterruptedException {
        return events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        context.cancel(null);
    }
}
