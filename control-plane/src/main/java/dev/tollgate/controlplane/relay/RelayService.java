package dev.tollgate.controlplane.relay;

import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.policy.CredentialVault;
import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.Exposure;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.ProviderRelayGrpc;
import dev.tollgate.proto.control.v1.RelayFrame;
import dev.tollgate.proto.control.v1.RelayRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code ProviderRelay} gRPC service: admits a sidecar by its token (as the control stream does),
 * finds the named deployment in the current snapshot, refuses anything but an
 * {@code exposure: control-plane} deployment called at its own origin, and runs the call on a virtual
 * thread ({@link UpstreamCall}). Thread-safe.
 */
public final class RelayService extends ProviderRelayGrpc.ProviderRelayImplBase {

    private static final System.Logger LOG = System.getLogger(RelayService.class.getName());

    private final Supplier<PolicySnapshot> snapshots;
    private final CredentialVault vault;
    private final Admission admission;
    private final HttpClient http;

    /** Decides whether a relay request's sidecar may have it made: empty to admit, else the refusal. */
    @FunctionalInterface
    public interface Admission {
        Optional<Status> check(RelayRequest request);
    }

    /**
     * @param snapshots    the snapshot sidecars hold now (placeholders, api_base, exposure)
     * @param vault        where the real secrets are
     * @param sidecarToken the token sidecars must present; empty admits any sidecar
     * @param http         the keep-alive client for provider calls
     */
    public RelayService(Supplier<PolicySnapshot> snapshots, CredentialVault vault, Optional<String> sidecarToken,
                        HttpClient http) {
        this(snapshots, vault, request -> sidecarToken.isPresent()
                && !KeyHashing.constantTimeEquals(sidecarToken.get(), request.getSidecarToken())
                ? Optional.of(Status.UNAUTHENTICATED.withDescription("sidecar token rejected: start the sidecar with "
                        + "TOLLGATE_SIDECAR_TOKEN set to the control plane's sidecar token"))
                : Optional.empty(), http);
    }

    /** @param admission the same admission (token, name, scope) as the control stream's hello */
    public RelayService(Supplier<PolicySnapshot> snapshots, CredentialVault vault, Admission admission,
                        HttpClient http) {
        this.snapshots = snapshots;
        this.vault = vault;
        this.admission = admission;
        this.http = http;
    }

    @Override
    public void relay(RelayRequest request, StreamObserver<RelayFrame> responses) {
        Optional<Status> refused = admission.check(request);
        if (refused.isPresent()) {
            LOG.log(System.Logger.Level.WARNING, "refused relay from sidecar '" + request.getSidecarName()
                    + "': " + refused.get().getDescription());
            responses.onError(refused.get().asRuntimeException());
            return;
        }
        Optional<Deployment> deployment = find(request.getDeploymentId());
        if (deployment.isEmpty()) {
            responses.onError(Status.NOT_FOUND.withDescription("no deployment '" + request.getDeploymentId()
                    + "' in the control plane's current policy").asRuntimeException());
            return;
        }
        if (deployment.get().getExposure() != Exposure.EXPOSURE_CONTROL_PLANE) {
            responses.onError(Status.FAILED_PRECONDITION.withDescription("deployment '" + request.getDeploymentId()
                    + "' is not exposure: control-plane; the control plane relays only those").asRuntimeException());
            return;
        }
        RelayTarget target;
        try {
            target = RelayTarget.of(request, deployment.get(), secrets(request.getDeploymentId()));
        } catch (RelayTarget.Refused e) {
            LOG.log(System.Logger.Level.WARNING, "refused relay from sidecar '" + request.getSidecarName() + "': "
                    + e.getMessage());
            responses.onError(Status.PERMISSION_DENIED.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        // Handlers must be set before this method returns (gRPC's rule for server call observers).
        UpstreamCall call = new UpstreamCall(http, request, target, (ServerCallStreamObserver<RelayFrame>) responses);
        Thread.ofVirtual().name("tollgate-relay-" + request.getDeploymentId()).start(call::run);
    }

    private Optional<Deployment> find(String id) {
        PolicySnapshot snapshot = snapshots.get();
        if (snapshot == null) {
            return Optional.empty();
        }
        for (Alias alias : snapshot.getAliasesList()) {
            for (Deployment d : alias.getDeploymentsList()) {
                if (d.getId().equals(id)) {
                    return Optional.of(d);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The deployment's resolved secrets by field, its named credential's included; unresolved ones
     * are left out (the sidecar already refuses those).
     */
    private Map<String, String> secrets(String deploymentId) {
        return vault.secretsOf(deploymentId);
    }
}
