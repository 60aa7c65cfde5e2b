package dev.tollgate.controlplane.stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.keys.KeyRecord;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.policy.CredentialVault;
import dev.tollgate.controlplane.policy.DeploymentRepository;
import dev.tollgate.controlplane.policy.PolicyCompiler;
import dev.tollgate.controlplane.policy.PolicyPublisher;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.store.TestPostgres;
import dev.tollgate.controlplane.usage.UsageRepository;
import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.ControlMessage;
import dev.tollgate.proto.control.v1.ControlPlaneGrpc;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.Hello;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.SidecarMessage;
import dev.tollgate.proto.control.v1.SnapshotAck;
import dev.tollgate.proto.control.v1.UsageAck;
import dev.tollgate.proto.control.v1.UsageBatch;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.proto.control.v1.VirtualKey;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control stream over a real gRPC server on loopback, against a real PostgreSQL: hello and
 * token check, policy pushes, usage ingest and its idempotence.
 */
class ControlStreamServiceTest {

    private static final String TOKEN = "sidecar-token-for-tests";
    private static final String OPENAI_KEY = "sk-openai-from-the-control-plane-env";
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Database db;
    private static KeyRepository keys;
    private static PolicyPublisher publisher;
    private static ControlStreamService service;
    private static ExecutorService executor;
    private static Server server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        db = TestPostgres.newDatabase();
        DeploymentRepository deployments = new DeploymentRepository(db.dataSource());
        List<ModelDeployment> config = List.of(
                new ModelDeployment("fast-cheap-chat", "openai", "gpt-4o-mini", "http://127.0.0.1:9/v1",
                        CredentialRef.parse("os.environ/OPENAI_API_KEY"), Map.of("rpm", "60")),
                new ModelDeployment("fast-cheap-chat", "mock", "demo", "", CredentialRef.NONE,
                        Map.of("mock_response", "hello")),
                new ModelDeployment("claude", "anthropic", "claude-sonnet-4", "",
                        CredentialRef.parse("os.environ/ANTHROPIC_API_KEY"), Map.of()));
        // As Main does it: the vault holds each deployment's reference; only OPENAI_API_KEY is set.
        CredentialVault vault = new CredentialVault(Map.of("OPENAI_API_KEY", OPENAI_KEY));
        List<String> ids = deployments.replaceConfigDeployments(config);
        for (int i = 0; i < ids.size(); i++) {
            vault.put(ids.get(i), config.get(i).credential());
        }
        keys = new KeyRepository(db.dataSource());
        publisher = new PolicyPublisher(db.dataSource(), new PolicyCompiler(deployments, keys,
                new dev.tollgate.controlplane.teams.TeamRepository(db.dataSource()),
                new dev.tollgate.controlplane.users.UserRepository(db.dataSource()), vault,
                dev.tollgate.controlplane.policy.PriceMap.bundled()));
        // No limits anywhere in these tests: the ledger is never asked for a lease.
        var leases = new dev.tollgate.controlplane.budget.LeaseLedger(db.dataSource(),
                (kind, id) -> Optional.empty(), (kind, id, window) -> 0L, java.time.Clock.systemUTC());
        service = new ControlStreamService(publisher, new UsageRepository(db.dataSource()), leases,
                new dev.tollgate.controlplane.sidecars.SidecarAuthenticator(Optional.of(TOKEN), List.of(),
                        new dev.tollgate.controlplane.sidecars.SidecarTokenRepository(db.dataSource())));
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .executor(executor)
                .addService(service)
                .build()
                .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void freshPolicy() throws SQLException {
        TestPostgres.truncate(db.dataSource(), "virtual_keys", "usage_records");
        publisher.publish();
    }

    // --- hello and the first snapshot ----------------------------------------------------------

