package io.ringfold.jobs.service;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of one attempt of a {@code kubernetes} job, as deploy/kubernetes/training has them by hand:
 * an Indexed Job (one pod per training process, {@code completions = parallelism = pods}) and the headless Service
 * that gives pod {@code NAME-I} the DNS name {@code NAME-I.NAME}, rank 0's being the rendezvous. Both are named
 * {@code ringfold-job-ID-ATTEMPT} and labelled with the job id, by which a restarted service finds them again.
 */
final class IndexedTrainingJob {

    static final String JOB_ID = "ringfold.io/job-id";
    static final String NAME = "app.kubernetes.io/name";
    static final String INSTANCE = "app.kubernetes.io/instance";
    static final String CONTAINER = "worker";
    /** Kubernetes' own: each pod's index in an Indexed Job (a label since 1.28, an annotation before). */
    static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    /** Kept by Kubernetes for a day should the service be gone when the Job finishes (it deletes them itself). */
    private static final int TTL_AFTER_FINISHED = 86_400;

    private IndexedTrainingJob() {
    }

    /** The name of the Job and Service of {@code job}'s current attempt; a DNS label, so also the pods' prefix. */
    static String name(io.ringfold.jobs.Job job) {
        return "ringfold-job-" + job.id() + "-" + job.attempts();
    }

    /** The labels of the Job, its pods and the Service: app.kubernetes.io/* and the job id. */
    static Map<String, String> labels(io.ringfold.jobs.Job job) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, "ringfold-train");
        labels.put(INSTANCE, name(job));
        labels.put("app.kubernetes.io/component", "training");
        labels.put("app.kubernetes.io/part-of", "ringfold");
        labels.put("app.kubernetes.io/managed-by", "ringfold-jobs");
        labels.put(JOB_ID, Long.toString(job.id()));
        return labels;
    }

    /** The default {@code --out} of a job: on the shared volume, where the service publishes it from. */
    static Path defaultOut(KubernetesConfig k, long id) {
        return k.volumeDir().resolve("jobs").resolve(Long.toString(id)).resolve("model");
    }

    static Job job(KubernetesConfig k, io.ringfold.jobs.Job job, List<String> trainArguments) {
        String name = name(job);
        int pods = JobCommandLine.pods(job.spec());
        List<EnvVar> env = new ArrayList<>();
        if (pods > 1) {
            // The rendezvous train reads (RendezvousEnvironment); Kubernetes sets JOB_COMPLETION_INDEX, the rank.
            env.add(new EnvVar("WORLD_SIZE", Integer.toString(pods), null));
            env.add(new EnvVar("MASTER_ADDR", name + "-0." + name, null));
            env.add(new EnvVar("MASTER_PORT", Integer.toString(KubernetesConfig.RENDEZVOUS_PORT), null));
        }
        ResourceRequirementsBuilder resources = new ResourceRequirementsBuilder();
        if (k.cpu() != null) {
            resources.addToRequests("cpu", new Quantity(k.cpu())).addToLimits("cpu", new Quantity(k.cpu()));
        }
        if (k.memory() != null) {
            resources.addToRequests("memory", new Quantity(k.memory())).addToLimits("memory", new Quantity(k.memory()));
        }
        ContainerBuilder container = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(k.image())
                .withImagePullPolicy("IfNotPresent")
                .withArgs(trainArguments)
                .withEnv(env)
                .addNewPort().withName("rendezvous").withContainerPort(KubernetesConfig.RENDEZVOUS_PORT)
                .withProtocol("TCP").endPort()
                .withResources(resources.build())
                // A failed pod's last log lines become its termination message: the job's reason names train's error.
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withPrivileged(false).withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("volume").withMountPath(k.volumeDir().toString()).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount();
        return new JobBuilder()
                .withMetadata(meta(k, job))
                .withNewSpec()
                .withCompletionMode("Indexed")
                .withCompletions(pods)
                .withParallelism(pods)
                // One failed rank leaves the others waiting on a collective: retrying that pod alone cannot help.
                .withBackoffLimit(0)
                .withTtlSecondsAfterFinished(TTL_AFTER_FINISHED)
                .withNewTemplate()
                .withNewMetadata().withLabels(labels(job)).endMetadata()
                .withNewSpec()
                .withSubdomain(name)
                .withRestartPolicy("Never")
                .withServiceAccountName(k.serviceAccount())
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(10001L).withRunAsGroup(10001L)
                .withFsGroup(10001L).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(container.build())
                .addNewVolume().withName("volume").withNewPersistentVolumeClaim().withClaimName(k.volumeClaim())
                .endPersistentVolumeClaim().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("256Mi")).endEmptyDir()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    static Service service(KubernetesConfig k, io.ringfold.jobs.Job job) {
        return new ServiceBuilder()
                .withMetadata(meta(k, job))
                .withNewSpec()
                .withClusterIP("None")
                // The names exist as soon as the pods have addresses: they have no readiness probe to pass.
                .withPublishNotReadyAddresses(true)
                .withSelector(Map.of(INSTANCE, name(job)))
                .addNewPort().withName("rendezvous").withPort(KubernetesConfig.RENDEZVOUS_PORT)
                .withNewTargetPort(KubernetesConfig.RENDEZVOUS_PORT).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }

    private static ObjectMeta meta(KubernetesConfig k, io.ringfold.jobs.Job job) {
        return new ObjectMetaBuilder().withName(name(job)).withNamespace(k.namespace()).withLabels(labels(job)).build();
    }
}
