package io.ringfold.parallel;

import io.ringfold.collective.Communicator;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * A communicator with only the plain collectives of the one it wraps: a proxy of {@link Communicator}
 * alone, not an {@code InPlaceReduceScatter} or {@code InPlaceAllGather}, so that the trainer takes the
 * path it takes over TCP between machines, through its own arrays. For tests that compare that path with
 * the in-place one on the same group.
 */
final class PlainCollectives {

    private PlainCollectives() {
    }

    static Communicator of(Communicator c) {
        return (Communicator) Proxy.newProxyInstance(Communicator.class.getClassLoader(),
                new Class<?>[] {Communicator.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause(); // the communicator's own exception, as a direct call throws it
                    }
                });
    }
}
