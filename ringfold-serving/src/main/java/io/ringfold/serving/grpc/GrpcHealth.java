package io.ringfold.serving.grpc;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code grpc.health.v1.Health} over the server's readiness, for Kubernetes' gRPC probes and gRPC load
 * balancers: the whole server ({@code ""}) and each application service registered on the port are SERVING
 * when the server takes traffic (the readiness of HTTP's {@code /v2/health/ready} and of ServerReady) and
 * NOT_SERVING while it starts or drains; {@link #LIVENESS} is SERVING for as long as the process answers, for
 * a liveness probe that must not fail while the server loads or drains. Check answers the last status set;
 * Watch sends it at once and then each change. Names not listed (a model, say: the standard has no per-model
 * entries) answer NOT_FOUND to Check and SERVICE_UNKNOWN to Watch, as the standard says.
 *
 * <p>The server calls {@link #readinessChanged()} when its readiness turns, and {@link #terminate()} once it
 * stops accepting calls: every name turns NOT_SERVING for good and each Watch stream then ends (UNAVAILABLE),
 * since an endless stream would hold the server's shutdown for the whole grace period. This is why the class
 * is not gRPC's {@code HealthStatusManager}, whose Watch streams never end.
 */
final class GrpcHealth extends HealthGrpc.HealthImplBase {

    /**
     * The name a liveness probe asks for ({@code grpc: {port: 8081, service: liveness}}): SERVING from start
     * until the server stops accepting calls, whatever the readiness. Kubernetes' gRPC probe carries a
     * service name for exactly this, one port answering liveness and readiness differently.
     */
    static final String LIVENESS = "liveness";

    private final BooleanSupplier ready;
    private final List<String> services;
    // All guarded by this, which also serializes every message sent to a Watch stream.
    private final Map<String, ServingStatus> statuses = new LinkedHashMap<>();
    private final Map<String, List<ServerCallStreamObserver<HealthCheckResponse>>> watchers = new HashMap<>();
    private boolean terminated;

    /**
     * @param ready    whether the server takes traffic; read on each {@link #readinessChanged()}
     * @param services the full names of the application services on the port (not Health nor reflection)
     */
    GrpcHealth(BooleanSupplier ready, List<String> services) {
        this.ready = ready;
        this.services = List.copyOf(services);
        set(LIVENESS, ServingStatus.SERVING);
        readinessChanged();
    }

    /** Re-reads the readiness and publishes it for the whole server and each service (Watch sees changes only). */
    synchronized void readinessChanged() {
        if (terminated) {
            return;
        }
        ServingStatus status = ready.getAsBoolean() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        set("", status);
        for (String s : services) {
            set(s, status);
        }
    }

    /** Every name NOT_SERVING for good, and every Watch stream told so and then ended: the server is going away. */
    synchronized void terminate() {
        if (terminated) {
            return;
        }
        for (String name : new ArrayList<>(statuses.keySet())) {
            set(name, ServingStatus.NOT_SERVING);
        }
        terminated = true;
        Status end = Status.UNAVAILABLE.withDescription("grpc.health.v1.Health/Watch: the server is stopping"
                + " (expected: watch another replica)");
        for (List<ServerCallStreamObserver<HealthCheckResponse>> list : watchers.values()) {
            for (ServerCallStreamObserver<HealthCheckResponse> w : list) {
                w.onError(end.asRuntimeException());
            }
        }
        watchers.clear();
    }

    private void set(String name, ServingStatus status) {
        if (statuses.put(name, status) == status) {
            return;
        }
        HealthCheckResponse r = HealthCheckResponse.newBuilder().setStatus(status).build();
        for (ServerCallStreamObserver<HealthCheckResponse> w : watchers.getOrDefault(name, List.of())) {
            w.onNext(r);
        }
    }

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
        ServingStatus status;
        synchronized (this) {
            status = statuses.get(request.getService());
        }
        if (status == null) {
            out.onError(Status.NOT_FOUND.withDescription(unknown(request.getService())).asRuntimeException());
            return;
        }
        out.onNext(HealthCheckResponse.newBuilder().setStatus(status).build());
        out.onCompleted();
    }

    private synchronized String unknown(String name) {
        return "service '" + name.replaceAll("\\p{Cntrl}", "?") + "': unknown (expected: one of "
                + statuses.keySet().stream().map(n -> "'" + n + "'").toList() + ")";
    }

    @Override
    public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
        ServerCallStreamObserver<HealthCheckResponse> w = (ServerCallStreamObserver<HealthCheckResponse>) out;
        String name = request.getService();
        w.setOnCancelHandler(() -> forget(name, w));
        synchronized (this) {
            ServingStatus status = statuses.getOrDefault(name, ServingStatus.SERVICE_UNKNOWN);
            w.onNext(HealthCheckResponse.newBuilder().setStatus(status).build());
            if (terminated) {
                w.onError(Status.UNAVAILABLE.withDescription("grpc.health.v1.Health/Watch: the server is stopping"
                        + " (expected: watch another replica)").asRuntimeException());
                return;
            }
            watchers.computeIfAbsent(name, n -> new ArrayList<>()).add(w);
        }
    }

    private synchronized void forget(String name, ServerCallStreamObserver<HealthCheckResponse> w) {
        List<ServerCallStreamObserver<HealthCheckResponse>> list = watchers.get(name);
        if (list != null && list.remove(w) && list.isEmpty()) {
            watchers.remove(name);
        }
    }
}
