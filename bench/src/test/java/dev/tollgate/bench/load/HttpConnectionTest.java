package dev.tollgate.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.bench.upstream.FakeUpstream;
import dev.tollgate.bench.upstream.UpstreamSettings;
import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The load generator against the fake upstream, in-process on loopback (well under a second). */
class HttpConnectionTest {

    @Test
    void plainAndStreamedAnswersAreReadWholeOnOneKeptAliveConnection() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start(0, new UpstreamSettings(5, 0));
             HttpConnection connection = new HttpConnection(upstream.port())) {
            Target t = Target.of("direct", "fake", upstream.port(), "/v1/chat/completions", Map.of(), "m");

            assertEquals(200, connection.exchange(t.chatRequest()));
            assertTrue(connection.bodyLength() > 100, "a whole chat.completion body");
            assertTrue(connection.firstBodyNanos() >= connection.startNanos());

            assertEquals(200, connection.exchange(t.streamRequest()));
            assertTrue(connection.endedWithDone(), "the stream ends with [DONE]");
        }
    }

    @Test
    void aWarmUpStreamIsTwoChunksWhereAMeasuredStreamHasAllOfThem() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start(0, new UpstreamSettings(40, 0));
             HttpConnection connection = new HttpConnection(upstream.port())) {
            Target t = Target.of("direct", "fake", upstream.port(), "/v1/chat/completions", Map.of(), "m");

            assertEquals(200, connection.exchange(t.streamRequest()));
            long measured = connection.bodyLength();
            assertEquals(200, connection.exchange(t.warmUpStreamRequest()));
            assertTrue(connection.endedWithDone(), "a warm-up stream ends with [DONE] too");
            long warmUp = connection.bodyLength();

            // 40 chunks of the same size against 2: the warm-up stream is well under a tenth as long.
            assertTrue(warmUp * 10 < measured, () -> "warm-up " + warmUp + " bytes, measured " + measured);
            assertEquals(200, connection.exchange(t.streamRequest()));
            assertEquals(measured, connection.bodyLength(), "the measured stream is unchanged after a warm-up one");
        }
    }

    @Test
    void eachStreamedChunkGivesItsDelayFromTheUpstreamsSend_aChatNone() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start(0, new UpstreamSettings(6, 0));
             HttpConnection connection = new HttpConnection(upstream.port())) {
            Target t = Target.of("direct", "fake", upstream.port(), "/v1/chat/completions", Map.of(), "m");
            Histogram delays = new Histogram(100, 120_000_000_000L, 3);
            connection.recordChunkDelays(delays);

            long before = System.nanoTime();
            assertEquals(200, connection.exchange(t.streamRequest()));
            long after = System.nanoTime();
            assertEquals(6, delays.getTotalCount(), "one delay per content chunk; the usage chunk is not stamped");
            assertTrue(delays.getMaxValue() <= after - before, "no chunk took longer than the whole exchange");

            assertEquals(200, connection.exchange(t.chatRequest()));
            assertEquals(6, delays.getTotalCount(), "a plain answer has no stamped chunk");
            connection.recordChunkDelays(null);
            assertEquals(200, connection.exchange(t.streamRequest()));
            assertEquals(6, delays.getTotalCount(), "nothing is recorded once stopped");
        }
    }

    @Test
    void aBlockCountsEveryAnswerAndNoErrors() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start(0, new UpstreamSettings(3, 0));
             ConnectionPool pool = new ConnectionPool(
                     Target.of("direct", "fake", upstream.port(), "/v1/chat/completions", Map.of(), "m"))) {
            Series sequential = new Series();
            LoadRunner.sequential(pool, LoadRunner.Kind.STREAM, 20, sequential);
            assertEquals(20, sequential.requests());
            assertEquals(20, sequential.firstByte().getTotalCount());
            assertEquals(60, sequential.chunkDelay().getTotalCount(), "three stamped chunks a stream");

            Series concurrent = new Series();
            LoadRunner.concurrent(pool, LoadRunner.Kind.CHAT, 4, Duration.ofMillis(100), concurrent);
            assertEquals(0, concurrent.errors(), () -> "first error: " + concurrent.firstError());
            assertEquals(concurrent.requests(), concurrent.latency().getTotalCount());
            assertTrue(concurrent.requests() >= 4, "every worker sends at least one request");
        }
    }
}
