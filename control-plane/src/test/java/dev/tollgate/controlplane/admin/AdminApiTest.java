package dev.tollgate.controlplane.admin;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.policy.CredentialVault;
import dev.tollgate.controlplane.policy.DeploymentRepository;
import dev.tollgate.controlplane.policy.PolicyCompiler;
import dev.tollgate.controlplane.policy.PolicyPublisher;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.store.TestPostgres;
import dev.tollgate.controlplane.usage.UsageRepository;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.proto.control.v1.VirtualKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin HTTP API on a real socket, against a real PostgreSQL. */
class AdminApiTest {

    private static final String MASTER_KEY = "sk-master-for-tests";
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicBoolean READY = new AtomicBoolean(true);

    private static Database db;
    private static KeyRepository keys;
    private static UsageRepository usage;
    private static PolicyPublisher publisher;
    private static AdminServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        db = TestPostgres.newDatabase();
        keys = new KeyRepository(db.dataSource());
        usage = new UsageRepository(db.dataSource());
        var ds = db.dataSource();
        var teams = new dev.tollgate.controlplane.teams.TeamRepository(ds);
        var users = new dev.tollgate.controlplane.users.UserRepository(ds);
        publisher = new PolicyPublisher(ds, new PolicyCompiler(new DeploymentRepository(ds), keys, teams, users,
                new CredentialVault(Map.of()), dev.tollgate.controlplane.policy.PriceMap.bundled()));
        publisher.publish();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        var spend = new dev.tollgate.controlplane.usage.SpendQueries(ds);
        var audit = new dev.tollgate.controlplane.audit.AuditLog(clock);
        var changes = new Changes(ds, audit, publisher);
        KeyRoutes keyRoutes = new KeyRoutes(keys, teams, users, spend, changes, clock);
        server = new AdminServer("127.0.0.1", 0, KeyHashing.sha256Hex(MASTER_KEY), new AdminServer.Routes(keyRoutes,
                new TeamRoutes(teams, keys, spend, changes, keyRoutes, clock),
                new UserRoutes(users, keys, spend, changes, keyRoutes, clock),
                new SpendRoutes(spend, keys), new AuditRoutes(audit, ds)), READY::get).start();
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void emptyTables() {
        TestPostgres.truncate(db.dataSource(), "virtual_keys", "usage_records");
        READY.set(true);
    }

    // --- /key/generate -------------------------------------------------------------------------

    @Test
    void generateReturnsTheKeyOnceWithAliasModelsAndMetadata() throws Exception {
        Response r = post("/key/generate", """
                {"key_alias": "ci-bot", "models": ["fast-cheap-chat", "claude"], "metadata": {"team": "search", "n": 3}}
                """);

        assertEquals(200, r.status(), r.text());
        String key = r.json().path("key").asText();
        assertAll(
                () -> assertTrue(key.startsWith("sk-") && key.length() == 35, key),
                () -> assertEquals(KeyHashing.sha256Hex(key), r.json().path("token").asText()),
                () -> assertEquals("sk-..." + key.substring(31), r.json().path("key_name").asText()),
                () -> assertEquals("ci-bot", r.json().path("key_alias").asText()),
                () -> assertEquals(List.of("fast-cheap-chat", "claude"), texts(r.json().path("models"))),
                () -> assertEquals(JSON.readTree("{\"team\":\"search\",\"n\":3}"), r.json().path("metadata")),
                () -> assertFalse(r.json().path("blocked").asBoolean(true)),
                () -> assertTrue(r.json().path("expires").isNull(), "no duration, no expiry"),
                () -> assertEquals(NOW.toString(), r.json().path("created_at").asText()));
    }

    @Test
    void generateWithoutBodyMakesAKeyForEveryModel() throws Exception {
        Response r = post("/key/generate", "");

        assertEquals(200, r.status(), r.text());
        assertEquals(List.of(), texts(r.json().path("models")));
        assertTrue(r.json().path("key_alias").isNull());
        assertEquals(JSON.createObjectNode(), r.json().path("metadata"));
    }

