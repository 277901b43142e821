package io.ringfold.jobs.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.ringfold.jobs.JobState;
import io.ringfold.jobs.service.JobService;
import io.ringfold.telemetry.RuntimeMetrics;

/**
 * The job service's {@code /metrics}: jobs by state in the store ({@code ringfold_jobs{state}}, counted at each
 * scrape, so every service on one store reports the same), submissions this process answered
 * ({@code ringfold_job_submissions_total{outcome}}: accepted, or refused as invalid or with a full queue), and the
 * process, JVM and build metrics of {@link RuntimeMetrics}.
 */
final class JobsMetrics {

    private final RuntimeMetrics runtime = new RuntimeMetrics();
    private final Counter submissions;

    JobsMetrics(JobService service) {
        GaugeWithCallback.builder().name("ringfold_jobs").help("Jobs in the store by state.").labelNames("state")
                .callback(c -> {
                    for (JobState s : JobState.values()) {
                        c.call(service.count(s), s.name());
                    }
                }).register(runtime.registry());
        submissions = Counter.builder().name("ringfold_job_submissions_total")
                .help("Job submissions answered by this service, by outcome: accepted, invalid (400), queue_full (503).")
                .labelNames("outcome").register(runtime.registry());
        for (String outcome : new String[] {"accepted", "invalid", "queue_full"}) {
            submissions.initLabelValues(outcome);
        }
    }

    void submitted(String outcome) {
        submissions.labelValues(outcome).inc();
    }

    String scrape() {
        return runtime.scrape();
    }
}
