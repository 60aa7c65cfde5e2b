package dev.tollgate.controlplane.stream;

import dev.tollgate.controlplane.budget.LeaseLedger;
import dev.tollgate.controlplane.policy.PolicyPublisher;
import dev.tollgate.controlplane.usage.UsageRepository;
import dev.tollgate.proto.control.v1.ControlMessage;
import dev.tollgate.proto.control.v1.ControlPlaneGrpc;
import dev.tollgate.proto.control.v1.SidecarMessage;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sidecars' control stream: one {@link SidecarSession} per connected sidecar.
 * Thread-safe.
 */
public final class ControlStreamService extends ControlPlaneGrpc.ControlPlaneImplBase {

    private final PolicyPublisher publisher;
    private final UsageRepository usage;
    private final LeaseLedger leases;
    private final Optional<String> sidecarToken;
    private final Set<SidecarSession> sessions = ConcurrentHashMap.newKeySet();

    /**
     * @param sidecarToken the token sidecars must present; empty admits any sidecar (loopback-only setups)
     */
    public ControlStreamService(PolicyPublisher publisher, UsageRepository usage, LeaseLedger leases,
                                Optional<String> sidecarToken) {
        this.publisher = publisher;
        this.usage = usage;
        this.leases = leases;
        this.sidecarToken = sidecarToken;
    }

    @Override
    public StreamObserver<SidecarMessage> stream(StreamObserver<ControlMessage> responses) {
        SidecarSession session = new SidecarSession(responses, publisher, usage, leases, sidecarToken,
                sessions::remove);
        sessions.add(session);
        return session;
    }

    /**
     * Tells every open stream's sidecar to reconnect to another replica now (this one is shutting
     * down); returns how many streams were told.
     */
    public int goAway(String reason) {
        int told = 0;
        for (SidecarSession session : sessions) {
            session.goAway(reason);
            told++;
        }
        return told;
    }

    /** Name and acknowledged policy version of every connected sidecar. */
    public List<SidecarSession.Info> connected() {
        return sessions.stream().map(SidecarSession::status).flatMap(Optional::stream).toList();
    }

    /** Connected sidecar name → the policy version it acknowledged (for metrics and doctor). */
    public java.util.Map<String, Long> ackedVersions() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        connected().forEach(info -> out.put(info.name(), info.ackedVersion()));
        return out;
    }
}
