package dev.tollgate.sidecar.routing;

import dev.tollgate.proto.control.v1.RouterAttempt;

/**
 * What one provider call of a request did, for the usage record.
 *
 * @param status    200 on success, else the HTTP status of the error (499 when the client left)
 * @param errorCode the error catalogue's code, "" on success
 */
public record AttemptRecord(String alias, String deploymentId, String provider, int status, String errorCode,
                            long latencyMs, long startedAtMs) {

    public RouterAttempt toProto() {
        return RouterAttempt.newBuilder().setAlias(alias).setDeploymentId(deploymentId).setProvider(provider)
                .setStatus(status).setErrorCode(errorCode).setLatencyMs(latencyMs).setStartedAtMs(startedAtMs).build();
    }
}
