package dev.tollgate.controlplane.stream;

import dev.tollgate.controlplane.budget.LeaseLedger;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.policy.PolicyPublisher;
import dev.tollgate.controlplane.usage.UsageRepository;
import dev.tollgate.proto.control.v1.ControlMessage;
import dev.tollgate.proto.control.v1.GoAway;
import dev.tollgate.proto.control.v1.Hello;
import dev.tollgate.proto.control.v1.LeaseGrant;
import dev.tollgate.proto.control.v1.LeaseRequest;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.SidecarMessage;
import dev.tollgate.proto.control.v1.UsageAck;
import dev.tollgate.proto.control.v1.UsageBatch;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One sidecar's control stream. Inbound callbacks arrive serially (gRPC guarantees that per
 * call); outbound messages come from the policy publisher and from usage acks on other threads,
 * so every write to {@code out} holds {@link #sending}, because a StreamObserver is not thread-safe.
 */
final class SidecarSession implements StreamObserver<SidecarMessage> {

    private static final System.Logger LOG = System.getLogger(SidecarSession.class.getName());

    /** What the control plane knows of a connected sidecar. */
    record Info(String name, long ackedVersion) {
    }

    private final StreamObserver<ControlMessage> out;
    private final PolicyPublisher publisher;
    private final UsageRepository usage;
    private final LeaseLedger leases;
    /**
     * Lease requests run on their own virtual threads so that a slow database answer for one
     * subject never holds up this stream's other messages; at most this many at once per sidecar.
     */
    private static final int LEASE_SLOTS = 32;
    private final Semaphore leaseSlots = new Semaphore(LEASE_SLOTS);
    private final Optional<String> sidecarToken;
    private final Consumer<SidecarSession> onClose;
    private final ReentrantLock sending = new ReentrantLock();
    private final Consumer<PolicySnapshot> push = this::push;

    private volatile String name;
    private volatile long ackedVersion;
    private volatile boolean closed;

    SidecarSession(StreamObserver<ControlMessage> out, PolicyPublisher publisher, UsageRepository usage,
                   LeaseLedger leases, Optional<String> sidecarToken, Consumer<SidecarSession> onClose) {
        this.out = out;
        this.publisher = publisher;
        this.usage = usage;
        this.leases = leases;
        this.sidecarToken = sidecarToken;
        this.onClose = onClose;
    }

    Optional<Info> status() {
        String n = name;
        return n == null ? Optional.empty() : Optional.of(new Info(n, ackedVersion));
    }

    @Override
    public void onNext(SidecarMessage message) {
        switch (message.getKindCase()) {
            case HELLO -> hello(message.getHello());
            case ACK -> {
                if (requireHello()) {
                    if (message.getAck().getError().isEmpty()) {
                        ackedVersion = message.getAck().getVersion();
                    } else {
                        LOG.log(System.Logger.Level.WARNING, "sidecar " + name + " refused policy version "
                                + message.getAck().getVersion() + ": " + message.getAck().getError());
                    }
                }
            }
            case USAGE -> {
                if (requireHello()) {
                    ingest(message.getUsage());
                }
            }
            case LEASE_REQUEST -> {
                if (requireHello()) {
                    lease(message.getLeaseRequest());
                }
            }
            case KIND_NOT_SET -> fail(Status.INVALID_ARGUMENT.withDescription("empty message on the control stream"));
        }
    }

    private void hello(Hello hello) {
        if (name != null) {
            fail(Status.FAILED_PRECONDITION.withDescription("second hello on one control stream"));
            return;
        }
        if (sidecarToken.isPresent() && !KeyHashing.constantTimeEquals(sidecarToken.get(), hello.getSidecarToken())) {
            LOG.log(System.Logger.Level.WARNING, "refused sidecar '" + hello.getSidecarName()
                    + "': wrong or missing sidecar token");
            fail(Status.UNAUTHENTICATED.withDescription(
                    "sidecar token rejected: start the sidecar with TOLLGATE_SIDECAR_TOKEN set to the control plane's sidecar token"));
            return;
        }
        name = hello.getSidecarName().isEmpty() ? "unnamed" : hello.getSidecarName();
        LOG.log(System.Logger.Level.INFO, "sidecar '" + name + "' connected (holds policy version "
                + hello.getKnownVersion() + ")");
        publisher.subscribe(push);
    }

    private boolean requireHello() {
        if (name == null) {
            fail(Status.FAILED_PRECONDITION.withDescription("the first message on the control stream must be a hello"));
            return false;
        }
        return true;
    }

    private void push(PolicySnapshot snapshot) {
        send(ControlMessage.newBuilder().setSnapshot(snapshot).build());
    }

    private void ingest(UsageBatch batch) {
        try {
            List<String> stored = usage.store(batch.getRecordsList());
            send(ControlMessage.newBuilder().setUsageAck(UsageAck.newBuilder().addAllIds(stored)).build());
        } catch (SQLException e) {
            // No ack: the sidecar keeps the records in its spool and sends them again.
            LOG.log(System.Logger.Level.WARNING, "could not store " + batch.getRecordsCount()
                    + " usage record(s) from sidecar " + name + "; they stay in its spool: " + e.getMessage());
        }
    }

    private void lease(LeaseRequest request) {
        // Acquired on the gRPC thread, so a sidecar that floods requests is slowed to the database's pace.
        leaseSlots.acquireUninterruptibly();
        Thread.startVirtualThread(() -> {
            try {
                LeaseGrant grant;
                try {
                    grant = leases.handle(request, name);
                } catch (SQLException | RuntimeException e) {
                    // The sidecar keeps what it holds and refuses beyond it; it asks again after the delay.
                    LOG.log(System.Logger.Level.WARNING, "lease request from sidecar " + name + " for "
                            + request.getSubject().getEntityKind() + " " + request.getSubject().getEntityId()
                            + " failed: " + e.getMessage());
                    grant = LeaseGrant.newBuilder().setSubject(request.getSubject()).setLeaseId(request.getLeaseId())
                            .setRefusal("unavailable").setRetryAfterMs(1_000).build();
                }
                send(ControlMessage.newBuilder().setLeaseGrant(grant).build());
            } finally {
                leaseSlots.release();
            }
        });
    }

    private void send(ControlMessage message) {
        sending.lock();
        try {
            if (!closed) {
                out.onNext(message);
            }
        } catch (RuntimeException e) {
            // The call was cancelled under us; onError/onCompleted will clean up.
            LOG.log(System.Logger.Level.DEBUG, "send to sidecar " + name + " failed: " + e);
        } finally {
            sending.unlock();
        }
    }

    /** Asks the sidecar to reconnect elsewhere; one that has not said hello yet is simply refused. */
    void goAway(String reason) {
        if (name == null) {
            fail(Status.UNAVAILABLE.withDescription(reason));
            return;
        }
        send(ControlMessage.newBuilder().setGoAway(GoAway.newBuilder().setReason(reason)).build());
    }

    private void fail(Status status) {
        sending.lock();
        try {
            if (!closed) {
                closed = true;
                out.onError(status.asRuntimeException());
            }
        } finally {
            sending.unlock();
        }
        close();
    }

    @Override
    public void onError(Throwable t) {
        LOG.log(System.Logger.Level.INFO, "sidecar '" + name + "' disconnected: " + Status.fromThrowable(t).getCode());
        closed = true;
        close();
    }

    @Override
    public void onCompleted() {
        // Lease requests still being answered on their own threads: let their grants go out before the
        // stream ends, or the ledger would count as allocated what the sidecar never heard of.
        try {
            if (leaseSlots.tryAcquire(LEASE_SLOTS, 5, TimeUnit.SECONDS)) {
                leaseSlots.release(LEASE_SLOTS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sending.lock();
        try {
            if (!closed) {
                closed = true;
                out.onCompleted();
            }
        } finally {
            sending.unlock();
        }
        close();
    }

    private void close() {
        publisher.unsubscribe(push);
        onClose.accept(this);
    }
}
