package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.failure.GatewayError;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this sidecar has learned about one deployment, across requests and policy versions: calls in
 * flight (bounded by max_parallel_requests), failures in the current minute and any cooldown, a
 * latency average, and requests and tokens in the current minute. Thread-safe; the critical
 * sections are short and never block, so plain monitors are fine on virtual threads.
 */
final class DeploymentState {

    private static final long FAIL_WINDOW_MS = 60_000;
    /** Weight of the newest sample in the latency average: recent enough to notice a slowdown within a few calls. */
    private static final double LATENCY_WEIGHT = 0.3;

    private final AtomicInteger inFlight = new AtomicInteger();
    private Semaphore permits;
    private int permitLimit;
    private long failWindowStartMs;
    private int fails;
    private Cooldown cooldown;
    private double latencyMs = Double.NaN;
    private int latencySamples;
    private long minute = -1;
    private long minuteRequests;
    private long minuteTokens;

    /** One in-flight slot, released when the provider call has really ended (idempotent). */
    interface Lease {
        void release();
    }

    /** A slot for one call, or empty when max_parallel_requests calls are already in flight. */
    Optional<Lease> tryAcquire(OptionalInt maxParallelRequests) {
        Semaphore held = maxParallelRequests.isPresent() ? semaphore(maxParallelRequests.getAsInt()) : null;
        if (held != null && !held.tryAcquire()) {
            return Optional.empty();
        }
        inFlight.incrementAndGet();
        AtomicBoolean released = new AtomicBoolean();
        return Optional.of(() -> {
            if (released.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
                if (held != null) {
                    held.release();
                }
            }
        });
    }

    /**
     * A new limit (a new policy) gets a new semaphore; calls holding the old one release into it, so
     * for the length of those calls the deployment may briefly exceed the new limit.
     */
    private synchronized Semaphore semaphore(int limit) {
        if (permits == null || permitLimit != limit) {
            permits = new Semaphore(limit);
            permitLimit = limit;
        }
        return permits;
    }

    int inFlight() {
        return inFlight.get();
    }

    synchronized Optional<Cooldown> cooldownAt(long nowMs) {
        return cooldown != null && cooldown.activeAt(nowMs) ? Optional.of(cooldown) : Optional.empty();
    }

    /**
     * Learns from a failed call: a 429 with Retry-After cools the deployment down for that long, a
     * refused credential at once for {@code cooldownTime}, and other provider failures after more than
     * {@code allowedFails} within a minute.
     */
    synchronized void failed(ErrorClass c, GatewayError e, int allowedFails, Duration cooldownTime, long nowMs) {
        Optional<Long> retryAfter = e.retryAfterSeconds().filter(s -> s > 0);
        if (c == ErrorClass.RATE_LIMIT && retryAfter.isPresent()) {
            coolDown(nowMs + retryAfter.get() * 1000, "the provider rate-limited it (" + e.code() + ", HTTP "
                    + e.status() + ") with Retry-After: " + retryAfter.get() + " s", true);
            return;
        }
        switch (c.health) {
            case COOLS_AT_ONCE -> coolDown(nowMs + cooldownTime.toMillis(), "the provider refused its credential ("
                    + e.code() + ", HTTP " + e.status() + "), which cools a deployment down at once", false);
            case COUNTS -> {
                if (nowMs - failWindowStartMs >= FAIL_WINDOW_MS) {
                    failWindowStartMs = nowMs;
                    fails = 0;
                }
                fails++;
                if (fails > allowedFails) {
                    coolDown(nowMs + cooldownTime.toMillis(), fails + " failures within a minute (allowed_fails: "
                            + allowedFails + "), the last " + e.code() + " (HTTP " + e.status() + ")",
                            c == ErrorClass.RATE_LIMIT);
                    fails = 0;
                }
            }
            case UNAFFECTED -> {
                // the request's fault, not the deployment's
            }
        }
    }

    /** A later failure never shortens a cooldown already running (it may lengthen it). */
    private void coolDown(long untilMs, String reason, boolean rateLimited) {
        long until = cooldown == null ? untilMs : Math.max(untilMs, cooldown.untilMs());
        cooldown = new Cooldown(until, reason, rateLimited);
    }

    /**
     * Adds a latency sample. The first call to a deployment also opens its connection (TCP, TLS) and
     * is not representative, so the second sample replaces it; the average starts from there.
     */
    synchronized void observeLatency(long ms) {
        latencySamples++;
        latencyMs = latencySamples <= 2 ? ms : LATENCY_WEIGHT * ms + (1 - LATENCY_WEIGHT) * latencyMs;
    }

    /** The latency average in milliseconds, empty until two calls were measured. */
    synchronized OptionalDouble latencyMs() {
        return latencySamples < 2 ? OptionalDouble.empty() : OptionalDouble.of(latencyMs);
    }

    synchronized void countRequest(long nowMs) {
        roll(nowMs);
        minuteRequests++;
    }

    synchronized void countTokens(long tokens, long nowMs) {
        roll(nowMs);
        minuteTokens += tokens;
    }

    synchronized long requestsThisMinute(long nowMs) {
        roll(nowMs);
        return minuteRequests;
    }

    synchronized long tokensThisMinute(long nowMs) {
        roll(nowMs);
        return minuteTokens;
    }

    private void roll(long nowMs) {
        long m = Math.floorDiv(nowMs, 60_000);
        if (m != minute) {
            minute = m;
            minuteRequests = 0;
            minuteTokens = 0;
        }
    }
}
