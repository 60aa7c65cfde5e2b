package dev.tollgate.sidecar.routing;

import dev.tollgate.proto.control.v1.RouterAttempt;

/**
 * What one provider call of a request did, for the usage record and its client span.
 *
 * @param model         the model name sent to the provider
 * @param apiBase       the deployment's base URL ("" for the provider's default), for server.address
 * @param status        200 on success, else the HTTP status of the error (499 when the client left)
 * @param errorCode     the error catalogue's code, "" on success
 * @param spanId        the call's own client span id (16 hex digits)
 * @param startOffsetUs when the call started, in microseconds after the request arrived
 * @param durationUs    how long the call took (for a stream, until its last chunk was relayed)
 */
public record AttemptRecord(String alias, String deploymentId, String provider, String model, String apiBase,
                            int status, String errorCode, long latencyMs, long startedAtMs, String spanId,
                            long startOffsetUs, long durationUs) {

    public boolean succeeded() {
        return errorCode.isEmpty() && status < 400;
    }

    /** The attempt as a usage record carries it; server address and port are the caller's to add. */
    public RouterAttempt toProto() {
        return RouterAttempt.newBuilder().setAlias(alias).setDeploymentId(deploymentId).setProvider(provider)
                .setModel(model).setStatus(status).setErrorCode(errorCode).setLatencyMs(latencyMs)
                .setStartedAtMs(startedAtMs).setSpanId(spanId).setStartOffsetUs(startOffsetUs)
                .setDurationUs(durationUs).build();
    }
}
