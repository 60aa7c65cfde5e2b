package dev.tollgate.sidecar.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

    private final Deadlines deadlines = new Deadlines(Duration.ofMillis(1));

    @Test
    void passedDeadlineClosesTheConnectionAndFinishSaysSo() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket socket = new Socket(server.getInetAddress(), server.getLocalPort())) {
            Deadlines.Watch watch = deadlines.watch(new Connection(new Origin(false, "127.0.0.1",
                    server.getLocalPort()), socket), System.nanoTime() - 1);
            // The watcher marks the watch fired, then forgets it and closes the connection: wait for all three.
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!(watch.fired() && socket.isClosed() && deadlines.watching() == 0)
                    && System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
            assertTrue(watch.fired(), "the watcher fired within 5 s");
            assertTrue(socket.isClosed());
            assertFalse(watch.finish(), "a fired watch cannot be finished: its connection must not be reused");
            assertEquals(0, deadlines.watching());
        }
    }

    @Test
    void finishedWatchIsForgottenAndNeverFires() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket socket = new Socket(server.getInetAddress(), server.getLocalPort())) {
            Deadlines.Watch watch = deadlines.watch(new Connection(new Origin(false, "127.0.0.1",
                    server.getLocalPort()), socket), System.nanoTime() + Duration.ofMinutes(1).toNanos());
            assertEquals(1, deadlines.watching());
            assertTrue(watch.finish());
            assertTrue(watch.finish(), "finish is idempotent");
            assertEquals(0, deadlines.watching());
            assertFalse(watch.fired());
            assertFalse(socket.isClosed());
        }
    }

    @Test
    void callWithoutDeadlineIsNotWatched() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket socket = new Socket(server.getInetAddress(), server.getLocalPort())) {
            Deadlines.Watch watch = deadlines.watch(new Connection(new Origin(false, "127.0.0.1",
                    server.getLocalPort()), socket), Long.MAX_VALUE);
            assertEquals(0, deadlines.watching());
            assertTrue(watch.finish());
        }
    }
}
