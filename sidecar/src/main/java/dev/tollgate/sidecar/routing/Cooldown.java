package dev.tollgate.sidecar.routing;

/**
 * A deployment taken out of rotation until {@code untilMs}, and why (said in no_deployments_available).
 *
 * @param rateLimited the provider rate-limited it: when every deployment is out for that reason the
 *                    client gets 429 rather than 503
 */
record Cooldown(long untilMs, String reason, boolean rateLimited) {

    boolean activeAt(long nowMs) {
        return nowMs < untilMs;
    }
}
