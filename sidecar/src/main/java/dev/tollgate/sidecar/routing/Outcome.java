package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.failure.GatewayError;

/** How a routed request ended: answered by some attempt, or failed after all its attempts and fallbacks. */
public sealed interface Outcome<T> {

    /** {@code attempt} answered with {@code value}. */
    record Answered<T>(T value, Attempt attempt) implements Outcome<T> {
    }

    /** Every attempt failed; {@code progress} says how the failure can still reach the client. */
    record Failed<T>(GatewayError error, Progress progress) implements Outcome<T> {
    }
}
