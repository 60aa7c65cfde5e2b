package dev.tollgate.sidecar.routing;

import dev.tollgate.proto.control.v1.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The path one request took through the router: every provider call in order, and the deployment
 * last tried (the one that answered, on success).
 * Written by the request's thread; read by an attempt's thread only while the request thread waits
 * for it, so thread start and join order every access.
 */
public final class RouteLog {

    private final List<AttemptRecord> attempts = new ArrayList<>();
    private final long originNanos;
    private final Supplier<String> spanIds;
    private Deployment lastDeployment;
    private String lastAlias;

    /**
     * @param originNanos the request's arrival on {@link System#nanoTime()}: attempt offsets count from it
     * @param spanIds     a new client span id for each attempt
     */
    public RouteLog(long originNanos, Supplier<String> spanIds) {
        this.originNanos = originNanos;
        this.spanIds = spanIds;
    }

    /** Every provider call so far, in order. */
    public List<AttemptRecord> attempts() {
        return List.copyOf(attempts);
    }

    public int count() {
        return attempts.size();
    }

    /** The deployment last tried or found unusable; the one that answered, on success. */
    public Optional<Deployment> lastDeployment() {
        return Optional.ofNullable(lastDeployment);
    }

    /** The alias of {@link #lastDeployment()}. */
    public Optional<String> lastAlias() {
        return Optional.ofNullable(lastAlias);
    }

    void tried(String alias, Deployment deployment) {
        lastAlias = alias;
        lastDeployment = deployment;
    }

    long originNanos() {
        return originNanos;
    }

    String newSpanId() {
        return spanIds.get();
    }

    void add(AttemptRecord attempt) {
        attempts.add(attempt);
    }
}
