package dev.tollgate.sidecar;

import dev.tollgate.proto.control.v1.ControlMessage;
import dev.tollgate.proto.control.v1.ControlPlaneGrpc;
import dev.tollgate.proto.control.v1.GoAway;
import dev.tollgate.proto.control.v1.Hello;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.SidecarMessage;
import dev.tollgate.proto.control.v1.SnapshotAck;
import dev.tollgate.proto.control.v1.UsageAck;
import dev.tollgate.proto.control.v1.UsageBatch;
import dev.tollgate.proto.control.v1.UsageRecord;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A hand-written control plane: a real gRPC server on loopback that records hellos, snapshot
 * acks and usage batches, pushes the snapshots a test gives it (the current one to every stream
 * on hello, as the real one does), and acknowledges every usage record it receives. Thread-safe.
 */
final class FakeControlPlane implements AutoCloseable {

    final BlockingQueue<Hello> hellos = new LinkedBlockingQueue<>();
    final BlockingQueue<SnapshotAck> acks = new LinkedBlockingQueue<>();
    final BlockingQueue<UsageBatch> batches = new LinkedBlockingQueue<>();
    private final Map<String, UsageRecord> usage = new ConcurrentHashMap<>();

    /** Guards {@link #open} and every write to a response stream (gRPC observers are not thread-safe). */
    private final ReentrantLock lock = new ReentrantLock();
    private final List<StreamObserver<ControlMessage>> open = new ArrayList<>();
    private PolicySnapshot current;
    private final Server server;

    private FakeControlPlane(int port, PolicySnapshot initial) throws IOException {
        this.current = initial;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new Service())
                .build()
                .start();
    }

    /** Starts on {@code port} (0 for any free one); {@code initial} may be null to push nothing. */
    static FakeControlPlane start(int port, PolicySnapshot initial) throws IOException {
        return new FakeControlPlane(port, initial);
    }

    int port() {
        return server.getPort();
    }

    String target() {
        return "127.0.0.1:" + port();
    }

    /** Makes {@code snapshot} current and sends it down every open stream. */
    void push(PolicySnapshot snapshot) {
        lock.lock();
        try {
            current = snapshot;
            for (StreamObserver<ControlMessage> out : List.copyOf(open)) {
                send(out, ControlMessage.newBuilder().setSnapshot(snapshot).build());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sends {@code go_away} down every open stream, as a control plane that is shutting down does. */
    void goAway(String reason) {
        lock.lock();
        try {
            for (StreamObserver<ControlMessage> out : List.copyOf(open)) {
                send(out, ControlMessage.newBuilder().setGoAway(GoAway.newBuilder().setReason(reason)).build());
            }
        } finally {
            lock.unlock();
        }
    }

    /** The usage record with this id, once a batch delivered it. */
    UsageRecord awaitUsage(String id, Duration timeout) {
        return Await.value("usage record " + id + " at the control plane", timeout, () -> usage.get(id));
    }

    SnapshotAck awaitAck(long version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SnapshotAck ack = acks.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (ack == null) {
                throw new AssertionError("no ack of snapshot version " + version + " within " + timeout.toMillis() + " ms");
            }
            if (ack.getVersion() == version) {
                return ack;
            }
        }
    }

    @Override
    public void close() {
        try {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Caller holds {@link #lock}. A stream the sidecar already left is simply dropped. */
    private void send(StreamObserver<ControlMessage> out, ControlMessage message) {
        try {
            out.onNext(message);
        } catch (RuntimeException gone) {
            open.remove(out);
        }
    }

    private final class Service extends ControlPlaneGrpc.ControlPlaneImplBase {
        @Override
        public StreamObserver<SidecarMessage> stream(StreamObserver<ControlMessage> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(SidecarMessage message) {
                    switch (message.getKindCase()) {
                        case HELLO -> {
                            hellos.add(message.getHello());
                            lock.lock();
                            try {
                                open.add(out);
                                if (current != null) {
                                    send(out, ControlMessage.newBuilder().setSnapshot(current).build());
                                }
                            } finally {
                                lock.unlock();
                            }
                        }
                        case ACK -> acks.add(message.getAck());
                        case USAGE -> {
                            UsageBatch batch = message.getUsage();
                            UsageAck.Builder ack = UsageAck.newBuilder();
                            for (UsageRecord r : batch.getRecordsList()) {
                                usage.put(r.getId(), r);
                                ack.addIds(r.getId());
                            }
                            batches.add(batch);
                            lock.lock();
                            try {
                                send(out, ControlMessage.newBuilder().setUsageAck(ack).build());
                            } finally {
                                lock.unlock();
                            }
                        }
                        case KIND_NOT_SET -> { }
                    }
                }

                @Override
                public void onError(Throwable t) {
                    forget(out);
                }

                @Override
                public void onCompleted() {
                    lock.lock();
                    try {
                        open.remove(out);
                        out.onCompleted();
                    } finally {
                        lock.unlock();
                    }
                }
            };
        }

        private void forget(StreamObserver<ControlMessage> out) {
            lock.lock();
            try {
                open.remove(out);
            } finally {
                lock.unlock();
            }
        }
    }
}
