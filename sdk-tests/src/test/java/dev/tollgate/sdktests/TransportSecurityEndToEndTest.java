package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The control stream under mutual TLS, with the real processes: certificates from a CA made at
 * test time; a sidecar with a client certificate gets its policy, and each misconfigured one is
 * refused with a log line that says what to fix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransportSecurityEndToEndTest {

    private static final String CONFIG = """
            model_list:
              - model_name: fast-cheap-chat
                litellm_params:
                  model: mock/fast-cheap-chat-v1
            general_settings:
              master_key: os.environ/TOLLGATE_MASTER_KEY
            """;
    private static final Duration LOG_WAIT = Duration.ofSeconds(30);

    private Stack stack;
    private TestCertificates ca;
    private TestCertificates otherCa;
    private TestCertificates.Issued client;
    private final List<JarProcess> sidecars = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("tollgate-e2e-tls");
        ca = TestCertificates.authority(dir, "tollgate-test");
        otherCa = TestCertificates.authority(dir, "somebody-else");
        TestCertificates.Issued server = ca.server("control-plane");
        client = ca.client("billing-app");
        stack = new Stack("tls", dir, CONFIG, Map.of());
        stack.controlPlaneArgs = List.of("--grpc-tls-cert", server.cert().toString(),
                "--grpc-tls-key", server.key().toString(), "--grpc-tls-client-ca", ca.caFile().toString());
        stack.startControlPlane();
    }

    @AfterEach
    void stopSidecars() throws InterruptedException {
        for (JarProcess p : sidecars) {
            p.close();
        }
        sidecars.clear();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (stack != null) {
            stack.close();
        }
    }

    private JarProcess sidecar(String id, int port, String... tlsArgs) throws Exception {
        JarProcess p = stack.startSidecar(id, port, "127.0.0.1:" + stack.grpcPort, List.of(tlsArgs),
                Map.of("TOLLGATE_SIDECAR_TOKEN", Stack.SIDECAR_TOKEN));
        sidecars.add(p);
        return p;
    }

    private static void awaitLog(JarProcess p, String what, String... fragments) throws InterruptedException {
        boolean found = Http.await(LOG_WAIT, () -> {
            String log = p.output();
            for (String f : fragments) {
                if (!log.contains(f)) {
                    return false;
                }
            }
            return true;
        });
        assertTrue(found, what + ": expected " + List.of(fragments) + " in " + p.log() + ":\n" + p.output());
    }

    /** The sidecar's HTTP server starts after its control client: wait for it, then it must say not ready. */
    private static void awaitNotReady(int port) throws InterruptedException {
        assertTrue(Http.await(Duration.ofSeconds(30), () -> Stack.status(
                () -> Http.get("http://127.0.0.1:" + port + "/health/readiness", null)) == 503));
    }

    @Test
    void sidecarWithClientCertificateReceivesItsPolicy() throws Exception {
        int port = JarProcess.freePort();
        JarProcess p = sidecar("mtls-ok", port, "--control-plane-ca", ca.caFile().toString(),
                "--control-plane-cert", client.cert().toString(), "--control-plane-key", client.key().toString());
        assertTrue(Http.await(Duration.ofSeconds(60), () -> Http.ok("http://127.0.0.1:" + port + "/health/readiness")),
                "sidecar over mTLS not ready; see " + p.log());
        assertTrue(p.output().contains("TLS, trusting " + ca.caFile()), p.output());
    }

    @Test
    void sidecarWithAScopedTokenFromAFileServesOnlyItsTeamsKeys() throws Exception {
        assertEquals(200, Http.post(stack.admin() + "/team/new", Stack.MASTER_KEY,
                "{\"team_id\":\"billing\",\"models\":[\"fast-cheap-chat\"]}").statusCode());
        String teamKey = Http.json(Http.post(stack.admin() + "/key/generate", Stack.MASTER_KEY,
                "{\"team_id\":\"billing\"}")).path("key").asText();
        String otherKey = Http.json(Http.post(stack.admin() + "/key/generate", Stack.MASTER_KEY, "{}"))
                .path("key").asText();
        String token = Http.json(Http.post(stack.admin() + "/sidecar/token/new", Stack.MASTER_KEY,
                "{\"sidecar_name\":\"tls-scoped\",\"team_ids\":[\"billing\"]}")).path("token").asText();
        Path tokenFile = stack.dataDir.resolve("scoped.token");
        Files.writeString(tokenFile, token + "\n");
        int port = JarProcess.freePort();
        JarProcess p = stack.startSidecar("scoped", port, "127.0.0.1:" + stack.grpcPort, List.of("--token-file",
                tokenFile.toString(), "--control-plane-ca", ca.caFile().toString(), "--control-plane-cert",
                client.cert().toString(), "--control-plane-key", client.key().toString()), Map.of());
        sidecars.add(p);
        String models = "http://127.0.0.1:" + port + "/v1/models";
        assertTrue(Http.await(Duration.ofSeconds(60), () -> Stack.status(() -> Http.get(models, teamKey)) == 200),
                "scoped sidecar does not serve its team's key; see " + p.log());
        assertEquals(401, Stack.status(() -> Http.get(models, otherKey)), "a key outside the scope was served");
        assertTrue(!p.output().contains(token) && !stack.controlPlane.output().contains(token),
                "the token appears in a log");

        JarProcess renamed = stack.startSidecar("renamed", JarProcess.freePort(), "127.0.0.1:" + stack.grpcPort,
                List.of("--token-file", tokenFile.toString(), "--control-plane-ca", ca.caFile().toString(),
                        "--control-plane-cert", client.cert().toString(), "--control-plane-key",
                        client.key().toString()), Map.of());
        sidecars.add(renamed);
        awaitLog(renamed, "sidecar log", "PERMISSION_DENIED", "belongs to sidecar 'tls-scoped'", "--name tls-scoped");
    }

    @Test
    void sidecarWithoutClientCertificateIsRefusedAndBothSidesSayWhy() throws Exception {
        int port = JarProcess.freePort();
        JarProcess p = sidecar("mtls-no-cert", port, "--control-plane-ca", ca.caFile().toString());
        awaitLog(p, "sidecar log", "refused this sidecar", "UNAUTHENTICATED", "requires mutual TLS",
                "--control-plane-cert");
        awaitLog(stack.controlPlane, "control-plane log", "refused a sidecar connection from",
                "no client certificate");
        awaitNotReady(port);
    }

    @Test
    void sidecarThatDoesNotTrustTheServerCertificateSaysSo() throws Exception {
        int port = JarProcess.freePort();
        JarProcess p = sidecar("mtls-wrong-ca", port, "--control-plane-ca", otherCa.caFile().toString(),
                "--control-plane-cert", client.cert().toString(), "--control-plane-key", client.key().toString());
        awaitLog(p, "sidecar log", "TLS handshake failed", "--control-plane-ca");
        awaitNotReady(port);
    }

    @Test
    void plaintextSidecarAgainstTheTlsPortSaysToTurnTlsOn() throws Exception {
        int port = JarProcess.freePort();
        JarProcess p = sidecar("plaintext", port);
        awaitLog(p, "sidecar log", "--control-plane-tls");
        awaitNotReady(port);
    }
}
