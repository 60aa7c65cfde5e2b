package dev.tollgate.sidecar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.provider.ProviderAdapter.ChunkSink;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Streams run inline on the request thread: one watch whose deadline moves with the chunks carries
 * the first-chunk, idle and total limits; the watchdog never interrupts a write to the client, and
 * a chunk that comes after the watchdog decided is not written. The request threads are virtual, as
 * in the server; the watchdog is fired by hand at chosen instants.
 */
class InlineStreamTest {

    private static final Failures.Target TARGET = new Failures.Target("chat", "chat#a", "openai");
    private static final AttemptSupervisor.Limits LIMITS = new AttemptSupervisor.Limits(Duration.ofSeconds(60),
            "the deployment's timeout of 60 s", Duration.ofSeconds(1), "the deployment's stream_timeout of 1 s",
            Duration.ofSeconds(5), "the deployment's stream_idle_timeout of 5 s");
    private static final long REPEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static byte[] chunk(String text) {
        return ("{\"c\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** A stream attempt on a virtual request thread, writing to {@link #written}. */
    private static final class RequestThread {
        final AtomicInteger beforeFirst = new AtomicInteger();
        final AtomicBoolean onEndRan = new AtomicBoolean();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile AttemptSupervisor.Result<TokenUsage> result;
        volatile boolean interruptedAfterwards;
        volatile long firstByteNanos;
        final Thread thread;

        interface Work {
            TokenUsage run(ChunkSink sink) throws Exception;
        }

        RequestThread(Watchdog watchdog, ChunkSink client, Work work) {
            thread = Thread.ofVirtual().start(() -> {
                InlineStream stream = new InlineStream(client, beforeFirst::incrementAndGet, LIMITS);
                result = stream.run(() -> work.run(stream), TARGET, "req-1", () -> onEndRan.set(true), watchdog);
                firstByteNanos = stream.firstByteNanos();
                interruptedAfterwards = Thread.currentThread().isInterrupted();
                ended.countDown();
            });
        }

        AttemptSupervisor.Result<TokenUsage> await() throws InterruptedException {
            assertTrue(ended.await(WAIT.toNanos(), TimeUnit.NANOSECONDS), "the attempt ended");
            assertTrue(onEndRan.get(), "onEnd ran");
            assertFalse(interruptedAfterwards, "no interrupt outlived the attempt");
            return result;
        }
    }

    /** Waits until {@code thread} sleeps (its write to the client is over, it waits for the provider). */
    private static void awaitSleeping(Thread thread) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (thread.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() < deadline, "the request thread never waited: " + thread.getState());
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(WAIT.toNanos(), TimeUnit.NANOSECONDS), what);
    }

    @Test
    void chunksFlowToTheClientAndTheWatchIsDisarmed() throws Exception {
        ManualWatchdog watchdog = new ManualWatchdog();
        List<String> written = new CopyOnWriteArrayList<>();
        RequestThread t = new RequestThread(watchdog, json -> written.add(new String(json, StandardCharsets.UTF_8)),
                sink -> {
                    sink.chunk(chunk("a"));
                    sink.chunk(chunk("b"));
                    return TokenUsage.NONE;
                });
        Watch watch = watchdog.next();

        assertInstanceOf(AttemptSupervisor.Result.Done.class, t.await());
        assertEquals(List.of("{\"c\":\"a\"}", "{\"c\":\"b\"}"), written);
        assertEquals(1, t.beforeFirst.get(), "beforeFirstChunk runs once");
        assertTrue(t.firstByteNanos != 0);
        assertTrue(watchdog.disarmed.contains(watch));
    }

    @Test
    void aChunkMovesTheDeadlineOnAndTheIdleLimitCutsTheStreamAfterwards() throws Exception {
        ManualWatchdog watchdog = new ManualWatchdog();
        CountDownLatch firstWritten = new CountDownLatch(1);
        RequestThread t = new RequestThread(watchdog, json -> firstWritten.countDown(), sink -> {
            sink.chunk(chunk("a"));
            Thread.sleep(Duration.ofMinutes(10)); // the provider goes quiet; an interrupt ends the wait
            return TokenUsage.NONE;
        });
        Watch watch = watchdog.next();
        await(firstWritten, "the first chunk was written");
        long chunkSeen = System.nanoTime();
        awaitSleeping(t.thread);

        // Past the first-chunk limit (1 s), within the idle limit (5 s) of the chunk: no cut, look again later.
        long now = chunkSeen + Duration.ofSeconds(2).toNanos();
        assertTrue(watch.due(now, REPEAT_NANOS));
        assertTrue(watch.deadlineNanos - now > 0, "looks again when the idle limit passes");
        assertTrue(watch.deadlineNanos - (chunkSeen + Duration.ofSeconds(5).toNanos()) <= 0);
        assertTrue(t.thread.isAlive(), "not interrupted");

        // Past the idle limit: cut.
        assertTrue(watch.due(chunkSeen + Duration.ofSeconds(6).toNanos(), REPEAT_NANOS));
        AttemptSupervisor.Result.Failed<TokenUsage> failed = assertInstanceOf(AttemptSupervisor.Result.Failed.class,
                t.await());
        assertEquals(Progress.STREAM_STARTED, failed.progress());
        assertEquals("provider_timeout", failed.error().code());
        assertTrue(failed.error().message().contains("the stream went idle: no chunk within the deployment's "
                + "stream_idle_timeout of 5 s after the previous one"), failed.error().message());
    }

