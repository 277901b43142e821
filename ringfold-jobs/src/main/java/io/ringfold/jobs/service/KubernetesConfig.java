package io.ringfold.jobs.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * How the job service runs jobs of engine {@code kubernetes}: each as an Indexed Job with a headless Service in
 * {@code namespace}, its pods running {@code image}. Messages name each field as {@code jobs serve}'s flags do after
 * their {@code --kubernetes-} prefix.
 *
 * @param namespace      where the Jobs, Services and pods are; the service's Role must grant what it uses there
 * @param image          the training image (its entrypoint is {@code ringfold}, as deploy/Dockerfile's)
 * @param serviceAccount the pods' ServiceAccount, or null for the namespace's default (training needs no API access)
 * @param volumeClaim    the PersistentVolumeClaim mounted in every pod at {@code volumeDir}: the service must see
 *                       the same volume at the same path, since it publishes the model rank 0 writes there
 * @param volumeDir      where the claim is mounted, in the pods and in the service; a job's default {@code --out} is
 *                       {@code volumeDir/jobs/ID/model}
 * @param cpu            each pod's CPU request and limit (a Kubernetes quantity, e.g. {@code 2} or {@code 500m}), or null
 * @param memory         each pod's memory request and limit (e.g. {@code 2Gi}), or null
 * @param startTimeout   how long a run may wait for its pods to run (scheduling, image pull) before it fails
 * @param poll           how often a run looks at its Job and pods besides the watch events (a watch can miss some)
 */
public record KubernetesConfig(String namespace, String image, String serviceAccount, String volumeClaim,
                               Path volumeDir, String cpu, String memory, Duration startTimeout, Duration poll) {

    /** The port rank 0 listens on for the rendezvous ({@code MASTER_PORT}), as torchrun's default. */
    public static final int RENDEZVOUS_PORT = 29500;
    /** A DNS-1123 label: namespaces, ServiceAccounts, claims. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");

    public KubernetesConfig {
        checkLabel("namespace", namespace);
        if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("image: " + io.ringfold.jobs.Names.quote(image)
                    + " (expected: an image reference, e.g. registry.example.com/ringfold:0.1.0)");
        }
        if (serviceAccount != null) {
            checkLabel("service-account", serviceAccount);
        }
        checkLabel("volume-claim", volumeClaim);
        if (volumeDir == null || !volumeDir.isAbsolute()) {
            throw new IllegalArgumentException("volume-dir: " + volumeDir + " (expected: an absolute path, where the "
                    + "claim is mounted in the pods and in the service)");
        }
        checkQuantity("cpu", cpu);
        checkQuantity("memory", memory);
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("start-timeout: " + (startTimeout == null ? null : startTimeout.toSeconds())
                    + " (expected: > 0 seconds)");
        }
        if (poll == null || poll.isNegative() || poll.isZero()) {
            throw new IllegalArgumentException("poll: " + poll + " (expected: > 0)");
        }
    }

    private static void checkLabel(String field, String value) {
        if (value == null || !LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(field + ": " + io.ringfold.jobs.Names.quote(value)
                    + " (expected: a Kubernetes name: 1-63 lower-case letters, digits or '-', starting and ending "
                    + "with a letter or digit)");
        }
    }

    private static void checkQuantity(String field, String value) {
        if (value != null && !QUANTITY.matcher(value).matches()) {
            throw new IllegalArgumentException(field + ": " + io.ringfold.jobs.Names.quote(value)
                    + " (expected: a Kubernetes quantity, e.g. 2, 500m or 2Gi)");
        }
    }
}
