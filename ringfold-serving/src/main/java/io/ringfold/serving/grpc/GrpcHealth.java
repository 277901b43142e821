package io.ringfold.serving.grpc;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.services.HealthStatusManager;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code grpc.health.v1.Health} over the server's readiness, for Kubernetes' gRPC probes and gRPC load
 * balancers: the whole server ({@code ""}) and each application service registered on the port are SERVING
 * when the server takes traffic (the readiness of HTTP's {@code /v2/health/ready} and of ServerReady) and
 * NOT_SERVING while it starts or drains; {@link #LIVENESS} is SERVING for as long as the process answers, for
 * a liveness probe that must not fail while the server drains. Check reads the last status set and Watch
 * streams each change: the server calls {@link #readinessChanged()} when its readiness turns, and
 * {@link #terminate()} once it stops accepting calls, after which every name stays NOT_SERVING. Names not
 * listed (a model, say: the standard has no per-model entries) answer NOT_FOUND to Check and SERVICE_UNKNOWN
 * to Watch, as the standard says.
 */
final class GrpcHealth {

    /**
     * The name a liveness probe asks for ({@code grpc: {port: 8081, service: liveness}}): SERVING from start
     * until the server stops accepting calls, whatever the readiness. Kubernetes' gRPC probe carries a
     * service name for exactly this, one port answering liveness and readiness differently.
     */
    static final String LIVENESS = "liveness";

    private final HealthStatusManager manager = new HealthStatusManager();
    private final BooleanSupplier ready;
    private final List<String> services;

    /**
     * @param ready    whether the server takes traffic; read on each {@link #readinessChanged()}
     * @param services the full names of the application services on the port (not Health nor reflection)
     */
    GrpcHealth(BooleanSupplier ready, List<String> services) {
        this.ready = ready;
        this.services = List.copyOf(services);
        manager.setStatus(LIVENESS, ServingStatus.SERVING);
        readinessChanged();
    }

    BindableService service() {
        return manager.getHealthService();
    }

    /** Re-reads the readiness and publishes it for the whole server and each service (Watch sees changes only). */
    synchronized void readinessChanged() {
        ServingStatus status = ready.getAsBoolean() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
        for (String s : services) {
            manager.setStatus(s, status);
        }
    }

    /** Every name NOT_SERVING for good: the server is going away. */
    synchronized void terminate() {
        manager.enterTerminalState();
    }
}