    @Test
    void everyKeyChangeIsPublishedBeforeTheCallReturns() throws Exception {
        long before = publisher.current().getVersion();
        String key = generate("{\"key_alias\": \"pushed\", \"models\": [\"chat\"]}");
        String hash = KeyHashing.sha256Hex(key);

        PolicySnapshot afterGenerate = publisher.current();
        assertTrue(afterGenerate.getVersion() > before);
        VirtualKey pushed = afterGenerate.getKeysList().stream()
                .filter(k -> k.getKeyHash().equals(hash)).findFirst().orElseThrow();
        assertEquals("pushed", pushed.getKeyAlias());
        assertEquals(List.of("chat"), pushed.getModelsList());
        assertFalse(afterGenerate.toString().contains(key), "the snapshot carries the hash, never the key");

        assertEquals(200, post("/key/delete", "{\"keys\": [\"" + key + "\"]}").status());
        PolicySnapshot afterDelete = publisher.current();
        assertTrue(afterDelete.getVersion() > afterGenerate.getVersion());
        assertTrue(afterDelete.getKeysList().stream().noneMatch(k -> k.getKeyHash().equals(hash)));
    }

    @Test
    void durationSetsTheExpiryFromTheClock() throws Exception {
        Response r = post("/key/generate", "{\"duration\": \"1h\"}");

        assertEquals(200, r.status(), r.text());
        Instant expected = NOW.plus(Duration.ofHours(1));
        assertEquals(expected.toString(), r.json().path("expires").asText());
        String key = r.json().path("key").asText();
        assertEquals(expected.toString(), get("/key/info?key=" + key).json().path("info").path("expires").asText(),
                "the stored expiry is the one answered");
        assertEquals(expected.toEpochMilli(), publisher.current().getKeys(0).getExpiresAtMs());
    }

    @Test
    void everyDurationUnitIsUnderstood() {
        assertAll(
                () -> assertEquals(Duration.ofSeconds(30), KeyRoutes.parseDuration("30s")),
                () -> assertEquals(Duration.ofMinutes(15), KeyRoutes.parseDuration("15m")),
                () -> assertEquals(Duration.ofHours(1), KeyRoutes.parseDuration("1h")),
                () -> assertEquals(Duration.ofDays(30), KeyRoutes.parseDuration("30d")));
    }

    @Test
    void badDurationIsRefusedNamingDurationAndCreatesNoKey() throws Exception {
        // The last three once overflowed a long, PostgreSQL's timestamp range, or the cap: a 500, not a 400.
        for (String duration : List.of("1 week", "10y", "h", "", "-1d", "1.5h",
                "99999999999999999999d", "200000000d", "36500001d")) {
            Response r = post("/key/generate", "{\"duration\": \"" + duration + "\"}");
            assertError(r, 400, "invalid_request_error", "invalid_request", "duration");
            assertTrue(r.error().path("message").asText().startsWith("duration: \"" + duration + "\""),
                    r.error().path("message").asText());
        }
        assertError(post("/key/generate", "{\"duration\": 30}"), 400, "invalid_request_error", "invalid_request",
                "duration");
        assertEquals(0, keys.all().size());
    }

    @Test
    void badFieldsAreRefusedNamingTheField() throws Exception {
        assertError(post("/key/generate", "{\"models\": \"chat\"}"), 400, "invalid_request_error", "invalid_request",
                "models");
        assertError(post("/key/generate", "{\"models\": [\"\"]}"), 400, "invalid_request_error", "invalid_request",
                "models");
        assertError(post("/key/generate", "{\"metadata\": [1]}"), 400, "invalid_request_error", "invalid_request",
                "metadata");
        assertError(post("/key/generate", "{\"key_alias\": {}}"), 400, "invalid_request_error", "invalid_request",
                "key_alias");
        assertEquals(0, keys.all().size());
    }