    @Test
    void helloIsAnsweredWithTheCurrentSnapshot() throws Exception {
        try (FakeSidecar sidecar = FakeSidecar.connect("sidecar-a", TOKEN)) {
            PolicySnapshot snapshot = sidecar.nextSnapshot();

            assertEquals(publisher.current().getVersion(), snapshot.getVersion());
            assertEquals(List.of("claude", "fast-cheap-chat"),
                    snapshot.getAliasesList().stream().map(Alias::getName).toList());
            List<Deployment> chat = alias(snapshot, "fast-cheap-chat").getDeploymentsList();
            assertEquals(2, chat.size());
            assertAll(
                    () -> assertEquals("fast-cheap-chat#0", chat.get(0).getId()),
                    () -> assertEquals("openai", chat.get(0).getProvider()),
                    () -> assertEquals("gpt-4o-mini", chat.get(0).getModel()),
                    () -> assertEquals("http://127.0.0.1:9/v1", chat.get(0).getApiBase()),
                    () -> assertEquals(OPENAI_KEY, chat.get(0).getApiKey(), "resolved from the vault's environment"),
                    () -> assertEquals("60", chat.get(0).getParamsOrThrow("rpm")),
                    // Prices from the bundled model price map are pushed with the deployment.
                    () -> assertEquals("0.00000015", chat.get(0).getParamsOrThrow("input_cost_per_token")),
                    () -> assertTrue(chat.get(0).getParamsOrThrow("tollgate_price_source").startsWith("price_map:")),
                    () -> assertEquals("fast-cheap-chat#1", chat.get(1).getId()),
                    () -> assertEquals("mock", chat.get(1).getProvider()),
                    () -> assertEquals("", chat.get(1).getApiKey(), "no api_key configured, none sent"),
                    () -> assertEquals(Map.of("mock_response", "hello", "tollgate_price_source", "none"),
                            chat.get(1).getParamsMap()));
        }
    }

    @Test
    void missingEnvironmentVariableIsSentAsCredentialErrorWithoutApiKey() throws Exception {
        try (FakeSidecar sidecar = FakeSidecar.connect("sidecar-a", TOKEN)) {
            Deployment claude = alias(sidecar.nextSnapshot(), "claude").getDeployments(0);

            assertEquals("", claude.getApiKey());
            String error = claude.getParamsOrThrow(PolicyCompiler.CREDENTIAL_ERROR_PARAM);
            assertTrue(error.contains("ANTHROPIC_API_KEY") && error.contains("not set"), error);
            assertFalse(claude.getParamsMap().values().stream().anyMatch(v -> v.contains("sk-")),
                    "no credential among the params");
        }
    }

    @Test
    void wrongOrMissingSidecarTokenIsUnauthenticated() throws Exception {
        for (String token : List.of("wrong-token", "")) {
            try (FakeSidecar sidecar = FakeSidecar.connect("intruder", token)) {
                Status status = sidecar.awaitEnd();

                assertEquals(Status.Code.UNAUTHENTICATED, status.getCode(), status.toString());
                assertTrue(status.getDescription().contains("sidecar token"), status.getDescription());
                assertNull(sidecar.received.peek(), "nothing, above all no credential, before the refusal");
            }
        }
        assertTrue(service.connected().stream().noneMatch(i -> i.name().equals("intruder")));
    }

