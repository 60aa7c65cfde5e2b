package dev.tollgate.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ComposeTest {

    private static final String STACK = "deploy/compose/compose.yaml";
    private final Repo repo = Repo.find();

    @Test
    void everyComposeFileIsConsistentWithTheCode() {
        List<String> files = repo.list("deploy/compose", ".yaml", ".yml");
        assertTrue(files.contains(STACK) && files.contains("deploy/compose/jaeger.yaml"), "compose files: " + files);
        for (String f : files) {
            Expect.assertNone(ComposeCheck.check(repo, f));
        }
    }

    @Test
    void aSidecarPointedAtTheWrongPortIsCaught() {
        Repo drifted = repo.withReplaced(STACK, ",control-plane-2:4101\"", ",control-plane-2:4102\"");
        Expect.assertCaught(ComposeCheck.check(drifted, STACK), "--control-plane control-plane-2:4102", "4101");
    }

    @Test
    void aMisspelledEnvironmentVariableIsCaught() {
        Repo drifted = repo.withReplaced(STACK, "      TOLLGATE_SIDECAR_TOKEN: ${TOLLGATE_SIDECAR_TOKEN:-compose-only-sidecar-token-change-me}\n    volumes:\n      - sidecar-spool",
                "      TOLLGATE_SIDECAR_TOKN: ${TOLLGATE_SIDECAR_TOKEN:-compose-only-sidecar-token-change-me}\n    volumes:\n      - sidecar-spool");
        List<String> problems = ComposeCheck.check(drifted, STACK);
        Expect.assertCaught(problems, "service sidecar", "TOLLGATE_SIDECAR_TOKN", "does not read");
        Expect.assertCaught(problems, "service sidecar", "does not set TOLLGATE_SIDECAR_TOKEN");
    }

    @Test
    void aMissingConfigFileOrAnOnlineProviderIsCaught() {
        Expect.assertCaught(ComposeCheck.check(repo.withReplaced(STACK, "../config/compose.yaml:/etc/tollgate/config.yaml:ro\n    ports:\n      - \"127.0.0.1:4200",
                "../config/nope.yaml:/etc/tollgate/config.yaml:ro\n    ports:\n      - \"127.0.0.1:4200"), STACK), "nope.yaml", "does not exist");
        Repo online = repo.withReplaced("deploy/config/compose.yaml", "model: mock/smart-chat-v1", "model: openai/gpt-4o");
        Expect.assertCaught(ComposeCheck.check(online, STACK), "openai/gpt-4o", "offline");
    }

    @Test
    void aHealthCheckOnTheWrongRouteOrAnUnknownDependencyIsCaught() {
        Repo drifted = repo.withReplaced(STACK, "\"http://127.0.0.1:4000/health/readiness\"", "\"http://127.0.0.1:4000/ready\"");
        Expect.assertCaught(ComposeCheck.check(drifted, STACK), "service sidecar healthcheck", "/ready is not a health route");
        Repo unknown = repo.withReplaced(STACK, "      jaeger:\n        condition: service_healthy",
                "      zipkin:\n        condition: service_healthy");
        Expect.assertCaught(ComposeCheck.check(unknown, STACK), "depends_on unknown service zipkin");
    }

    @Test
    void aDatabaseUrlThatMissesThePostgresServiceIsCaught() {
        Repo drifted = repo.with(STACK, repo.read(STACK).replaceFirst("jdbc:postgresql://postgres:5432/tollgate",
                "jdbc:postgresql://db:5432/tollgate"));
        List<String> problems = ComposeCheck.check(drifted, STACK);
        Expect.assertCaught(problems, "control-plane-1", "names db, which is not a postgres service");
        Expect.assertCaught(problems, "replicas differ in TOLLGATE_DB_URL");
    }
}
