package dev.tollgate.controlplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.config.ConfigCredential;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.policy.PolicyCompiler;
import dev.tollgate.controlplane.secrets.KeyRing;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.testing.AdminClient;
import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.controlplane.testing.TestControlPlane;
import dev.tollgate.controlplane.testing.TestDatabase;
import dev.tollgate.proto.control.v1.Deployment;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /credentials} through the real admin HTTP server on real PostgreSQL: values sealed at rest,
 * shown only by their last 4 characters, pushed to sidecars in clear only inside the policy snapshot,
 * new versions on update, and a deployment that names a credential getting its values.
 */
class CredentialsApiTest {

    static final String KEK_1 = Base64.getEncoder().encodeToString(filled(7));
    static final String KEK_2 = Base64.getEncoder().encodeToString(filled(9));
    static final String SECRET_1 = "sk-proj-CANARY-credential-one-a1b2";
    static final String SECRET_2 = "sk-proj-CANARY-credential-two-c3d4";
    static final String BASE = "https://llm.internal.example/v1";

    private final TestClock clock = new TestClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final List<String> logs = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logs) {
                logs.add(record.getMessage() + " " + (record.getThrown() == null ? "" : record.getThrown()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Database db;

    static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    @BeforeEach
    void setUp() throws Exception {
        Logger.getLogger("").addHandler(capture);
        db = TestDatabase.fresh();
    }

    @AfterEach
    void tearDown() {
        Logger.getLogger("").removeHandler(capture);
        db.close();
    }

    private TestControlPlane start(List<ModelDeployment> deployments, List<ConfigCredential> credentials,
                                   Map<String, String> env) throws Exception {
        return new TestControlPlane(clock, db, TestControlPlane.Ownership.SHARES_DATABASE,
                TestControlPlane.config(deployments, credentials), env);
    }

    private static ModelDeployment usingCredential(String alias, String credential) {
        return new ModelDeployment(alias, "openai", "gpt-4o-mini", "", CredentialRef.NONE,
                Map.of("litellm_credential_name", credential));
    }

    private static Deployment pushed(TestControlPlane cp, String alias) {
        return cp.plane.publisher().current().getAliasesList().stream().filter(a -> a.getName().equals(alias))
                .findFirst().orElseThrow().getDeployments(0);
    }

    private static String create(String name, String key) {
        return "{\"credential_name\":\"" + name + "\",\"credential_values\":{\"api_key\":\"" + key
                + "\",\"api_base\":\"" + BASE + "\",\"api_version\":\"2024-10-21\"},"
                + "\"credential_info\":{\"custom_llm_provider\":\"openai\",\"region\":\"eu\"}}";
    }

    @Test
    void createdCredentialIsStoredSealedAndShownOnlyByItsLast4() throws Exception {
        try (TestControlPlane cp = start(List.of(), List.of(), Map.of(KeyRing.CURRENT_VARIABLE, KEK_1))) {
            JsonNode created = cp.admin.post("/credentials", create("openai-prod", SECRET_1)).ok();
            assertEquals("…a1b2", created.path("credential_values").path("api_key").asText());
            assertEquals(1, created.path("version").asInt());
            assertEquals("eu", created.path("credential_info").path("region").asText());
            JsonNode strict = cp.admin.post("/credentials", "{\"credential_name\":\"strict\",\"credential_values\":"
                    + "{\"api_key\":\"" + SECRET_2 + "\"},\"credential_info\":{\"exposure\":\"control-plane\"}}").ok();
            assertEquals("control-plane", strict.path("credential_info").path("exposure").asText());
            cp.admin.delete("/credentials/strict").ok();
            String keyId = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(filled(7))).substring(0, 8);
            assertEquals(keyId, created.path("key_id").asText());

            JsonNode listed = cp.admin.get("/credentials").ok();
            assertEquals(1, listed.path("credentials").size());
            JsonNode one = cp.admin.get("/credentials/by_name/openai-prod").ok();
            assertEquals("…a1b2", one.path("credential_values").path("api_key").asText());
            assertEquals("db", one.path("source").asText());
            assertEquals(404, cp.admin.get("/credentials/by_name/nope").status());
            JsonNode audit = cp.admin.get("/audit/log?target_type=credential&target_id=openai-prod").ok();
            assertEquals("credential.create", audit.get(0).path("action").asText());

            String everything = created + " " + listed + " " + one + " " + audit + " " + tableDump() + " " + logs();
            assertNoSecret(everything);
            assertTrue(tableDump().contains(keyId), "key id stored beside the ciphertext");
            assertTrue(logs().contains("credential openai-prod created"), "the log capture sees the control plane");
        }
    }

    @Test
    void creatingWithoutAnEncryptionKeyIsRefusedAndNothingIsStored() throws Exception {
        try (TestControlPlane cp = start(List.of(), List.of(), Map.of())) {
            AdminClient.Reply refused = cp.admin.post("/credentials", create("openai-prod", SECRET_1));
            assertEquals(400, refused.status());
            assertEquals("encryption_key_missing", refused.body().path("error").path("code").asText());
            assertTrue(refused.body().path("error").path("message").asText().contains("openssl rand -base64 32"));
            assertEquals("", tableDump().replaceAll("\\s", ""));
            assertNoSecret(refused.body() + " " + logs());
        }
    }

    @Test
    void aDeploymentNamingAStoredCredentialGetsItsValuesAndAnUpdateIsANewVersion() throws Exception {
        Map<String, String> env = Map.of(KeyRing.CURRENT_VARIABLE, KEK_1);
        try (TestControlPlane cp = start(List.of(), List.of(), env)) {
            cp.admin.post("/credentials", create("openai-prod", SECRET_1)).ok();
        }
        try (TestControlPlane cp = start(List.of(usingCredential("chat", "openai-prod")), List.of(), env)) {
            Deployment d = pushed(cp, "chat");
            assertEquals(SECRET_1, d.getApiKey());
            assertEquals(BASE, d.getApiBase());
            assertEquals("2024-10-21", d.getParamsOrThrow("api_version"));
            assertFalse(d.containsParams("litellm_credential_name"));
            long before = cp.plane.publisher().current().getVersion();

            JsonNode updated = cp.admin.patch("/credentials/openai-prod",
                    "{\"credential_values\":{\"api_key\":\"" + SECRET_2 + "\",\"api_version\":null}}").ok();
            assertEquals(2, updated.path("version").asInt());
            assertEquals("…c3d4", updated.path("credential_values").path("api_key").asText());
            assertFalse(updated.path("credential_values").has("api_version"));
            assertTrue(cp.plane.publisher().current().getVersion() > before);
            Deployment next = pushed(cp, "chat");
            assertEquals(SECRET_2, next.getApiKey());
            assertEquals(BASE, next.getApiBase(), "fields the update did not name carry over");
            assertFalse(next.containsParams("api_version"));
            assertEquals(List.of(2), storedVersions("openai-prod"), "older versions are dropped after the push");

            AdminClient.Reply inUse = cp.admin.delete("/credentials/openai-prod");
            assertEquals(409, inUse.status());
            assertEquals("credential_in_use", inUse.body().path("error").path("code").asText());
            assertTrue(inUse.body().path("error").path("message").asText().contains("chat#0"));
            assertNoSecret(updated + " " + inUse.body() + " " + tableDump() + " " + logs()
                    + cp.admin.get("/audit/log").ok());
        }
    }

    @Test
    void aDeploymentNamingNoCredentialStopsTheStartWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> start(List.of(usingCredential("chat", "missing-one")), List.of(), Map.of()).close());
        assertTrue(e.getMessage().contains("litellm_credential_name: no credential missing-one"), e.getMessage());
    }

    @Test
    void configCredentialsResolveTheEnvironmentInMemoryAndAreNeverStored() throws Exception {
        ConfigCredential fromConfig = new ConfigCredential("azure-east", Map.of("api_key",
                new CredentialRef.Env("AZURE_KEY_EAST"), "api_base", new CredentialRef.Literal(BASE)),
                "{\"description\":\"east\"}");
        try (TestControlPlane cp = start(List.of(usingCredential("chat", "azure-east")), List.of(fromConfig),
                Map.of("AZURE_KEY_EAST", SECRET_1, KeyRing.CURRENT_VARIABLE, KEK_1))) {
            assertEquals(SECRET_1, pushed(cp, "chat").getApiKey());
            JsonNode one = cp.admin.get("/credentials/by_name/azure-east").ok();
            assertEquals("config", one.path("source").asText());
            assertEquals("os.environ/AZURE_KEY_EAST", one.path("credential_values").path("api_key").asText());
            assertEquals("east", one.path("credential_info").path("description").asText());
            AdminClient.Reply clash = cp.admin.post("/credentials", create("azure-east", SECRET_2));
            assertEquals(409, clash.status());
            assertEquals(409, cp.admin.patch("/credentials/azure-east", "{\"credential_values\":{\"api_key\":\"x\"}}")
                    .status());
            assertEquals("", tableDump().replaceAll("\\s", ""));
            assertNoSecret(one + " " + clash.body() + " " + logs());
        }
    }

    @Test
    void aConfigCredentialWhoseVariableIsUnsetMakesTheDeploymentSayWhich() throws Exception {
        ConfigCredential fromConfig = new ConfigCredential("azure-east", Map.of("api_key",
                new CredentialRef.Env("AZURE_KEY_EAST")), "{}");
        try (TestControlPlane cp = start(List.of(usingCredential("chat", "azure-east")), List.of(fromConfig),
                Map.of())) {
            String error = pushed(cp, "chat").getParamsOrThrow(PolicyCompiler.CREDENTIAL_ERROR_PARAM);
            assertTrue(error.contains("AZURE_KEY_EAST"), error);
        }
    }

    @Test
    void rotateKekReencryptsEveryValueInOneGoAndReportsCounts() throws Exception {
        try (TestControlPlane cp = start(List.of(), List.of(), Map.of(KeyRing.CURRENT_VARIABLE, KEK_1))) {
            cp.admin.post("/credentials", create("one", SECRET_1)).ok();
            cp.admin.post("/credentials", create("two", SECRET_2)).ok();
        }
        List<ModelDeployment> deployments = List.of(usingCredential("a", "one"), usingCredential("b", "two"));
        // Not yet rotated: the old key cannot be dropped, and saying so names the key id to restore.
        try (TestControlPlane cp = start(deployments, List.of(), Map.of(KeyRing.CURRENT_VARIABLE, KEK_2))) {
            String error = pushed(cp, "a").getParamsOrThrow(PolicyCompiler.CREDENTIAL_ERROR_PARAM);
            assertTrue(error.contains(KeyRing.PREVIOUS_VARIABLE), error);
            AdminClient.Reply refused = cp.admin.post("/secrets/rotate-kek", "{}");
            assertEquals(409, refused.status());
            assertEquals("unknown_encryption_key", refused.body().path("error").path("code").asText());
        }
        String newId;
        try (TestControlPlane cp = start(deployments, List.of(), Map.of(KeyRing.CURRENT_VARIABLE, KEK_2,
                KeyRing.PREVIOUS_VARIABLE, KEK_1))) {
            assertEquals(SECRET_1, pushed(cp, "a").getApiKey(), "previous keys still open old values");
            JsonNode rotated = cp.admin.post("/secrets/rotate-kek", "{}").ok();
            assertEquals(2, rotated.path("credentials").asInt());
            assertEquals(6, rotated.path("reencrypted").asInt());
            assertEquals(0, rotated.path("already_current").asInt());
            newId = rotated.path("key_id").asText();
            JsonNode again = cp.admin.post("/secrets/rotate-kek", "{}").ok();
            assertEquals(0, again.path("reencrypted").asInt());
            assertEquals(6, again.path("already_current").asInt());
            assertNoSecret(rotated + " " + logs() + " " + tableDump() + cp.admin.get("/audit/log").ok());
        }
        assertEquals(List.of(newId), keyIds());
        try (TestControlPlane cp = start(deployments, List.of(), Map.of(KeyRing.CURRENT_VARIABLE, KEK_2))) {
            assertEquals(SECRET_1, pushed(cp, "a").getApiKey());
            assertEquals(SECRET_2, pushed(cp, "b").getApiKey());
        }
    }

    @Test
    void aCiphertextMovedToAnotherCredentialDoesNotOpen() throws Exception {
        Map<String, String> env = Map.of(KeyRing.CURRENT_VARIABLE, KEK_1);
        try (TestControlPlane cp = start(List.of(), List.of(), env)) {
            cp.admin.post("/credentials", create("one", SECRET_1)).ok();
            cp.admin.post("/credentials", create("two", SECRET_2)).ok();
        }
        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().executeUpdate("update credential_values t set nonce = s.nonce, ciphertext = s.ciphertext"
                    + " from credential_values s where t.name = 'two' and s.name = 'one' and t.field = 'api_key'"
                    + " and s.field = 'api_key'");
        }
        try (TestControlPlane cp = start(List.of(usingCredential("b", "two")), List.of(), env)) {
            Deployment d = pushed(cp, "b");
            assertEquals("", d.getApiKey());
            assertTrue(d.getParamsOrThrow(PolicyCompiler.CREDENTIAL_ERROR_PARAM).contains("altered"));
        }
    }

    @Test
    void malformedRequestsAreRefusedNamingTheField() throws Exception {
        try (TestControlPlane cp = start(List.of(), List.of(), Map.of(KeyRing.CURRENT_VARIABLE, KEK_1))) {
            assertEquals("credential_name", cp.admin.post("/credentials", "{\"credential_values\":{\"api_key\":\"x\"}}")
                    .body().path("error").path("param").asText());
            assertEquals("credential_values", cp.admin.post("/credentials", "{\"credential_name\":\"a\"}")
                    .body().path("error").path("param").asText());
            assertEquals(400, cp.admin.post("/credentials", "{\"credential_name\":\"a b/c\","
                    + "\"credential_values\":{\"api_key\":\"x\"}}").status());
            assertEquals(400, cp.admin.post("/credentials", "{\"credential_name\":\"a\","
                    + "\"credential_values\":{\"api_key\":\"os.environ/X\"}}").status());
            assertEquals(404, cp.admin.patch("/credentials/none", "{\"credential_values\":{\"api_key\":\"x\"}}")
                    .status());
            cp.admin.post("/credentials", create("dup", SECRET_1)).ok();
            assertEquals(409, cp.admin.post("/credentials", create("dup", SECRET_2)).status());
            assertEquals(200, cp.admin.delete("/credentials/dup").status());
            assertEquals(404, cp.admin.delete("/credentials/dup").status());
            assertEquals("", tableDump().replaceAll("\\s", ""));
        }
    }

    private void assertNoSecret(String text) {
        for (String secret : List.of(SECRET_1, SECRET_2, "CANARY", KEK_1, KEK_2)) {
            assertFalse(text.contains(secret), "found " + secret + " in: " + text);
        }
    }

    private String logs() {
        synchronized (logs) {
            return String.join("\n", logs);
        }
    }

    /** Every row of the credential tables as text, bytea columns in hex and as bytes read as Latin-1. */
    private String tableDump() throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = db.dataSource().getConnection()) {
            for (String table : List.of("credentials", "credential_values")) {
                try (ResultSet rs = c.createStatement().executeQuery("select * from " + table)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            Object value = rs.getObject(i);
                            if (value instanceof byte[] bytes) {
                                out.append(HexFormat.of().formatHex(bytes)).append(' ')
                                        .append(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
                            } else {
                                out.append(value);
                            }
                            out.append(' ');
                        }
                        out.append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    private List<Integer> storedVersions(String name) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("select distinct version from credential_values where"
                     + " name = '" + name + "' order by version")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    private List<String> keyIds() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("select distinct key_id from credential_values")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