    @Test
    void usageBeforeHelloIsFailedPreconditionAndNotStored() throws Exception {
        try (FakeSidecar sidecar = new FakeSidecar()) {
            sidecar.send(usage(record("early-1", "")));
            Status status = sidecar.awaitEnd();

            assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode(), status.toString());
            assertTrue(status.getDescription().contains("must be a hello"), status.getDescription());
            assertNull(sidecar.received.peek());
        }
        assertEquals(0, countUsage("early-1"));
    }

    @Test
    void ackBeforeHelloIsFailedPrecondition() throws Exception {
        try (FakeSidecar sidecar = new FakeSidecar()) {
            sidecar.send(SidecarMessage.newBuilder().setAck(SnapshotAck.newBuilder().setVersion(1)).build());

            assertEquals(Status.Code.FAILED_PRECONDITION, sidecar.awaitEnd().getCode());
        }
    }

    @Test
    void secondHelloIsFailedPrecondition() throws Exception {
        try (FakeSidecar sidecar = FakeSidecar.connect("twice", TOKEN)) {
            sidecar.nextSnapshot();
            sidecar.send(hello("twice", TOKEN));
            Status status = sidecar.awaitEnd();

            assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode(), status.toString());
            assertTrue(status.getDescription().contains("second hello"), status.getDescription());
        }
    }

    @Test
    void emptyMessageIsInvalidArgument() throws Exception {
        try (FakeSidecar sidecar = FakeSidecar.connect("empty", TOKEN)) {
            sidecar.nextSnapshot();
            sidecar.send(SidecarMessage.getDefaultInstance());

            assertEquals(Status.Code.INVALID_ARGUMENT, sidecar.awaitEnd().getCode());
        }
    }

    // --- policy pushes -------------------------------------------------------------------------

    @Test
    void newKeyIsPushedToEveryConnectedSidecar() throws Exception {
        try (FakeSidecar a = FakeSidecar.connect("sidecar-a", TOKEN);
             FakeSidecar b = FakeSidecar.connect("sidecar-b", TOKEN)) {
            long first = a.nextSnapshot().getVersion();
            assertEquals(first, b.nextSnapshot().getVersion());

            String hash = KeyHashing.sha256Hex("sk-pushed-key");
            UUID id = UUID.fromString("00000000-0000-0000-0000-00000000000a");
            Instant expires = Instant.parse("2031-02-03T04:05:06Z");
            Instant created = Instant.parse("2030-01-01T00:00:00Z");
            try (java.sql.Connection c = db.dataSource().getConnection()) {
                keys.insert(c, new KeyRecord(id, hash, "sk-...pkey", Optional.of("pushed"), List.of("claude"), "{}", false,
                    Optional.of(expires), created, Optional.empty(), Optional.empty(),
                        dev.tollgate.controlplane.budget.Limits.none(created), Map.of(), Map.of()));
            }
            long published = publisher.publish().getVersion();

            for (FakeSidecar sidecar : List.of(a, b)) {
                PolicySnapshot next = sidecar.nextSnapshot();
                assertTrue(next.getVersion() > first, next.getVersion() + " after " + first);
                assertEquals(published, next.getVersion());
                VirtualKey key = next.getKeysList().stream()
                        .filter(k -> k.getKeyHash().equals(hash)).findFirst().orElseThrow();
                assertAll(
                        () -> assertEquals(id.toString(), key.getKeyId()),
                        () -> assertEquals("pushed", key.getKeyAlias()),
                        () -> assertEquals(List.of("claude"), key.getModelsList()),
                        () -> assertEquals(expires.toEpochMilli(), key.getExpiresAtMs()));
            }
        }
    }

    @Test
    void snapshotAckIsRecordedAsTheSidecarsVersion() throws Exception {
        try (FakeSidecar sidecar = FakeSidecar.connect("acking", TOKEN)) {
            long version = sidecar.nextSnapshot().getVersion();
            sidecar.send(SidecarMessage.newBuilder().setAck(SnapshotAck.newBuilder().setVersion(version)).build());
            // Inbound messages are handled in order: once this batch is acked, so is the snapshot ack.
            sidecar.send(usage());
            sidecar.nextUsageAck();

            assertTrue(service.connected().contains(new SidecarSession.Info("acking", version)),
                    service.connected().toString());
        }
    }

    @Test
    void closedStreamLeavesTheConnectedList() throws Exception {
        FakeSidecar sidecar = FakeSidecar.connect("leaving", TOKEN);
        sidecar.nextSnapshot();
        assertTrue(service.connected().stream().anyMatch(i -> i.name().equals("leaving")));

        sidecar.close();

        assertEquals(Status.Code.OK, sidecar.awaitEnd().getCode());
        awaitTrue(() -> service.connected().stream().noneMatch(i -> i.name().equals("leaving")),
                "the closed session is still listed as connected");
    }

    // --- usage ---------------------------------------------------------------------------------

    @Test
    void usageBatchIsStoredOnceAndAckedEveryTime() throws Exception {
        String keyId = "00000000-0000-0000-0000-0000000000b1";
        UsageRecord u1 = record("u-1", keyId);
        UsageRecord u2 = record("u-2", keyId);
        try (FakeSidecar sidecar = FakeSidecar.connect("usage", TOKEN)) {
            sidecar.nextSnapshot();

            sidecar.send(usage(u1, u2));
            assertEquals(List.of("u-1", "u-2"), sidecar.nextUsageAck().getIdsList());
            assertEquals(2, countUsage("u-1", "u-2"));

            sidecar.send(usage(u1, u2));
            assertEquals(List.of("u-1", "u-2"), sidecar.nextUsageAck().getIdsList(),
                    "a replayed batch is acked again, so the sidecar can drop it from its spool");
            assertEquals(2, countUsage("u-1", "u-2", "u-3"), "and stored no second time");

            sidecar.send(usage(u2, record("u-3", "not-a-uuid")));
            assertEquals(List.of("u-2", "u-3"), sidecar.nextUsageAck().getIdsList());
            assertEquals(3, countUsage("u-1", "u-2", "u-3"));
        }

        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select key_id, alias, prompt_tokens, completion_tokens,"
                     + " cost_micros, http_status, sidecar_name, started_at from usage_records where id = ?")) {
            ps.setString(1, "u-1");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(UUID.fromString(keyId), rs.getObject(1, UUID.class));
                assertEquals("fast-cheap-chat", rs.getString(2));
                assertEquals(11, rs.getLong(3));
                assertEquals(7, rs.getLong(4));
                assertEquals(2_500, rs.getLong(5));
                assertEquals(200, rs.getInt(6));
                assertEquals("usage", rs.getString(7));
                assertEquals(Instant.parse("2030-01-01T00:00:00Z"), rs.getTimestamp(8).toInstant());
            }
            ps.setString(1, "u-3");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertNull(rs.getObject(1), "a key id that is not a UUID is stored as none");
            }
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    /** The client end of one control stream, recording what the control plane sends. */
    private static final class FakeSidecar implements StreamObserver<ControlMessage>, AutoCloseable {

        final BlockingQueue<ControlMessage> received = new LinkedBlockingQueue<>();
        private final CompletableFuture<Status> ended = new CompletableFuture<>();
        private final StreamObserver<SidecarMessage> requests;

        FakeSidecar() {
            requests = ControlPlaneGrpc.newStub(channel).stream(this);
        }

        static FakeSidecar connect(String name, String token) {
            FakeSidecar sidecar = new FakeSidecar();
            sidecar.send(hello(name, token));
            return sidecar;
        }

        void send(SidecarMessage message) {
            requests.onNext(message);
        }

        ControlMessage next() throws InterruptedException {
            ControlMessage message = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(message, "no message from the control plane within " + WAIT
                    + (ended.isDone() ? "; the stream ended with " + ended.getNow(null) : ""));
            return message;
        }

        PolicySnapshot nextSnapshot() throws InterruptedException {
            ControlMessage message = next();
            assertEquals(ControlMessage.KindCase.SNAPSHOT, message.getKindCase(), message.toString());
            return message.getSnapshot();
        }

        UsageAck nextUsageAck() throws InterruptedException {
            ControlMessage message = next();
            assertEquals(ControlMessage.KindCase.USAGE_ACK, message.getKindCase(), message.toString());
            return message.getUsageAck();
        }

        Status awaitEnd() throws Exception {
            return ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onNext(ControlMessage message) {
            received.add(message);
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            ended.complete(Status.OK);
        }

        /** Half-closes a stream the control plane has not ended, and waits until it has. */
        @Override
        public void close() {
            if (!ended.isDone()) {
                requests.onCompleted();
                try {
                    awaitEnd();
                } catch (Exception e) {
                    throw new AssertionError("the control plane did not end the half-closed stream", e);
                }
            }
        }
    }

    private static SidecarMessage hello(String name, String token) {
        return SidecarMessage.newBuilder().setHello(Hello.newBuilder()
                .setSidecarName(name).setSidecarToken(token).setBuild("test")).build();
    }

    private static SidecarMessage usage(UsageRecord... records) {
        return SidecarMessage.newBuilder().setUsage(UsageBatch.newBuilder().addAllRecords(List.of(records))).build();
    }

    private static UsageRecord record(String id, String keyId) {
        return UsageRecord.newBuilder().setId(id).setKeyId(keyId).setAlias("fast-cheap-chat")
                .setDeploymentId("fast-cheap-chat#1").setProvider("mock").setModel("demo")
                .setPromptTokens(11).setCompletionTokens(7).setCostMicros(2_500).setHttpStatus(200)
                .setAttempts(1).setSidecarName("usage")
                .setStartedAtMs(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli()).build();
    }

    private static Alias alias(PolicySnapshot snapshot, String name) {
        return snapshot.getAliasesList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no alias " + name + " in " + snapshot));
    }

    private static long countUsage(String... ids) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) from usage_records where id = any (?)")) {
            ps.setArray(1, c.createArrayOf("text", ids));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Polls a condition that no message signals, until a deadline. */
    private static void awaitTrue(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure + " after " + WAIT);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
