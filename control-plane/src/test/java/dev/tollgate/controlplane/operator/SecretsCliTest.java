package dev.tollgate.controlplane.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.secrets.KeyRing;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.controlplane.testing.TestControlPlane;
import dev.tollgate.controlplane.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tollgate secrets rotate-kek} against a real control plane on real PostgreSQL. */
class SecretsCliTest {

    private static final String OLD_KEK = kek(3);
    private static final String NEW_KEK = kek(4);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static String kek(int fill) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) fill);
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void rotateKekReencryptsUnderTheNewKeyAndSaysHowMany() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-11-24T10:00:00Z"));
        try (Database db = TestDatabase.fresh()) {
            try (TestControlPlane cp = new TestControlPlane(clock, db, TestControlPlane.Ownership.SHARES_DATABASE,
                    TestControlPlane.config(List.of(), List.of()), Map.of(KeyRing.CURRENT_VARIABLE, OLD_KEK))) {
                cp.admin.post("/credentials", "{\"credential_name\":\"openai\",\"credential_values\":{\"api_key\":"
                        + "\"sk-CANARY-0000000000\",\"api_base\":\"https://example.test/v1\"}}").ok();
            }
            try (TestControlPlane cp = new TestControlPlane(clock, db, TestControlPlane.Ownership.SHARES_DATABASE,
                    TestControlPlane.config(List.of(), List.of()),
                    Map.of(KeyRing.CURRENT_VARIABLE, NEW_KEK, KeyRing.PREVIOUS_VARIABLE, OLD_KEK))) {
                String admin = "http://127.0.0.1:" + cp.plane.adminPort();
                int code = OperatorCli.secrets(new String[] {"rotate-kek", "--admin-url", admin},
                        Map.of("TOLLGATE_MASTER_KEY", TestControlPlane.MASTER_KEY), stream(out), stream(err));
                assertEquals(0, code, text(err));
                assertTrue(text(out).contains("re-encrypted 2 value(s) of 1 credential(s)"), text(out));
                assertTrue(text(out).contains("0 already were"), text(out));

                String adminKey = cp.admin.post("/admin_key/new", "{\"role\":\"admin\"}").ok().path("key").asText();
                out.reset();
                err.reset();
                assertEquals(1, OperatorCli.secrets(new String[] {"rotate-kek", "--admin-url", admin},
                        Map.of("TOLLGATE_MASTER_KEY", adminKey), stream(out), stream(err)));
                assertTrue(text(err).contains("answered 403") && text(err).contains("needs the master key"), text(err));
            }
        }
    }

    @Test
    void anythingButRotateKekIsAUsageError() {
        assertEquals(2, OperatorCli.secrets(new String[] {"rotate"}, Map.of("TOLLGATE_MASTER_KEY", "x"), stream(out),
                stream(err)));
        assertTrue(text(err).contains("expected rotate-kek"), text(err));
        assertEquals(0, OperatorCli.secrets(new String[] {"--help"}, Map.of(), stream(out), stream(err)));
        assertTrue(text(out).contains("openssl rand -base64 32"));
    }

    private static PrintStream stream(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