    @Test
    void theWatchdogWaitsForAWriteToTheClientToEndBeforeItCuts() throws Exception {
        ManualWatchdog watchdog = new ManualWatchdog();
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch finishWrite = new CountDownLatch(1);
        AtomicBoolean writeInterrupted = new AtomicBoolean();
        RequestThread t = new RequestThread(watchdog, json -> {
            inWrite.countDown();
            // A client that reads slowly: the write blocks until the test lets it finish.
            while (true) {
                try {
                    if (finishWrite.await(WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                        return;
                    }
                    throw new AssertionError("the test never finished the write");
                } catch (InterruptedException e) {
                    writeInterrupted.set(true);
                }
            }
        }, sink -> {
            sink.chunk(chunk("a"));
            Thread.sleep(Duration.ofMinutes(10));
            return TokenUsage.NONE;
        });
        Watch watch = watchdog.next();
        await(inWrite, "the chunk is being written");

        long late = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        assertTrue(watch.due(late, REPEAT_NANOS), "the watch stays armed");
        assertEquals(late + Watch.SHIELD_RECHECK_NANOS, watch.deadlineNanos, "looked at again shortly");
        finishWrite.countDown();
        // Once the write is done the next look cuts the attempt (it may take a few looks to see the write end).
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (t.ended.getCount() > 0 && System.nanoTime() < deadline) {
            watch.due(late, REPEAT_NANOS);
            t.ended.await(1, TimeUnit.MILLISECONDS);
        }
        AttemptSupervisor.Result.Failed<TokenUsage> failed = assertInstanceOf(AttemptSupervisor.Result.Failed.class,
                t.await());
        assertFalse(writeInterrupted.get(), "the write to the client was never interrupted");
        assertEquals(Progress.STREAM_STARTED, failed.progress());
        assertTrue(failed.error().message().contains("the stream went idle"), failed.error().message());
    }

    @Test
    void aChunkAfterTheWatchdogDecidedIsNotWrittenAndTheStreamCanStillBeRetried() throws Exception {
        ManualWatchdog watchdog = new ManualWatchdog();
        CountDownLatch go = new CountDownLatch(1);
        List<String> written = new CopyOnWriteArrayList<>();
        RequestThread t = new RequestThread(watchdog, json -> written.add(new String(json, StandardCharsets.UTF_8)),
                sink -> {
                    go.await();
                    sink.chunk(chunk("late"));
                    return TokenUsage.NONE;
                });
        Watch watch = watchdog.next();
        // The first-chunk limit passed: the watchdog decides, and the chunk arrives before its interrupt does.
        assertTrue(watch.claim());
        go.countDown();
        await(watchdog.waitingForDelivery, "the request thread waits for the interrupt");
        watch.deliver();

        AttemptSupervisor.Result.Failed<TokenUsage> failed = assertInstanceOf(AttemptSupervisor.Result.Failed.class,
                t.await());
        assertEquals(List.of(), written, "nothing reached the client");
        assertEquals(0, t.beforeFirst.get());
        assertEquals(Progress.NOTHING_SENT, failed.progress(), "another deployment may still answer");
        assertTrue(failed.error().message().contains("no first token within the deployment's stream_timeout of 1 s"),
                failed.error().message());
    }

    @Test
    void aClientThatWentAwayEndsTheAttemptAsClientGone() throws Exception {
        ManualWatchdog watchdog = new ManualWatchdog();
        RequestThread t = new RequestThread(watchdog, json -> {
            throw new java.io.IOException("Broken pipe");
        }, sink -> {
            sink.chunk(chunk("a"));
            return TokenUsage.NONE;
        });
        watchdog.next();
        AttemptSupervisor.Result.Failed<TokenUsage> failed = assertInstanceOf(AttemptSupervisor.Result.Failed.class,
                t.await());
        assertEquals(Progress.CLIENT_GONE, failed.progress());
    }
}
