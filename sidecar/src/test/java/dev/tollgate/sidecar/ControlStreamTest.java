package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.proto.control.v1.Hello;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar against a control plane that is not there yet, or goes away: readiness, the
 * last-known-good policy, reconnection with backoff, and usage held until it can be delivered.
 */
class ControlStreamTest {

    private static final String VIRTUAL_KEY = "tg-test-virtual-key-0006";
    /** Covers two of the client's retries at its capped backoff (5 s plus up to 2.5 s jitter each). */
    private static final Duration RECONNECT = Duration.ofSeconds(15);
    private static final PolicySnapshot POLICY = TestPolicy.snapshot(1,
            List.of(TestPolicy.alias("mock-chat", TestPolicy.mock("demo", Map.of()))),
            List.of(TestPolicy.key(VIRTUAL_KEY, "ci")));

    @TempDir
    Path dataDir;
    private Sidecar sidecar;
    private FakeControlPlane controlPlane;

    @AfterEach
    void stop() throws Exception {
        if (sidecar != null) {
            sidecar.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
    }

    @Test
    void withoutAControlPlaneTheSidecarIsNotReadyAndRefusesChatWithNoPolicy() throws Exception {
        sidecar = Sidecar.start(dataDir, "127.0.0.1:" + TestPolicy.closedPort());

        HttpResponse<String> readiness = sidecar.get("/health/readiness");
        assertEquals(503, readiness.statusCode(), readiness.body());
        assertEquals(0, Sidecar.json(readiness.body()).path("policy_version").asLong());
        String message = Envelope.assertError(sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("mock-chat", "Hi")),
                503, "service_unavailable", "no_policy", null);
        assertTrue(message.contains("--control-plane"), message);
    }

