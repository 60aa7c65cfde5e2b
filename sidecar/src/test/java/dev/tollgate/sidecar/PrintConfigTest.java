package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrintConfigTest {

    private static final Set<String> SETTINGS = Set.of("port", "listen", "control-plane", "data-dir", "name",
            "log-format", "drain-timeout");

    @Test
    void printsTheEffectiveConfigurationWithTheTokenMasked() throws Exception {
        Flags flags = Flags.parse(new String[] {"--control-plane", "cp-a:4101,cp-b:4101", "--name", "app-1"},
                Set.of("control-plane", "name"), Set.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Main.printConfig(flags, Map.of("TOLLGATE_SIDECAR_TOKEN", "token-CANARY-5555"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("CANARY"), out);
        assertTrue(out.contains("listen:         127.0.0.1:4000"), out);
        assertTrue(out.contains("control_plane:  cp-a:4101,cp-b:4101 (tried in this order"), out);
        assertTrue(out.contains("name:           app-1"), out);
        assertTrue(out.contains("sidecar_token:  **** (17 characters"), out);
    }

    @Test
    void everyFlagCanComeFromTheEnvironmentAndTheFlagWins() throws Exception {
        Map<String, String> env = Map.of("TOLLGATE_CONTROL_PLANE", "cp-env:4101", "TOLLGATE_PORT", "4555",
                "TOLLGATE_NAME", "from-env", "TOLLGATE_DETAILED_DEBUG", "true", "TOLLGATE_DRAIN_TIMEOUT", "7");
        Flags flags = Flags.parse(new String[] {"--name", "from-flag"}, SETTINGS, Set.of("detailed-debug"), env);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Main.printConfig(flags, env, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("listen:         127.0.0.1:4555  [default, TOLLGATE_PORT]"), out);
        assertTrue(out.contains("control_plane:  cp-env:4101  [TOLLGATE_CONTROL_PLANE]"), out);
        assertTrue(out.contains("name:           from-flag  [--name]"), out);
        assertTrue(out.contains("drain_timeout:  7.0 s  [TOLLGATE_DRAIN_TIMEOUT]"), out);
        assertTrue(out.contains("detailed_debug: true  [TOLLGATE_DETAILED_DEBUG]"), out);
    }

    @Test
    void helpNamesTheEnvironmentVariableOfEveryFlag() {
        for (String flag : SETTINGS) {
            assertTrue(Main.HELP.contains(Flags.envName(flag)), flag + " in --help");
        }
        assertTrue(Main.HELP.contains("TOLLGATE_DETAILED_DEBUG"));
    }
}
