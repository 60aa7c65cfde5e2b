package dev.tollgate.controlplane.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.testing.TestControlPlane;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator commands against a real control plane's admin API. */
class OperatorCliTest {

    private TestControlPlane plane;
    private Map<String, String> env;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        plane = new TestControlPlane(Clock.systemUTC());
        env = Map.of("TOLLGATE_MASTER_KEY", TestControlPlane.MASTER_KEY);
    }

    @AfterEach
    void stop() {
        plane.close();
    }

    @Test
    void keysAreCreatedListedAndRevoked() {
        assertEquals(0, keys("create", "--alias", "ci-bot", "--models", "chat", "--max-budget", "5"), text(err));
        String key = text(out).trim();
        assertTrue(key.startsWith("sk-"), key);
        assertTrue(text(err).contains("shown only this once"), text(err));

        assertEquals(0, keys("list"), text(err));
        assertTrue(text(out).contains("ci-bot") && text(out).contains("1 key(s)"), text(out));

        assertEquals(0, keys("revoke", key), text(err));
        assertTrue(text(out).contains("revoked 1 key(s)"), text(out));
        assertEquals(0, keys("list"));
        assertTrue(text(out).contains("0 key(s)"), text(out));

        assertEquals(1, keys("revoke", key), "revoking twice is refused by the API");
        assertTrue(text(err).contains("answered 404"), text(err));
    }

    @Test
    void spendPrintsTheReportWithATotal() {
        assertEquals(0, OperatorCli.spend(new String[] {"--admin-url", admin(), "--group-by", "team"}, env,
                stream(out), stream(err)), text(err));
        assertTrue(text(out).startsWith("TEAM") && text(out).contains("TOTAL"), text(out));
    }

    @Test
    void withoutTheMasterKeyOrAReachableControlPlaneItSaysWhatToFix() {
        assertEquals(2, OperatorCli.keys(new String[] {"list"}, Map.of(), stream(out), stream(err)));
        assertTrue(text(err).contains("TOLLGATE_MASTER_KEY"), text(err));
        reset();
        assertEquals(2, OperatorCli.keys(new String[] {"list", "--admin-url", "http://127.0.0.1:9"}, env,
                stream(out), stream(err)));
        assertTrue(text(err).contains("cannot reach the control plane at http://127.0.0.1:9"), text(err));
    }

    private int keys(String... args) {
        reset();
        String[] withUrl = new String[args.length + 2];
        System.arraycopy(args, 0, withUrl, 0, args.length);
        withUrl[args.length] = "--admin-url";
        withUrl[args.length + 1] = admin();
        return OperatorCli.keys(withUrl, env, stream(out), stream(err));
    }

    private String admin() {
        return "http://127.0.0.1:" + plane.plane.adminPort();
    }

    private void reset() {
        out.reset();
        err.reset();
    }

    private static PrintStream stream(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
