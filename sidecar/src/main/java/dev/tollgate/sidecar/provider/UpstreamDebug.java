package dev.tollgate.sidecar.provider;

import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Detailed debug logging of provider calls ({@code --detailed-debug}, or {@code x-tollgate-debug: true}
 * for a key whose metadata allows it): the handler marks a request's provider calls with
 * {@link #during}; the router carries the mark into each attempt's thread with {@link #carriedInto};
 * the HTTP client that every adapter shares ({@link #wrap}) logs what it sends and what comes back
 * while the mark is on. Thread-safe. The mark is a thread-local that {@link #during} always clears
 * (a {@code ScopedValue} would be neater, but it is a preview API in Java 21, which Tollgate targets).
 */
public final class UpstreamDebug {

    /** When the sidecar logs provider calls in detail. */
    public enum Mode {
        /** {@code --detailed-debug}: every request. */
        ALWAYS,
        /** Only requests with {@code x-tollgate-debug: true} whose key has {@code metadata.allow_debug: true}. */
        WHEN_KEY_ALLOWS
    }

    /** The id of the request whose provider calls are logged; unbound when they are not. */
    private static final ThreadLocal<String> REQUEST = new ThreadLocal<>();

    private UpstreamDebug() {
    }

    /** Runs {@code work} with the provider calls it makes logged under {@code requestId}. */
    public static <T> T during(String requestId, Supplier<T> work) {
        String outer = REQUEST.get();
        REQUEST.set(requestId);
        try {
            return work.get();
        } finally {
            restore(outer);
        }
    }

    /**
     * {@code work} as it should run on another thread: with the caller's debug mark, if it has one
     * (the router runs each attempt on its own virtual thread).
     */
    public static <T> Callable<T> carriedInto(Callable<T> work) {
        String requestId = REQUEST.get();
        if (requestId == null) {
            return work;
        }
        return () -> {
            String outer = REQUEST.get();
            REQUEST.set(requestId);
            try {
                return work.call();
            } finally {
                restore(outer);
            }
        };
    }

    /** The request being debugged on this thread, or null. */
    static String current() {
        return REQUEST.get();
    }

    private static void restore(String outer) {
        if (outer == null) {
            REQUEST.remove();
        } else {
            REQUEST.set(outer);
        }
    }

    /** {@code http}, logging the calls made while a request is marked. */
    public static java.net.http.HttpClient wrap(java.net.http.HttpClient http) {
        return http instanceof DebugHttpClient ? http : new DebugHttpClient(http);
    }
}
