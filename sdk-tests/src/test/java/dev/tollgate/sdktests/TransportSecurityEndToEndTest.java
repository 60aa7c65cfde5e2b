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
    void sidecarWithoutClientCertificateIsRefusedAndBothSidesSayWhy() throws Exception {
        int port = JarProcess.freePort();
        JarProcess p = sidecar("mtls-no-cert", port, "--control-plane-ca", ca.caFile().toString());
        awaitLog(p, "sidecar log", "refused this sidecar", "UNAUTHENTICATED", "requires mutual TLS",
                "--control-plane-cert");
        awaitLog(stack.controlPlane, "control-plane log", "refused a sidecar connection from",
                "no client certificate");
        assertEquals(503, Stack.status(() -> Http.get("http://127.0.0.1:" + port + "/health/readiness", null)));
    }

    @Test
    void sidecarThatDoesNotTrustTheServerCertificateSaysSo() throws Exception {
        int port = JarProcess.freePort();
        JarProcess p = sidecar("mtls-wrong-ca", port, "--control-plane-ca", otherCa.caFile().toString(),
                "--control-plane-cert", client.cert().toString(), "--control-plane-key", client.key().toString());
        awaitLog(p, "sidecar log", "TLS handshake failed", "--control-plane-ca");
        assertEquals(503, Stack.status(() -> Http.get("http://127.0.0.1:" + port + "/health/readiness", null)));
    }

    @Test
    void plaintextSidecarAgainstTheTlsPortSaysToTurnTlsOn() throws Exception {
        int port = JarProcess.freePort();
        JarProcess p = sidecar("plaintext", port);
        awaitLog(p, "sidecar log", "--control-plane-tls");
        assertEquals(503, Stack.status(() -> Http.get("http://127.0.0.1:" + port + "/health/readiness", null)));
    }
}
