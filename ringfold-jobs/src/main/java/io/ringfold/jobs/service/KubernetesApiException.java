package io.ringfold.jobs.service;

import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.function.Supplier;

/**
 * A Kubernetes API call that failed, in one line naming the call and the answer: {@code Kubernetes API: create Job
 * ns/ringfold-job-7-1: 403 Forbidden: jobs.batch is forbidden: ...}; status 0 when no answer came (the API server
 * unreachable, a timeout).
 */
final class KubernetesApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    private KubernetesApiException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when the API server did not answer. */
    int status() {
        return status;
    }

    /** Whether trying again may help: no answer, a conflict, too many requests or a server error; not a refusal. */
    boolean isTransient() {
        return status == 0 || status == 409 || status == 429 || status >= 500;
    }

    /** Runs {@code call}, named {@code what} (e.g. {@code get Job ns/name}) in the exception should it fail. */
    static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw of(what, e);
        }
    }

    static KubernetesApiException of(String what, KubernetesClientException e) {
        int code = e.getCode();
        String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        String reason = e.getStatus() != null && e.getStatus().getReason() != null ? " " + e.getStatus().getReason() : "";
        String answer = code == 0 ? "no answer" : code + reason;
        return new KubernetesApiException("Kubernetes API: " + what + ": " + answer + ": " + firstLine(detail), code, e);
    }

    private static String firstLine(String s) {
        String line = s.strip();
        int nl = line.indexOf('\n');
        return nl < 0 ? line : line.substring(0, nl).strip();
    }
}
