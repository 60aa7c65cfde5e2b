package dev.tollgate.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.controlplane.testing.TestControlPlane;
import dev.tollgate.proto.control.v1.ControlMessage;
import dev.tollgate.proto.control.v1.ControlPlaneGrpc;
import dev.tollgate.proto.control.v1.Hello;
import dev.tollgate.proto.control.v1.SidecarMessage;
import dev.tollgate.proto.control.v1.UsageBatch;
import dev.tollgate.proto.control.v1.UsageRecord;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ControlPlane#close()} (what SIGTERM runs): readiness and admin routes turn 503, each sidecar
 * is told to go away, and usage it sends before half-closing is stored and acknowledged before its
 * stream ends.
 */
class GracefulShutdownTest {

    @Test
    void sidecarsAreToldToGoAwayAndUsageSentBeforeTheyLeaveIsStoredAndAcked() throws Exception {
        TestControlPlane cp = new TestControlPlane(new TestClock(Instant.parse("2030-01-01T00:00:00Z")));
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", cp.plane.grpcPort()).usePlaintext().build();
        HttpClient http = HttpClient.newHttpClient();
        try {
            BlockingQueue<ControlMessage> received = new LinkedBlockingQueue<>();
            CountDownLatch ended = new CountDownLatch(1);
            StreamObserver<SidecarMessage> up = ControlPlaneGrpc.newStub(channel).stream(new StreamObserver<>() {
                @Override
                public void onNext(ControlMessage message) {
                    received.add(message);
                }

                @Override
                public void onError(Throwable t) {
                    ended.countDown();
                }

                @Override
                public void onCompleted() {
                    ended.countDown();
                }
            });
            up.onNext(SidecarMessage.newBuilder().setHello(Hello.newBuilder().setSidecarName("leaving")).build());
            assertTrue(next(received).hasSnapshot());

            Thread closing = Thread.ofVirtual().start(cp.plane::close);
            ControlMessage goAway = next(received);
            assertTrue(goAway.hasGoAway(), goAway.toString());
            assertEquals("control plane shutting down", goAway.getGoAway().getReason());

            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + cp.plane.adminPort() + "/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("shutting down"), ready.body());
            HttpResponse<String> admin = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + cp.plane.adminPort() + "/key/list")).header("Authorization", "Bearer " + TestControlPlane.MASTER_KEY)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, admin.statusCode());
            assertTrue(admin.body().contains("\"code\":\"shutting_down\""), admin.body());

            up.onNext(SidecarMessage.newBuilder().setUsage(UsageBatch.newBuilder().addRecords(UsageRecord.newBuilder()
                    .setId("last-words").setAlias("chat").setDeploymentId("chat#0").setProvider("mock").setModel("chat-v1")
                    .setHttpStatus(200).setAttempts(1).setSidecarName("leaving")
                    .setStartedAtMs(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli()))).build());
            up.onCompleted();

            ControlMessage ack = next(received);
            assertEquals("last-words", ack.getUsageAck().getIds(0), ack.toString());
            assertTrue(ended.await(10, TimeUnit.SECONDS), "the stream ended");
            assertTrue(closing.join(java.time.Duration.ofSeconds(10)), "close() returned within its bound");
            try (Connection c = cp.db.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("select count(*) from usage_records where id = 'last-words'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getLong(1));
            }
        } finally {
            channel.shutdownNow();
            http.close();
            cp.close();
        }
    }

    private static ControlMessage next(BlockingQueue<ControlMessage> queue) throws InterruptedException {
        ControlMessage message = queue.poll(10, TimeUnit.SECONDS);
        assertNotNull(message, "a message within 10 s");
        return message;
    }
}
