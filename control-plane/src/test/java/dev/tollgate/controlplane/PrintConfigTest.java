package dev.tollgate.controlplane;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrintConfigTest {

    @TempDir
    Path dir;

    @Test
    void printsTheEffectiveConfigurationWithEverySecretMasked() throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                model_list:
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_key: os.environ/OPENAI_API_KEY
                      rpm: 60
                general_settings:
                  master_key: sk-master-CANARY-1111
                tollgate:
                  sidecar_token: sidecar-CANARY-2222
                """);
        Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-openai-CANARY-3333",
                "TOLLGATE_DB_URL", "postgresql://tollgate:db-CANARY-4444@db.internal:5432/tollgate");
        Flags flags = Flags.parse(new String[] {"--config", config.toString(), "--admin-port", "4200"},
                Set.of("config", "admin-port"), Set.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        PrintConfig.print(Main.resolve(flags, env), new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("CANARY"), out);
        assertTrue(out.contains("admin_api:       0.0.0.0:4200"), out);
        assertTrue(out.contains("control_stream:  0.0.0.0:4101"), out);
        assertTrue(out.contains("db.internal:5432/tollgate as tollgate"), out);
        assertTrue(out.contains("master_key:      **** (21 characters"), out);
        assertTrue(out.contains("api_key: os.environ/OPENAI_API_KEY (set, ****)"), out);
        assertTrue(out.contains("rpm: 60"), out);
    }

    @Test
    void flagBeatsEnvironmentBeatsConfigFileBeatsDefaultAndEachSourceIsShown() throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                model_list: []
                general_settings:
                  master_key: sk-master-1
                tollgate:
                  admin_port: 4300
                  grpc_port: 4301
                  data_dir: /from/config
                """);
        Map<String, String> env = Map.of("TOLLGATE_GRPC_PORT", "4401", "TOLLGATE_DATA_DIR", "/from/env",
                "TOLLGATE_CONFIG", config.toString(), "TOLLGATE_DRAIN_TIMEOUT", "2.5");
        Flags flags = Flags.parse(new String[] {"--data-dir", "/from/flag"},
                Set.of("config", "admin-port", "grpc-port", "data-dir", "drain-timeout"), Set.of("print-config"), env);

        Main.Effective effective = Main.resolve(flags, env);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintConfig.print(effective, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("config:          [TOLLGATE_CONFIG]"), out);
        assertTrue(out.contains("admin_api:       0.0.0.0:4300  [default, config tollgate.admin_port]"), out);
        assertTrue(out.contains("control_stream:  127.0.0.1:4401  [default, TOLLGATE_GRPC_PORT]"), out);
        assertTrue(out.contains("data_dir:        /from/flag  [--data-dir]"), out);
        assertTrue(out.contains("drain_timeout:   2.5 s  [TOLLGATE_DRAIN_TIMEOUT]"), out);
    }

    @Test
    void aBadValueFromTheEnvironmentNamesTheVariable() throws Exception {
        Map<String, String> env = Map.of("TOLLGATE_ADMIN_PORT", "80000");
        Flags flags = Flags.parse(new String[0], Set.of("admin-port"), Set.of(), env);

        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> flags.port("admin-port", 4100));
        assertTrue(e.getMessage().contains("TOLLGATE_ADMIN_PORT: '80000'"), e.getMessage());
    }
}
