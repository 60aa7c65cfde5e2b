package dev.tollgate.controlplane.bench;

import dev.tollgate.controlplane.ControlPlane;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.proto.control.v1.ControlMessage;
import dev.tollgate.proto.control.v1.ControlPlaneGrpc;
import dev.tollgate.proto.control.v1.Hello;
import dev.tollgate.proto.control.v1.SidecarMessage;
import dev.tollgate.proto.control.v1.UsageBatch;
import dev.tollgate.proto.control.v1.UsageRecord;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Usage ingest throughput: many fake sidecars, each on its own control stream over loopback gRPC,
 * upload usage batches as the sidecar's uploader does (up to 500 records a batch, a few batches
 * in flight) into a whole control plane on PostgreSQL; counts records acknowledged per second
 * (an ack is sent only after the database commit). Prints the figure; asserts nothing.
 *
 * <pre>
 *   java -cp control-plane/target/tollgate-control-plane.jar dev.tollgate.controlplane.bench.IngestBenchmark \
 *        [--streams 16] [--batch 500] [--in-flight 2] [--seconds 10] [--warmup 3]
 * </pre>
 * Uses TOLLGATE_DB_URL (with TOLLGATE_DB_USER / TOLLGATE_DB_PASSWORD) when set, else an embedded
 * PostgreSQL in a temporary folder, deleted afterwards.
 */
public final class IngestBenchmark {

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int streams = intArg(args, "--streams", 16);
        int batch = intArg(args, "--batch", 500);
        int inFlight = intArg(args, "--in-flight", 2);
        int seconds = intArg(args, "--seconds", 10);
        int warmup = intArg(args, "--warmup", 3);
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s - %5$s%6$s%n");
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("io.zonky").setLevel(java.util.logging.Level.WARNING);

        Path dir = Files.createTempDirectory("tollgate-ingest-bench");
        Optional<String> url = Optional.ofNullable(System.getenv("TOLLGATE_DB_URL")).filter(u -> !u.isEmpty());
        try (Database db = Database.open(url, dir, System.getenv("TOLLGATE_DB_USER"), System.getenv("TOLLGATE_DB_PASSWORD"))) {
            GatewayConfig config = new GatewayConfig(List.of(), new CredentialRef.Literal("sk-bench"), CredentialRef.NONE,
                    List.of());
            try (ControlPlane plane = ControlPlane.start(new ControlPlane.Settings(config, "sk-bench", Optional.empty(),
                    "127.0.0.1", 0, "127.0.0.1", 0, Map.of()), db.dataSource(), Clock.systemUTC())) {
                long before = rows(db);
                Result r = run(plane.grpcPort(), streams, batch, inFlight, warmup, seconds);
                long stored = rows(db) - before;
                System.out.printf("usage ingest: %d streams x %d-record batches (%d in flight each), %d s measured%n",
                        streams, batch, inFlight, seconds);
                System.out.printf("  %,.0f records/s acknowledged after commit (target >= 20,000)%n", r.perSecond());
                System.out.printf("  batch ack latency p50 %.1f ms, p99 %.1f ms; %,d rows stored in total, %d acks lost%n",
                        r.p50Ms(), r.p99Ms(), stored, r.sent() - r.acked());
                System.out.printf("  PostgreSQL: %s; %d cores%n", url.isPresent() ? "TOLLGATE_DB_URL" : "embedded",
                        Runtime.getRuntime().availableProcessors());
            }
        } finally {
            deleteTree(dir);
        }
        System.exit(0);
    }

    record Result(double perSecond, double p50Ms, double p99Ms, long sent, long acked) {
    }

    private static Result run(int port, int streams, int batch, int inFlight, int warmup, int seconds)
            throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        AtomicLong acked = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong measured = new AtomicLong();
        CountDownLatch done = new CountDownLatch(streams);
        for (int s = 0; s < streams; s++) {
            long[] lat = new long[1 << 16];
            latencies.add(lat);
            int stream = s;
            Thread.ofPlatform().name("bench-stream-" + s).start(() -> {
                try {
                    stream(channel, stream, batch, inFlight, end, measureFrom, acked, sent, measured, lat);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        channel.shutdownNow();
        long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 1, (int) Math.min(l.length, l[0] + 1)))
                .sorted().toArray();
        double p50 = all.length == 0 ? 0 : all[all.length / 2] / 1e6;
        double p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6;
        return new Result(measured.get() / (double) seconds, p50, p99, sent.get(), acked.get());
    }

    /** One fake sidecar: hello, then batches, at most {@code inFlight} unacknowledged at a time. */
    private static void stream(ManagedChannel channel, int stream, int batch, int inFlight, long end, long measureFrom,
                               AtomicLong acked, AtomicLong sent, AtomicLong measured, long[] lat)
            throws InterruptedException {
        Semaphore window = new Semaphore(inFlight);
        CountDownLatch ready = new CountDownLatch(1);
        java.util.concurrent.ConcurrentLinkedQueue<Long> sentAt = new java.util.concurrent.ConcurrentLinkedQueue<>();
        StreamObserver<SidecarMessage> out = ControlPlaneGrpc.newStub(channel).stream(new StreamObserver<>() {
            @Override
            public void onNext(ControlMessage m) {
                if (m.hasSnapshot()) {
                    ready.countDown();
                } else if (m.hasUsageAck()) {
                    long now = System.nanoTime();
                    Long at = sentAt.poll();
                    acked.addAndGet(m.getUsageAck().getIdsCount());
                    if (now >= measureFrom && now < end) {
                        measured.addAndGet(m.getUsageAck().getIdsCount());
                        if (at != null && lat[0] < lat.length - 1) {
                            lat[(int) ++lat[0]] = now - at;
                        }
                    }
                    window.release();
                }
            }

            @Override
            public void onError(Throwable t) {
                ready.countDown();
            }

            @Override
            public void onCompleted() {
            }
        });
        out.onNext(SidecarMessage.newBuilder().setHello(Hello.newBuilder().setSidecarName("bench-" + stream)).build());
        ready.await(30, TimeUnit.SECONDS);
        String prefix = UUID.randomUUID() + "-";
        long n = 0;
        UsageRecord.Builder template = UsageRecord.newBuilder().setKeyId(UUID.randomUUID().toString()).setAlias("chat")
                .setDeploymentId("chat#0").setProvider("openai").setModel("gpt-4o-mini").setPromptTokens(420)
                .setCompletionTokens(96).setCostMicros(121).setLatencyMs(850).setTtftMs(230).setHttpStatus(200)
                .setAttempts(1).setSidecarName("bench-" + stream).setTeamId("team-a").setUserId("user-1")
                .setTraceId("4bf92f3577b34da6a3ce929d0e0e4736").setSpanId("00f067aa0ba902b7");
        while (System.nanoTime() < end) {
            window.acquire();
            UsageBatch.Builder b = UsageBatch.newBuilder();
            long now = System.currentTimeMillis();
            for (int i = 0; i < batch; i++) {
                b.addRecords(template.setId(prefix + n++).setStartedAtMs(now));
            }
            sentAt.add(System.nanoTime());
            sent.addAndGet(batch);
            out.onNext(SidecarMessage.newBuilder().setUsage(b).build());
        }
        // Let the last batches land before the stream closes.
        window.tryAcquire(inFlight, 30, TimeUnit.SECONDS);
        out.onCompleted();
    }

    private static long rows(Database db) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from usage_records")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a temporary folder; the OS cleans it eventually
        }
    }
}
