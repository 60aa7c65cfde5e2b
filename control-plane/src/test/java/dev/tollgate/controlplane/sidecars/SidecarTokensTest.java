package dev.tollgate.controlplane.sidecars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.ControlPlane;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.config.RoutingSettings;
import dev.tollgate.controlplane.config.ServerSettings;
import dev.tollgate.controlplane.config.SidecarEntry;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.testing.AdminClient;
import dev.tollgate.controlplane.testing.TestDatabase;
import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.ControlMessage;
import dev.tollgate.proto.control.v1.ControlPlaneGrpc;
import dev.tollgate.proto.control.v1.Hello;
import dev.tollgate.proto.control.v1.LeaseGrant;
import dev.tollgate.proto.control.v1.LeaseKind;
import dev.tollgate.proto.control.v1.LeaseRequest;
import dev.tollgate.proto.control.v1.LeaseSubject;
import dev.tollgate.proto.control.v1.UsageBatch;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.Principal;
import dev.tollgate.proto.control.v1.SidecarMessage;
import dev.tollgate.proto.control.v1.VirtualKey;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Per-sidecar tokens through a real control plane (admin API, control stream, PostgreSQL): a
 * token is bound to its sidecar name, a team-scoped token receives only its teams' keys, aliases
 * and credentials, and deleting a token closes the stream within a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SidecarTokensTest {

    private static final String MASTER_KEY = "sk-master-tokens-test";
    private static final String SHARED_TOKEN = "shared-sidecar-token-for-tests";
    private static final String CONFIG_TOKEN = "config-sidecar-token-for-tests";
    private static final String KEY_A = "sk-provider-a-CANARY-1111";
    private static final String KEY_B = "sk-provider-b-CANARY-2222";
    private static final Duration WAIT = Duration.ofSeconds(5);

    private Database db;
    private ControlPlane plane;
    private AdminClient admin;
    private ManagedChannel channel;
    private String keyHashA;
    private String keyHashB;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.fresh();
        List<ModelDeployment> deployments = List.of(
                new ModelDeployment("chat-a", "openai", "gpt-a", "http://127.0.0.1:9/v1",
                        CredentialRef.parse("os.environ/KEY_A"), Map.of()),
                new ModelDeployment("chat-b", "openai", "gpt-b", "http://127.0.0.1:9/v1",
                        CredentialRef.parse("os.environ/KEY_B"), Map.of()),
                new ModelDeployment("chat-shared", "mock", "shared", "", CredentialRef.NONE, Map.of()));
        GatewayConfig config = new GatewayConfig(deployments, new CredentialRef.Literal(MASTER_KEY), CredentialRef.NONE,
                List.of(), ServerSettings.NONE, RoutingSettings.NONE, List.of(),
                List.of(new SidecarEntry("from-config", CredentialRef.parse("os.environ/CONFIG_SIDECAR_TOKEN"),
                        List.of("team-b"))));
        plane = ControlPlane.start(new ControlPlane.Settings(config, MASTER_KEY, Optional.of(SHARED_TOKEN), "127.0.0.1",
                0, "127.0.0.1", 0, Map.of("KEY_A", KEY_A, "KEY_B", KEY_B, "CONFIG_SIDECAR_TOKEN", CONFIG_TOKEN)),
                db.dataSource(), Clock.systemUTC());
        admin = new AdminClient(plane.adminPort(), MASTER_KEY);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", plane.grpcPort()).usePlaintext().build();
        admin.post("/team/new", "{\"team_id\":\"team-a\",\"models\":[\"chat-a\",\"chat-shared\"]}").ok();
        admin.post("/team/new", "{\"team_id\":\"team-b\",\"models\":[\"chat-b\"]}").ok();
        admin.post("/user/new", "{\"user_id\":\"ann\"}").ok();
        admin.post("/user/new", "{\"user_id\":\"bob\"}").ok();
        keyHashA = KeyHashing.sha256Hex(admin.post("/key/generate",
                "{\"team_id\":\"team-a\",\"user_id\":\"ann\"}").ok().path("key").asText());
        keyHashB = KeyHashing.sha256Hex(admin.post("/key/generate",
                "{\"team_id\":\"team-b\",\"user_id\":\"bob\"}").ok().path("key").asText());
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (plane != null) {
            plane.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private JsonNode newToken(String name, String... teams) throws Exception {
        String list = String.join(",", java.util.Arrays.stream(teams).map(t -> "\"" + t + "\"").toList());
        return admin.post("/sidecar/token/new", "{\"sidecar_name\":\"" + name + "\",\"team_ids\":[" + list + "]}").ok();
    }

    private static List<String> aliases(PolicySnapshot s) {
        return s.getAliasesList().stream().map(Alias::getName).sorted().toList();
    }

    private static List<String> keyHashes(PolicySnapshot s) {
        return s.getKeysList().stream().map(VirtualKey::getKeyHash).sorted().toList();
    }

    private static List<String> principals(PolicySnapshot s) {
        return s.getPrincipalsList().stream().map(p -> p.getKind() + ":" + p.getId()).sorted().toList();
    }

    @Test
    void teamScopedTokenReceivesOnlyItsTeamsKeysAliasesAndCredentials() throws Exception {
        String token = newToken("billing-app", "team-a").path("token").asText();
        try (Stream sidecar = Stream.open(channel, "billing-app", token)) {
            PolicySnapshot s = sidecar.nextSnapshot();
            assertEquals(List.of("chat-a", "chat-shared"), aliases(s));
            assertEquals(List.of(keyHashA), keyHashes(s));
            assertEquals(List.of("team:team-a", "user:ann"), principals(s));
            String wire = s.toString();
            assertTrue(wire.contains(KEY_A), "the credential of chat-a is pushed");
            assertFalse(wire.contains(KEY_B), "team-b's credential must not reach a team-a sidecar");
            assertFalse(wire.contains(keyHashB));
        }
    }

    @Test
    void unscopedTokenReceivesEverything() throws Exception {
        String token = newToken("platform").path("token").asText();
        try (Stream sidecar = Stream.open(channel, "platform", token)) {
            PolicySnapshot s = sidecar.nextSnapshot();
            assertEquals(List.of("chat-a", "chat-b", "chat-shared"), aliases(s));
            assertTrue(keyHashes(s).containsAll(List.of(keyHashA, keyHashB)), keyHashes(s).toString());
            assertTrue(s.toString().contains(KEY_A) && s.toString().contains(KEY_B));
        }
    }

    @Test
    void tokenPresentedUnderAnotherNameIsRefusedWithPermissionDenied() throws Exception {
        String token = newToken("billing-app", "team-a").path("token").asText();
        try (Stream sidecar = Stream.open(channel, "search-app", token)) {
            Status status = sidecar.awaitEnd();
            assertEquals(Status.Code.PERMISSION_DENIED, status.getCode());
            assertTrue(status.getDescription().contains("belongs to sidecar 'billing-app'"), status.getDescription());
            assertTrue(status.getDescription().contains("--name billing-app"), status.getDescription());
        }
    }

    @Test
    void unknownTokenIsUnauthenticatedAndSharedTokenStillAdmitsAnyNameUnscoped() throws Exception {
        try (Stream wrong = Stream.open(channel, "billing-app", "tgs-not-a-token")) {
            Status status = wrong.awaitEnd();
            assertEquals(Status.Code.UNAUTHENTICATED, status.getCode());
            assertTrue(status.getDescription().contains("/sidecar/token/new"), status.getDescription());
        }
        try (Stream legacy = Stream.open(channel, "anything", SHARED_TOKEN)) {
            assertEquals(List.of("chat-a", "chat-b", "chat-shared"), aliases(legacy.nextSnapshot()));
        }
    }

    @Test
    void configuredSidecarTokenIsBoundAndScoped() throws Exception {
        try (Stream sidecar = Stream.open(channel, "from-config", CONFIG_TOKEN)) {
            PolicySnapshot s = sidecar.nextSnapshot();
            assertEquals(List.of("chat-b"), aliases(s));
            assertEquals(List.of(keyHashB), keyHashes(s));
            assertFalse(s.toString().contains(KEY_A));
        }
        try (Stream renamed = Stream.open(channel, "other-name", CONFIG_TOKEN)) {
            assertEquals(Status.Code.PERMISSION_DENIED, renamed.awaitEnd().getCode());
        }
    }

    @Test
    void deletingATokenClosesItsStreamWithinOneSecond() throws Exception {
        JsonNode created = newToken("doomed-app", "team-a");
        try (Stream sidecar = Stream.open(channel, "doomed-app", created.path("token").asText())) {
            sidecar.nextSnapshot();
            long start = System.nanoTime();
            admin.post("/sidecar/token/delete", "{\"token_ids\":[\"" + created.path("token_id").asText() + "\"]}").ok();
            Status status = sidecar.awaitEnd();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Status.Code.PERMISSION_DENIED, status.getCode());
            assertTrue(status.getDescription().contains("token was deleted"), status.getDescription());
            assertTrue(elapsedMs < 1_000, "stream closed after " + elapsedMs + " ms");
        }
        try (Stream again = Stream.open(channel, "doomed-app", created.path("token").asText())) {
            assertEquals(Status.Code.UNAUTHENTICATED, again.awaitEnd().getCode());
        }
    }

    @Test
    void tokenIsShownOnceAndStoredOnlyAsItsHash() throws Exception {
        JsonNode created = newToken("hashed-app", "team-b");
        String token = created.path("token").asText();
        assertTrue(token.startsWith("tgs-"), token);
        JsonNode listed = admin.get("/sidecar/token/list").ok();
        assertFalse(listed.toString().contains(token));
        JsonNode row = null;
        for (JsonNode t : listed) {
            if (t.path("token_id").asText().equals(created.path("token_id").asText())) {
                row = t;
            }
        }
        assertNotNull(row, listed.toString());
        assertEquals("hashed-app", row.path("sidecar_name").asText());
        assertEquals("team-b", row.path("team_ids").get(0).asText());
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select sidecar_tokens::text, token_hash from sidecar_tokens"
                     + " where sidecar_name = 'hashed-app'")) {
            assertTrue(rs.next());
            assertFalse(rs.getString(1).contains(token));
            assertEquals(KeyHashing.sha256Hex(token), rs.getString(2));
        }
        JsonNode unknownTeam = admin.post("/sidecar/token/new",
                "{\"sidecar_name\":\"x\",\"team_ids\":[\"no-such-team\"]}").body();
        assertEquals("team_ids", unknownTeam.path("error").path("param").asText(), unknownTeam.toString());
    }

    @Test
    void scopedSidecarCannotReportUsageOrLeaseBudgetOfAnotherTeam() throws Exception {
        String token = newToken("usage-app", "team-a").path("token").asText();
        try (Stream sidecar = Stream.open(channel, "usage-app", token)) {
            sidecar.nextSnapshot();
            sidecar.requests.onNext(SidecarMessage.newBuilder().setUsage(UsageBatch.newBuilder()
                    .addRecords(usage("rec-team-a", "team-a")).addRecords(usage("rec-team-b", "team-b"))).build());
            ControlMessage ack = sidecar.next();
            assertEquals(List.of("rec-team-a", "rec-team-b"), ack.getUsageAck().getIdsList().stream().sorted().toList());
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select id from usage_records where id like 'rec-team-%'")) {
                assertTrue(rs.next());
                assertEquals("rec-team-a", rs.getString(1));
                assertFalse(rs.next(), "a record of a team outside the scope was stored");
            }
            sidecar.requests.onNext(SidecarMessage.newBuilder().setLeaseRequest(LeaseRequest.newBuilder()
                    .setSubject(LeaseSubject.newBuilder().setEntityKind("team").setEntityId("team-b")
                            .setKind(LeaseKind.LEASE_KIND_BUDGET))
                    .setLeaseId("lease-1").setWant(1_000)).build());
            LeaseGrant grant = sidecar.next().getLeaseGrant();
            assertEquals("unavailable", grant.getRefusal());
            assertEquals(0, grant.getLimit());
        }
    }

    @Test
    void relayAdmitsOnlyDeploymentsInsideTheSidecarsScopeAndNamedTokens() throws Exception {
        String token = newToken("relay-app", "team-a").path("token").asText();
        var relay = dev.tollgate.proto.control.v1.ProviderRelayGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS);
        java.util.function.BiFunction<String, String, Status> call = (name, deployment) -> {
            try {
                relay.relay(dev.tollgate.proto.control.v1.RelayRequest.newBuilder().setSidecarName(name)
                        .setSidecarToken(token).setDeploymentId(deployment).setMethod("POST")
                        .setUrl("http://127.0.0.1:9/v1/chat/completions").build()).forEachRemaining(f -> { });
                return Status.OK;
            } catch (io.grpc.StatusRuntimeException e) {
                return e.getStatus();
            }
        };
        PolicySnapshot full = plane.publisher().current();
        java.util.function.Function<String, String> deploymentOf = alias -> full.getAliasesList().stream()
                .filter(a -> a.getName().equals(alias)).findFirst().orElseThrow().getDeployments(0).getId();
        Status outside = call.apply("relay-app", deploymentOf.apply("chat-b"));
        assertEquals(Status.Code.PERMISSION_DENIED, outside.getCode());
        assertTrue(outside.getDescription().contains("outside this sidecar's scope"), outside.getDescription());
        assertEquals(Status.Code.PERMISSION_DENIED, call.apply("other-name", deploymentOf.apply("chat-a")).getCode());
        // Inside the scope the admission passes; chat-a is not a strict deployment, so the relay says so.
        Status inside = call.apply("relay-app", deploymentOf.apply("chat-a"));
        assertEquals(Status.Code.FAILED_PRECONDITION, inside.getCode(), inside.toString());
    }

    private static UsageRecord usage(String id, String team) {
        return UsageRecord.newBuilder().setId(id).setKeyId("00000000-0000-0000-0000-000000000000").setTeamId(team)
                .setAlias("chat-shared").setDeploymentId("chat-shared#2").setProvider("mock").setModel("shared")
                .setHttpStatus(200).setAttempts(1).setSidecarName("usage-app")
                .setStartedAtMs(java.time.Instant.parse("2030-01-01T00:00:00Z").toEpochMilli()).build();
    }

    /** One control stream as a sidecar holds it, recording what arrives and how it ends. */
    private static final class Stream implements StreamObserver<ControlMessage>, AutoCloseable {
        private final BlockingQueue<ControlMessage> received = new LinkedBlockingQueue<>();
        private final CompletableFuture<Status> ended = new CompletableFuture<>();
        private StreamObserver<SidecarMessage> requests;

        static Stream open(ManagedChannel channel, String name, String token) {
            Stream s = new Stream();
            s.requests = ControlPlaneGrpc.newStub(channel).stream(s);
            s.requests.onNext(SidecarMessage.newBuilder().setHello(Hello.newBuilder().setSidecarName(name)
                    .setSidecarToken(token).setBuild("test")).build());
            return s;
        }

        ControlMessage next() throws InterruptedException {
            ControlMessage m = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(m, "no message within " + WAIT + (ended.isDone() ? "; ended " + ended.getNow(null) : ""));
            return m;
        }

        PolicySnapshot nextSnapshot() throws InterruptedException {
            ControlMessage m = next();
            assertEquals(ControlMessage.KindCase.SNAPSHOT, m.getKindCase(), m.toString());
            return m.getSnapshot();
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

        @Override
        public void close() throws Exception {
            if (!ended.isDone()) {
                requests.onCompleted();
                awaitEnd();
            }
        }
    }
}
