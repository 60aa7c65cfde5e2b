package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tollgate.proto.control.v1.Hello;
import dev.tollgate.proto.control.v1.UsageBatch;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.sidecar.control.ControlClient;
import dev.tollgate.sidecar.policy.PolicyHolder;
import dev.tollgate.sidecar.usage.UsageSpool;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage upload against a gRPC control plane on loopback: one upload tick sends a backlog of
 * up to four batches, batch by batch, so the upload rate is not capped at one batch per tick.
 */
class UsageUploadTest {

    /**
     * Runs what the client schedules once ({@code execute}, {@code schedule}) as usual, but keeps
     * the periodic upload task for the test to run by hand: the test decides when a tick happens.
     */
    private static final class HandTicks extends ScheduledThreadPoolExecutor {
        final List<Runnable> periodic = new ArrayList<>();

        HandTicks() {
            super(1);
        }

        @Override
        public synchronized ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                                      TimeUnit unit) {
            periodic.add(command);
            return schedule(() -> { }, 1, TimeUnit.DAYS);
        }

        synchronized void tick() {
            periodic.forEach(Runnable::run);
        }
    }

    @TempDir
    Path dir;
    private final HandTicks scheduler = new HandTicks();
    private FakeControlPlane controlPlane;
    private ManagedChannel channel;
    private ControlClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        scheduler.shutdownNow();
    }

    @Test
    void oneTickSendsTheWholeBacklogInBatchesOf500() throws Exception {
        UsageSpool spool = new UsageSpool(dir.resolve("usage.spool"));
        int records = 1_750;
        for (int i = 0; i < records; i++) {
            spool.append(UsageRecord.newBuilder().setId("req-" + i).setAlias("mock-chat").setHttpStatus(200).build());
        }
        controlPlane = FakeControlPlane.start(0, TestPolicy.snapshot(1,
                List.of(TestPolicy.alias("mock-chat", TestPolicy.mock("demo", Map.of()))), List.of()));
        channel = NettyChannelBuilder.forTarget(controlPlane.target()).usePlaintext().build();
        client = new ControlClient(channel, controlPlane.target(), Hello.newBuilder().setSidecarName("upload-test")
                .build(), new PolicyHolder(), spool, scheduler, Clock.systemUTC());
        client.start();
        Await.until("the control stream is open", Duration.ofSeconds(10), client::connected);

        scheduler.tick();

        assertNotNull(controlPlane.awaitUsage("req-" + (records - 1), Duration.ofSeconds(10)));
        Await.until("every record acknowledged", Duration.ofSeconds(10), () -> spool.depth() == 0);
        List<Integer> sizes = controlPlane.batches.stream().map(UsageBatch::getRecordsCount).toList();
        assertEquals(List.of(500, 500, 500, 250), sizes);
    }
}
