package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./tollgate config check FILE} run as a user runs it: through the launcher, as a process. */
class ConfigCheckCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out) {
    }

    private static Run tollgate(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JarProcess.ROOT.resolve("tollgate").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("TOLLGATE_") || k.startsWith("OPENAI_COMPATIBLE_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("./tollgate " + String.join(" ", args) + " did not finish within 120 s");
        }
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void liteLlmFixtureChecksCleanAndNamesItsVariables() throws Exception {
        Run run = tollgate(Map.of("OPENAI_COMPATIBLE_API_BASE", "http://127.0.0.1:9/v1", "LITELLM_MASTER_KEY", "sk-m-CANARY"),
                "config", "check", LiteLlmConfigEndToEndTest.FIXTURE.toString());
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("Aliases (3):"), run.out());
        assertTrue(run.out().contains("  my-chat#0\n      provider openai, model gpt-4o-mini, api_base "
                + "os.environ/OPENAI_COMPATIBLE_API_BASE (set)"), run.out());
        assertTrue(run.out().contains("MISSING  OPENAI_COMPATIBLE_API_KEY  (my-chat#0 api_key)"), run.out());
        assertTrue(run.out().contains("litellm_settings.success_callback: logging callbacks do not run"), run.out());
        assertTrue(run.out().contains("OK: 3 alias(es), 3 deployment(s), 1 warning(s), 1 missing environment "
                + "variable(s): OPENAI_COMPATIBLE_API_KEY"), run.out());
        assertFalse(run.out().contains("CANARY"), run.out());
    }

    @Test
    void refusedConfigExitsOneAndSaysWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                model_list:
                  - model_name: chat
                    litellm_params:
                      model: openai/gpt-4o
                      mock_response: hi
                general_settings:
                  master_key: sk-1234
                  allowed_routes: ["/chat/completions"]
                """);
        Run run = tollgate(Map.of(), "config", "check", file.toString());
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.out().contains("INVALID\n  2 field(s) would change behaviour in ways Tollgate cannot honour"),
                run.out());
        assertTrue(run.out().contains("model_list[0].litellm_params.mock_response: "), run.out());
        assertTrue(run.out().contains("general_settings.allowed_routes: "), run.out());
    }

    @Test
    void missingFileArgumentIsAUsageError() throws Exception {
        Run run = tollgate(Map.of(), "config", "check");
        assertEquals(2, run.exit(), run.out());
        assertTrue(run.out().contains("Usage: ./tollgate config check FILE"), run.out());
    }
}
