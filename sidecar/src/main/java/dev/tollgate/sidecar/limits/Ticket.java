package dev.tollgate.sidecar.limits;

import dev.tollgate.proto.control.v1.LeaseKind;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What an admitted request holds under its key's limits until it ends: reservations on leases and
 * parallel-request permits, and the rate/budget headers computed at admission. Settled exactly
 * once (later calls do nothing). Thread-safe.
 */
public final class Ticket {

    /** The ticket of a request that no limit binds. */
    public static final Ticket NONE = new Ticket(List.of(), List.of(), Map.of());

    /** One reservation: {@code amount} on {@code lease} of {@code slot}. */
    record Hold(Slot slot, Slot.Lease lease, long amount, boolean bounded, LeaseKind kind) {
    }

    private final List<Hold> holds;
    private final List<Semaphore> permits;
    private final Map<String, String> headers;
    private final AtomicBoolean settled = new AtomicBoolean();

    Ticket(List<Hold> holds, List<Semaphore> permits, Map<String, String> headers) {
        this.holds = List.copyOf(holds);
        this.permits = List.copyOf(permits);
        this.headers = Map.copyOf(headers);
    }

    /** {@code x-tollgate-key-spend}, {@code x-tollgate-key-max-budget}, {@code x-ratelimit-*}, where limits apply. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The request ended having cost {@code costMicros} and used {@code tokens} (prompt + completion). */
    public void settle(long costMicros, long tokens) {
        end(costMicros, tokens, false);
    }

    /** The request was not admitted after all: nothing it reserved counts. */
    void rollback() {
        end(0, 0, true);
    }

    private void end(long costMicros, long tokens, boolean rollback) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        for (Hold h : holds) {
            long actual = rollback ? 0 : switch (h.kind()) {
                case LEASE_KIND_BUDGET -> costMicros;
                case LEASE_KIND_TOKENS -> tokens;
                default -> 1;
            };
            h.slot().settle(h.lease(), h.amount(), actual, h.bounded());
        }
        permits.forEach(Semaphore::release);
    }
}