    @Test
    void databaseHoldsOnlyTheHashOfTheKey() throws Exception {
        String key = generate("""
                {"key_alias": "stored", "models": ["chat"], "metadata": {"owner": "ops"}}
                """);
        String secretPart = key.substring("sk-".length());

        List<String> cells = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select * from virtual_keys")) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= columns; i++) {
                    String cell = rs.getString(i);
                    cells.add(rs.getMetaData().getColumnName(i) + "=" + cell);
                    if (cell != null) {
                        assertFalse(cell.contains(key) || cell.contains(secretPart),
                                "column " + rs.getMetaData().getColumnName(i) + " holds the key");
                    }
                }
            }
        }
        assertTrue(cells.contains("key_hash=" + KeyHashing.sha256Hex(key)), cells.toString());
        assertTrue(cells.contains("key_hint=sk-..." + key.substring(key.length() - 4)), cells.toString());
    }

    // --- /key/info, /key/list ------------------------------------------------------------------

    @Test
    void infoAnswersTheHashAsKeyAndTheKeysDetails() throws Exception {
        String key = generate("{\"key_alias\": \"looked-up\", \"models\": [\"chat\"]}");
        String hash = KeyHashing.sha256Hex(key);

        for (String asked : List.of(key, hash)) {
            Response r = get("/key/info?key=" + asked);
            assertEquals(200, r.status(), r.text());
            assertEquals(hash, r.json().path("key").asText());
            JsonNode info = r.json().path("info");
            assertEquals(hash, info.path("token").asText());
            assertEquals("looked-up", info.path("key_alias").asText());
            assertEquals(List.of("chat"), texts(info.path("models")));
            assertEquals(NOW.toString(), info.path("created_at").asText());
            assertFalse(r.text().contains(key), "the key is shown only at creation");
        }
    }

    @Test
    void infoWithoutKeyIsRefusedNamingKey() throws Exception {
        assertError(get("/key/info"), 400, "invalid_request_error", "invalid_request", "key");
    }

    @Test
    void infoOfUnknownKeyIs404() throws Exception {
        assertError(get("/key/info?key=sk-never-issued"), 404, "invalid_request_error", "not_found", "key");
    }

    @Test
    void listShowsEveryKeyByHashOnly() throws Exception {
        String first = generate("{\"key_alias\": \"one\"}");
        String second = generate("{\"key_alias\": \"two\"}");

        Response r = get("/key/list");

        assertEquals(200, r.status(), r.text());
        Set<String> tokens = Set.copyOf(StreamSupport.stream(r.json().path("keys").spliterator(), false)
                .map(k -> k.path("token").asText()).toList());
        assertEquals(Set.of(KeyHashing.sha256Hex(first), KeyHashing.sha256Hex(second)), tokens);
        assertFalse(r.text().contains(first) || r.text().contains(second));
    }

    // --- /key/delete ---------------------------------------------------------------------------

    @Test
    void deletedKeyIsGoneFromInfo() throws Exception {
        String key = generate("{}");
        String kept = generate("{}");

        Response r = post("/key/delete", "{\"keys\": [\"" + key + "\"]}");

        assertEquals(200, r.status(), r.text());
        assertEquals(List.of(KeyHashing.sha256Hex(key)), texts(r.json().path("deleted_keys")));
        assertError(get("/key/info?key=" + key), 404, "invalid_request_error", "not_found", "key");
        assertEquals(200, get("/key/info?key=" + kept).status(), "only the named key is deleted");
    }

    @Test
    void deleteByHashWorksToo() throws Exception {
        String hash = KeyHashing.sha256Hex(generate("{}"));

        Response r = post("/key/delete", "{\"keys\": [\"" + hash + "\"]}");

        assertEquals(200, r.status(), r.text());
        assertEquals(List.of(hash), texts(r.json().path("deleted_keys")));
        assertTrue(keys.findByHash(hash).isEmpty());
    }

    @Test
    void deleteOfUnknownKeyIs404() throws Exception {
        assertError(post("/key/delete", "{\"keys\": [\"sk-never-issued\"]}"), 404, "invalid_request_error",
                "not_found", "keys");
    }

    @Test
    void deleteWithoutKeysIsRefusedNamingKeys() throws Exception {
        assertError(post("/key/delete", "{}"), 400, "invalid_request_error", "invalid_request", "keys");
        assertError(post("/key/delete", "{\"keys\": []}"), 400, "invalid_request_error", "invalid_request", "keys");
    }

    // --- authentication and request errors -----------------------------------------------------

    @Test
    void missingMasterKeyIs401Envelope() throws Exception {
        Response r = send(HttpRequest.newBuilder(uri("/key/generate")).POST(HttpRequest.BodyPublishers.ofString("{}")));

        assertError(r, 401, "authentication_error", "invalid_master_key", null);
        assertTrue(r.error().path("message").asText().startsWith("missing master key"), r.text());
        assertEquals(0, keys.all().size());
    }

    @Test
    void wrongMasterKeyIs401Envelope() throws Exception {
        for (String authorization : List.of("Bearer sk-wrong", "Bearer " + MASTER_KEY + "x", "Basic " + MASTER_KEY)) {
            Response r = send(HttpRequest.newBuilder(uri("/key/list")).header("Authorization", authorization).GET());
            assertError(r, 401, "authentication_error", "invalid_master_key", null);
            assertTrue(r.error().path("message").asText().startsWith("invalid master key"), r.text());
            assertFalse(r.text().contains(MASTER_KEY), "the answer never echoes a key");
        }
    }

    @Test
    void malformedJsonIs400Envelope() throws Exception {
        Response r = post("/key/generate", "{\"key_alias\": ");

        assertError(r, 400, "invalid_request_error", "invalid_request", null);
        assertEquals("request body is not valid JSON", r.error().path("message").asText());
        assertError(post("/key/generate", "[1, 2]"), 400, "invalid_request_error", "invalid_request", null);
        assertEquals(0, keys.all().size());
    }

    @Test
    void unknownRouteIs404Envelope() throws Exception {
        Response r = get("/key/nope");

        assertError(r, 404, "invalid_request_error", "unknown_route", null);
        assertEquals("no admin route GET /key/nope", r.error().path("message").asText());
    }

    @Test
    void healthRoutesNeedNoMasterKey() throws Exception {
        Response live = send(HttpRequest.newBuilder(uri("/health/liveliness")).GET());
        assertEquals(200, live.status());
        assertEquals("I'm alive!", live.json().asText());

        Response ready = send(HttpRequest.newBuilder(uri("/health/readiness")).GET());
        assertEquals(200, ready.status());
        assertEquals("healthy", ready.json().path("status").asText());
    }

    @Test
    void readinessFollowsTheReadySignal() throws Exception {
        READY.set(false);

        Response r = send(HttpRequest.newBuilder(uri("/health/readiness")).GET());

        assertEquals(503, r.status());
        assertEquals("unhealthy", r.json().path("status").asText());
        assertEquals("starting", r.json().path("reason").asText());
    }

    // --- /spend/logs ---------------------------------------------------------------------------

    @Test
    void spendLogsFilterByKeyAndShowCostInDollars() throws Exception {
        String key = generate("{}");
        String other = generate("{}");
        String keyId = keys.findByHash(KeyHashing.sha256Hex(key)).orElseThrow().id().toString();
        String otherId = keys.findByHash(KeyHashing.sha256Hex(other)).orElseThrow().id().toString();
        usage.store(List.of(
                usageRecord("req-1", keyId, 1_234, NOW.toEpochMilli()),
                usageRecord("req-2", otherId, 5, NOW.toEpochMilli() + 1)));

        Response r = get("/spend/logs?api_key=" + key);

        assertEquals(200, r.status(), r.text());
        assertEquals(1, r.json().size(), r.text());
        JsonNode row = r.json().get(0);
        assertAll(
                () -> assertEquals("req-1", row.path("request_id").asText()),
                () -> assertEquals(keyId, row.path("key_id").asText()),
                () -> assertEquals("chat", row.path("model_group").asText()),
                () -> assertEquals("0.001234", row.path("spend").decimalValue().toPlainString()),
                () -> assertEquals(30, row.path("total_tokens").asLong()),
                () -> assertEquals(NOW.toString(), row.path("startTime").asText()));

        Response all = get("/spend/logs");
        assertEquals(List.of("req-2", "req-1"), StreamSupport.stream(all.json().spliterator(), false)
                .map(n -> n.path("request_id").asText()).toList(), "newest first");
        assertError(get("/spend/logs?api_key=sk-never-issued"), 404, "invalid_request_error", "not_found", "api_key");
        assertError(get("/spend/logs?limit=0"), 400, "invalid_request_error", "invalid_request", "limit");
    }

    // --- helpers -------------------------------------------------------------------------------

    private record Response(int status, String text, JsonNode json) {
        JsonNode error() {
            return json.path("error");
        }
    }

    private static UsageRecord usageRecord(String id, String keyId, long costMicros, long startedAtMs) {
        return UsageRecord.newBuilder().setId(id).setKeyId(keyId).setAlias("chat").setDeploymentId("chat#0")
                .setProvider("mock").setModel("demo").setPromptTokens(10).setCompletionTokens(20)
                .setCostMicros(costMicros).setHttpStatus(200).setStartedAtMs(startedAtMs).build();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static Response get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + MASTER_KEY).GET());
    }

    private static Response post(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + MASTER_KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), JSON.readTree(response.body()));
    }

    /** Creates a key and returns its text. */
    private static String generate(String body) throws IOException, InterruptedException {
        Response r = post("/key/generate", body);
        assertEquals(200, r.status(), r.text());
        return r.json().path("key").asText();
    }

    /** The OpenAI error envelope, with exactly its four fields. */
    private static void assertError(Response r, int status, String type, String code, String param) {
        assertEquals(status, r.status(), r.text());
        assertEquals(Set.of("error"), fieldNames(r.json()), r.text());
        JsonNode error = r.error();
        assertEquals(Set.of("message", "type", "param", "code"), fieldNames(error), r.text());
        assertEquals(type, error.path("type").asText(), r.text());
        assertEquals(code, error.path("code").asText(), r.text());
        if (param == null) {
            assertTrue(error.path("param").isNull(), r.text());
        } else {
            assertEquals(param, error.path("param").asText(), r.text());
        }
        assertNotEquals("", error.path("message").asText(), r.text());
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
