package dev.tollgate.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.bench.load.ConnectionPool;
import dev.tollgate.bench.load.HttpConnection;
import dev.tollgate.bench.load.LoadRunner;
import dev.tollgate.bench.load.Series;
import dev.tollgate.bench.load.Target;
import dev.tollgate.bench.upstream.FakeUpstream;
import dev.tollgate.bench.upstream.UpstreamSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The relay peer against the fake upstream, in-process on loopback. */
class JvmRelayTest {

    @Test
    void plainAndStreamedAnswersPassThroughOnKeptAliveConnections() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start(0, new UpstreamSettings(5, 0));
             JvmRelay relay = JvmRelay.bind(0, upstream.port())) {
            Thread loop = Thread.ofPlatform().daemon().start(() -> {
                try {
                    relay.run();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Target viaRelay = Target.of("jvm_relay", "relay", relay.port(), "/v1/chat/completions", Map.of(), "m");
            Target direct = Target.of("direct", "fake", upstream.port(), "/v1/chat/completions", Map.of(), "m");
            try (HttpConnection through = new HttpConnection(relay.port());
                 HttpConnection straight = new HttpConnection(upstream.port())) {
                assertEquals(200, straight.exchange(direct.streamRequest()));
                long streamBytes = straight.bodyLength();
                assertEquals(200, straight.exchange(direct.chatRequest()));
                long chatBytes = straight.bodyLength();

                for (int i = 0; i < 3; i++) {
                    assertEquals(200, through.exchange(viaRelay.chatRequest()));
                    assertEquals(chatBytes, through.bodyLength(), "the relay passes the answer byte for byte");
                    assertEquals(200, through.exchange(viaRelay.streamRequest()));
                    assertTrue(through.endedWithDone());
                    assertEquals(streamBytes, through.bodyLength());
                }
            }
            try (ConnectionPool pool = new ConnectionPool(viaRelay)) {
                Series concurrent = new Series();
                LoadRunner.concurrent(pool, LoadRunner.Kind.CHAT, 8, Duration.ofMillis(200), concurrent);
                assertEquals(0, concurrent.errors(), () -> "first error: " + concurrent.firstError());
                assertTrue(concurrent.requests() >= 8);
            }
            relay.close();
            loop.join(5_000);
            assertTrue(!loop.isAlive(), "close() ends the loop");
        }
    }

    @Test
    void theVirtualThreadRelayPassesTheSameBytes() throws Exception {
        threadPerDirectionRelayPassesTheSameBytes(true);
    }

    @Test
    void thePlatformThreadRelayPassesTheSameBytes() throws Exception {
        threadPerDirectionRelayPassesTheSameBytes(false);
    }

    private static void threadPerDirectionRelayPassesTheSameBytes(boolean virtual) throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start(0, new UpstreamSettings(5, 0));
             java.net.ServerSocket server = new java.net.ServerSocket(0, 16, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try {
                    if (virtual) {
                        JvmRelay.runVirtualThreads(server, upstream.port());
                    } else {
                        JvmRelay.runPlatformThreads(server, upstream.port());
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Target viaRelay = Target.of("jvm_relay_vt", "relay", server.getLocalPort(), "/v1/chat/completions", Map.of(), "m");
            Target direct = Target.of("direct", "fake", upstream.port(), "/v1/chat/completions", Map.of(), "m");
            try (HttpConnection through = new HttpConnection(server.getLocalPort());
                 HttpConnection straight = new HttpConnection(upstream.port())) {
                assertEquals(200, straight.exchange(direct.streamRequest()));
                long streamBytes = straight.bodyLength();
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, through.exchange(viaRelay.streamRequest()));
                    assertTrue(through.endedWithDone());
                    assertEquals(streamBytes, through.bodyLength(), "the relay passes the stream byte for byte");
                }
            }
            server.close();
            acceptor.join(5_000);
            assertTrue(!acceptor.isAlive(), "closing the server socket ends the accept loop");
        }
    }
}