    @Test
    void readinessTurns200WhenTheControlPlaneComesUpLater() throws Exception {
        int port = TestPolicy.closedPort();
        sidecar = Sidecar.start(dataDir, "127.0.0.1:" + port);
        assertEquals(503, sidecar.get("/health/readiness").statusCode());

        controlPlane = FakeControlPlane.start(port, POLICY);

        Await.until("readiness 200", RECONNECT, () -> sidecar.get("/health/readiness").statusCode() == 200);
        assertEquals(1, Sidecar.json(sidecar.get("/health/readiness").body()).path("policy_version").asLong());
        assertEquals(200, sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("mock-chat", "Hi")).statusCode());
    }

    /**
     * The gRPC channel under the stream has its own reconnect backoff (1 s, then x1.6 per failure,
     * up to 120 s); left to it, a long outage would end up to two minutes after the control plane
     * is back. Each of the client's retries (100 ms, doubling, capped at 5 s) must be a connection
     * attempt: three more within 2 s of the first here (at about 0.1, 0.3 and 0.7 s), where the
     * channel alone would make its third no earlier than 2 s after the first.
     */
    @Test
    void everyRetryIsAConnectionAttemptWhateverTheChannelsOwnBackoff() throws Exception {
        try (RefusingServer refusing = RefusingServer.start()) {
            sidecar = Sidecar.start(dataDir, "127.0.0.1:" + refusing.port());

            Await.until("a first connection attempt", Duration.ofSeconds(5), () -> refusing.attempts.get() >= 1);

            Await.until("3 more connection attempts", Duration.ofSeconds(2), () -> refusing.attempts.get() >= 4);
        }
    }

    /** Accepts TCP connections and closes them at once, counting them: a control plane that is down. */
    private static final class RefusingServer implements AutoCloseable {
        final AtomicInteger attempts = new AtomicInteger();
        private final ServerSocket socket;
        private final Thread acceptor;

        private RefusingServer(ServerSocket socket) {
            this.socket = socket;
            this.acceptor = Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket accepted = socket.accept();
                        attempts.incrementAndGet();
                        accepted.close();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        static RefusingServer start() throws IOException {
            return new RefusingServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                acceptor.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void keepsServingTheLastPolicyAfterTheControlPlaneStops() throws Exception {
        startThenLoseTheControlPlane();

        HttpResponse<String> response = sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("mock-chat", "Hi"));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(200, sidecar.get("/health/readiness").statusCode());
    }

    @Test
    void usageMadeDuringAnOutageIsDeliveredWhenTheControlPlaneReturns() throws Exception {
        int port = startThenLoseTheControlPlane();
        HttpResponse<String> response = sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("mock-chat", "Hi"));
        String id = response.headers().firstValue("x-tollgate-request-id").orElseThrow();
        // The record is spooled just after the response is sent.
        Await.until("the record to wait in the spool", Duration.ofSeconds(5), () -> sidecar.spool.depth() == 1);

        controlPlane = FakeControlPlane.start(port, POLICY);

        UsageRecord record = controlPlane.awaitUsage(id, RECONNECT);
        assertAll(
                () -> assertEquals("mock-chat", record.getAlias()),
                () -> assertEquals(200, record.getHttpStatus()));
        Await.until("the acknowledged record to leave the spool", Duration.ofSeconds(5),
                () -> sidecar.spool.depth() == 0);
    }

    @Test
    void onGoAwayTheSidecarHalfClosesAndReconnectsWithoutReportingAnOutage() throws Exception {
        controlPlane = FakeControlPlane.start(0, POLICY);
        sidecar = Sidecar.start(dataDir, controlPlane.target());
        sidecar.awaitPolicyVersion(1);
        assertEquals(Sidecar.NAME, controlPlane.hellos.poll(5, TimeUnit.SECONDS).getSidecarName());

        try (LogCapture log = LogCapture.start(java.util.logging.Level.INFO)) {
            controlPlane.goAway("control plane shutting down");

            Hello again = controlPlane.hellos.poll(5, TimeUnit.SECONDS);
            assertEquals(1, again.getKnownVersion(), "a new stream, opened at once");
            String lines = String.join("", log.lines());
            assertTrue(lines.contains("is going away (control plane shutting down): reconnecting"), lines);
            assertFalse(lines.contains("is down"), "a go_away is not an outage: " + lines);
        }
    }

    @Test
    void reconnectHelloCarriesThePolicyVersionHeld() throws Exception {
        int port = startThenLoseTheControlPlane();

        controlPlane = FakeControlPlane.start(port, POLICY);

        Hello hello = controlPlane.hellos.poll(RECONNECT.toMillis(), TimeUnit.MILLISECONDS);
        assertAll(
                () -> assertEquals(1, hello.getKnownVersion()),
                () -> assertEquals(Sidecar.NAME, hello.getSidecarName()));
    }

    @Test
    void givenTwoReplicasTheSidecarFailsOverToTheSecondAndDeliversWhatItSpooled() throws Exception {
        controlPlane = FakeControlPlane.start(0, POLICY);
        try (FakeControlPlane second = FakeControlPlane.start(0, POLICY)) {
            sidecar = Sidecar.start(dataDir, controlPlane.target() + "," + second.target());
            sidecar.awaitPolicyVersion(1);
            assertEquals(0, controlPlane.hellos.poll(5, TimeUnit.SECONDS).getKnownVersion(), "the first listed is used");
            String before = sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("mock-chat", "Hi"))
                    .headers().firstValue("x-tollgate-request-id").orElseThrow();
            controlPlane.awaitUsage(before, Duration.ofSeconds(5));

            controlPlane.close();
            controlPlane = null;
            String after = sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("mock-chat", "Hi"))
                    .headers().firstValue("x-tollgate-request-id").orElseThrow();

            Hello hello = second.hellos.poll(RECONNECT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(1, hello.getKnownVersion(), "the sidecar reconnects to the second replica");
            assertEquals(200, second.awaitUsage(after, RECONNECT).getHttpStatus());
            Await.until("the spool to empty", Duration.ofSeconds(5), () -> sidecar.spool.depth() == 0);
        }
    }

    /** Starts a control plane and a sidecar, waits for the first snapshot, stops the control plane; returns its port. */
    private int startThenLoseTheControlPlane() throws Exception {
        controlPlane = FakeControlPlane.start(0, POLICY);
        int port = controlPlane.port();
        sidecar = Sidecar.start(dataDir, controlPlane.target());
        sidecar.awaitPolicyVersion(1);
        controlPlane.awaitAck(1, Duration.ofSeconds(5));
        Hello first = controlPlane.hellos.poll(5, TimeUnit.SECONDS);
        assertEquals(0, first.getKnownVersion(), "a fresh sidecar holds no policy");
        controlPlane.close();
        controlPlane = null;
        Await.until("the sidecar to notice the stream ended", Duration.ofSeconds(5), () -> !sidecar.control.connected());
        return port;
    }
}
