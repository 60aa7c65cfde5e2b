package dev.tollgate.sidecar;

import dev.tollgate.sidecar.api.ApiServer;
import dev.tollgate.sidecar.control.ControlClient;
import dev.tollgate.sidecar.shutdown.Drain;
import dev.tollgate.sidecar.usage.UsageSpool;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A started sidecar and its stop sequence, which SIGTERM runs through the shutdown hook:
 * <ol>
 *   <li>drain: readiness turns 503 and new requests get 503 {@code shutting_down} with
 *       {@code Connection: close}; in-flight requests and streams may finish, up to the drain bound;</li>
 *   <li>cut what is still running at the bound (a stream ends with an SSE error event
 *       {@code shutting_down}; its usage is recorded as always) and give it {@link #CUT_GRACE} to end;</li>
 *   <li>stop the HTTP server (closing the listener and the idle connections);</li>
 *   <li>flush the usage spool to the control plane, waiting up to {@link #FLUSH} for its acks; what is
 *       not acknowledged stays in the spool file and is sent after the next start;</li>
 *   <li>close the control stream and the spool.</li>
 * </ol>
 * Thread-safe; {@link #stop()} runs the sequence once, later calls wait for it.
 */
final class RunningSidecar {

    static final Duration CUT_GRACE = Duration.ofSeconds(2);
    static final Duration FLUSH = Duration.ofSeconds(5);
    private static final System.Logger LOG = System.getLogger(RunningSidecar.class.getName());

    private final ApiServer api;
    private final Drain drain;
    private final ControlClient control;
    private final UsageSpool spool;
    private final Duration drainTimeout;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    RunningSidecar(ApiServer api, Drain drain, ControlClient control, UsageSpool spool, Duration drainTimeout) {
        this.api = api;
        this.drain = drain;
        this.control = control;
        this.spool = spool;
        this.drainTimeout = drainTimeout;
    }

    int port() {
        return api.port();
    }

    void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    void stop() {
        if (!stopping.compareAndSet(false, true)) {
            try {
                awaitStopped();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        long start = System.nanoTime();
        try {
            drain.begin();
            LOG.log(System.Logger.Level.INFO, "sidecar stopping: readiness 503, new requests refused; waiting up to "
                    + drainTimeout.toMillis() + " ms for " + drain.inFlight() + " request(s) in flight");
            if (!drain.awaitIdle(drainTimeout)) {
                int cut = drain.cutOff();
                LOG.log(System.Logger.Level.WARNING, "drain bound (--drain-timeout " + drainTimeout.toMillis()
                        + " ms) passed: cutting " + cut + " request(s) still running (code shutting_down)");
                if (!drain.awaitIdle(CUT_GRACE)) {
                    LOG.log(System.Logger.Level.WARNING, drain.inFlight() + " request(s) did not end after the cut; "
                            + "stopping anyway");
                }
            } else {
                LOG.log(System.Logger.Level.INFO, "every in-flight request finished");
            }
            api.close();
            long pending = spool.depth();
            control.drain(FLUSH.toMillis());
            long left = spool.depth();
            LOG.log(System.Logger.Level.INFO, "usage flushed: " + (pending - left) + " record(s) acknowledged"
                    + (left == 0 ? "" : ", " + left + " left in the spool for the next start (control plane "
                    + (control.connected() ? "slow to acknowledge" : "unreachable") + ")"));
            control.close();
            try {
                spool.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the usage spool: " + e.getMessage());
            }
            LOG.log(System.Logger.Level.INFO, "sidecar stopped in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }
}
