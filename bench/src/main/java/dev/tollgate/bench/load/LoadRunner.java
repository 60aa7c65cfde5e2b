package dev.tollgate.bench.load;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Runs one block of load against one target and adds what it measured to a {@link Series}. A
 * block is short (a hundred requests, a second) so that the caller can alternate targets block
 * by block and slow drift of the machine falls on all of them alike. Closed loop: each worker
 * sends its next request when the previous answer is complete (like wrk), so latencies under
 * overload are those of a saturated server, not of an open arrival rate.
 */
public final class LoadRunner {

    /** What each request asks for. */
    public enum Kind {
        CHAT, STREAM,
        /** A stream of two chunks without a gap ({@link Target#warmUpStreamRequest()}): warm-up only. */
        WARM_UP_STREAM;

        boolean streams() {
            return this != CHAT;
        }
    }

    private LoadRunner() {
    }

    /** {@code count} requests one after another on connection 0 of the pool. */
    public static void sequential(ConnectionPool pool, Kind kind, int count, Series into) {
        pool.ensure(1);
        Worker w = new Worker(pool.get(0), request(pool.target(), kind), kind);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            w.once();
            if (i == 0 && w.lastLatencyNanos > 0) {
                into.addBlockStart(w.lastLatencyNanos);
            }
        }
        into.add(w.latency, kind.streams() ? w.firstByte : null, w.head, w.chunkDelay, w.requests, w.errors,
                System.nanoTime() - start, w.firstError);
    }

    /**
     * {@code count} requests on connection 0 of the pool, each after {@code pause} of silence (not
     * timed): an app that calls now and then, whose every request finds the target idle.
     */
    public static void paced(ConnectionPool pool, Kind kind, int count, Duration pause, Series into)
            throws InterruptedException {
        pool.ensure(1);
        Worker w = new Worker(pool.get(0), request(pool.target(), kind), kind);
        long busy = 0;
        for (int i = 0; i < count; i++) {
            Thread.sleep(pause);
            long start = System.nanoTime();
            w.once();
            busy += System.nanoTime() - start;
        }
        into.add(w.latency, kind.streams() ? w.firstByte : null, w.head, w.chunkDelay, w.requests, w.errors, busy,
                w.firstError);
    }

    /**
     * {@code connections} workers, one virtual thread each, sending until {@code duration} has
     * passed (at least one request each); the block ends when the last in-flight answer is in.
     */
    public static void concurrent(ConnectionPool pool, Kind kind, int connections, Duration duration, Series into)
            throws InterruptedException {
        pool.ensure(connections);
        byte[] request = request(pool.target(), kind);
        List<Worker> workers = new ArrayList<>(connections);
        List<Thread> threads = new ArrayList<>(connections);
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        for (int i = 0; i < connections; i++) {
            Worker w = new Worker(pool.get(i), request, kind);
            workers.add(w);
            threads.add(Thread.ofVirtual().name("load-" + pool.target().id() + "-" + i).start(() -> {
                do {
                    w.once();
                } while (System.nanoTime() < deadline);
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - start;
        Histogram latency = Series.newHistogram();
        Histogram firstByte = Series.newHistogram();
        Histogram head = Series.newHistogram();
        Histogram chunkDelay = Series.newHistogram();
        long requests = 0;
        long errors = 0;
        String firstError = null;
        for (Worker w : workers) {
            latency.add(w.latency);
            firstByte.add(w.firstByte);
            head.add(w.head);
            chunkDelay.add(w.chunkDelay);
            requests += w.requests;
            errors += w.errors;
            if (firstError == null) {
                firstError = w.firstError;
            }
        }
        into.add(latency, kind.streams() ? firstByte : null, head, chunkDelay, requests, errors, elapsed, firstError);
    }

    private static byte[] request(Target target, Kind kind) {
        return switch (kind) {
            case CHAT -> target.chatRequest();
            case STREAM -> target.streamRequest();
            case WARM_UP_STREAM -> target.warmUpStreamRequest();
        };
    }

    /** One connection's loop state. Confined to its thread until the block joins it. */
    private static final class Worker {
        final HttpConnection connection;
        final byte[] request;
        final Kind kind;
        final Histogram latency = Series.newHistogram();
        final Histogram firstByte = Series.newHistogram();
        final Histogram head = Series.newHistogram();
        final Histogram chunkDelay = Series.newHistogram();
        long requests;
        long errors;
        String firstError;
        /** The latency of the last request if it succeeded, else 0. */
        long lastLatencyNanos;

        Worker(HttpConnection connection, byte[] request, Kind kind) {
            this.connection = connection;
            this.request = request;
            this.kind = kind;
        }

        void once() {
            try {
                lastLatencyNanos = 0;
                connection.recordChunkDelays(kind.streams() ? chunkDelay : null);
                int status = connection.exchange(request);
                long end = System.nanoTime();
                if (status != 200) {
                    fail("HTTP " + status);
                    return;
                }
                if (kind.streams() && !connection.endedWithDone()) {
                    fail("stream did not end with [DONE] (" + connection.bodyLength() + " bytes)");
                    return;
                }
                lastLatencyNanos = end - connection.startNanos();
                latency.recordValue(lastLatencyNanos);
                if (connection.firstBodyNanos() != 0) {
                    firstByte.recordValue(connection.firstBodyNanos() - connection.startNanos());
                }
                head.recordValue(connection.headNanos() - connection.startNanos());
                requests++;
            } catch (IOException | RuntimeException e) {
                fail(e.toString());
                // don't spin on a target that refuses connections
                LockSupport.parkNanos(1_000_000);
            }
        }

        private void fail(String what) {
            errors++;
            if (firstError == null) {
                firstError = what;
            }
        }
    }
}
