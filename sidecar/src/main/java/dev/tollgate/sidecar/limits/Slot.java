package dev.tollgate.sidecar.limits;

import dev.tollgate.proto.control.v1.LeaseGrant;
import dev.tollgate.proto.control.v1.LeaseRequest;
import dev.tollgate.proto.control.v1.LeaseSubject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * This sidecar's share of one allowance (a budget, an rpm or a tpm limit of one entity): the
 * lease in force, leases being given back, and the last word of the control plane on the window.
 *
 * <p>Admission reserves an amount on the lease when it fits ({@code consumed + reserved + amount
 * <= granted}) and otherwise asks for more and waits, up to the caller's deadline, only while the
 * control stream is up; settlement moves the reservation to {@code consumed} at the actual
 * amount. Requests tagged unbounded (their estimate is not a true upper bound) run one at a time
 * per slot. Thread-safe: every field is guarded by {@link #lock}; callers never hold two slots'
 * locks at once.
 */
final class Slot {

    /** Why a reservation was refused. */
    enum Why {
        /** The control plane has allocated the whole limit of this window. */
        EXHAUSTED,
        /** No lease covers it and the control plane cannot be asked (stream down, or no answer in time). */
        UNAVAILABLE,
        /** Another request without an output cap is in flight on this slot. */
        UNBOUNDED_BUSY
    }

    /** What the slot knows of its window, for error messages and response headers. */
    record View(long limit, long windowConsumed, long windowAvailable, long windowEndMs, long room, long localConsumed) {
    }

    /** What {@link #reserve} gives: the lease holding the reservation, or why there is none. */
    sealed interface Reservation permits Held, Refused {
    }

    /** The reservation is held on {@code lease}. */
    record Held(Lease lease) implements Reservation {
    }

    /** A reservation that was refused; {@code retryAfterMs} is when asking again may help. */
    record Refused(Why why, View view, long retryAfterMs) implements Reservation {
    }

    /** One lease this slot holds or is giving back. */
    static final class Lease {
        final String id = UUID.randomUUID().toString();
        long windowStartMs;
        long windowEndMs;
        long granted;
        long consumed;
        long reserved;
        /** Consumed as last reported to the control plane. */
        long reportedConsumed;
        boolean requesting;
        long requestSentNanos;
        boolean releaseSent;
        long lastUseNanos = System.nanoTime();

        long room() {
            return granted - consumed - reserved;
        }
    }

    private static final long IDLE_RELEASE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long REQUEST_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** How often the demand rate is measured: short, so that a key's first burst soon asks for enough. */
    private static final long RATE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /**
     * Requests' worth asked for while the demand rate is not known yet. With 4, a key starting at a
     * few thousand requests a second waited for a top-up round trip every few requests during its
     * first second (the benchmark's budgeted key: p90 1 ms against 0.2 ms for a plain key); the control
     * plane still grants at most half of what remains, and an idle lease is given back after 5 s.
     */
    private static final int START_REQUESTS = 16;

    final LeaseSubject subject;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final LeaseChannel channel;
    private final LongSupplier serverNowMs;

    private String spec = "";
    private Lease lease;
    private final List<Lease> retiring = new ArrayList<>();
    private long refusedUntilMs;
    private Why refusedBecause = Why.EXHAUSTED;
    private long limit;
    private long windowConsumed;
    private long windowAvailable = -1;
    private long windowEndMs;
    private boolean unboundedInFlight;
    private long demand;
    private long demandSinceNanos = System.nanoTime();
    private long ratePerSecond;

    Slot(LeaseSubject subject, LeaseChannel channel, LongSupplier serverNowMs) {
        this.subject = subject;
        this.channel = channel;
        this.serverNowMs = serverNowMs;
    }

    /**
     * Reserves {@code amount}, waiting for a grant until {@code deadlineNanos} at most (and not at
     * all when the control stream is down). {@code spec} names the limit as the policy states it;
     * when it changes, the lease taken under the old limit is given back and a new one opened.
     */
    Reservation reserve(long amount, boolean bounded, String spec, long deadlineNanos) {
        lock.lock();
        try {
            if (!spec.equals(this.spec)) {
                this.spec = spec;
                retireCurrent();
                refusedUntilMs = 0;
                windowAvailable = -1;
            }
            while (true) {
                long now = serverNowMs.getAsLong();
                if (lease != null && lease.windowEndMs > 0 && now >= lease.windowEndMs) {
                    retireCurrent();
                    refusedUntilMs = 0;
                }
                if (lease == null) {
                    lease = new Lease();
                }
                boolean unboundedBlocked = !bounded && unboundedInFlight;
                if (!unboundedBlocked && lease.room() >= amount) {
                    lease.reserved += amount;
                    lease.lastUseNanos = System.nanoTime();
                    unboundedInFlight |= !bounded;
                    track(amount);
                    topUpIfLow(amount);
                    return new Held(lease);
                }
                if (!unboundedBlocked) {
                    if (now < refusedUntilMs) {
                        return new Refused(refusedBecause, view(), refusedUntilMs - now);
                    }
                    if (!channel.connected()) {
                        return new Refused(Why.UNAVAILABLE, view(), 1_000);
                    }
                    if (!lease.requesting && !request(lease, amount - lease.room(), want(amount), false)) {
                        return new Refused(Why.UNAVAILABLE, view(), 1_000);
                    }
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return new Refused(unboundedBlocked ? Why.UNBOUNDED_BUSY : Why.UNAVAILABLE, view(), 1_000);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Refused(Why.UNAVAILABLE, view(), 1_000);
        } finally {
            lock.unlock();
        }
    }

    /** Ends a reservation: {@code actual} is what the request consumed (0 for one rolled back). */
    void settle(Lease held, long reserved, long actual, boolean bounded) {
        lock.lock();
        try {
            held.reserved -= reserved;
            held.consumed += actual;
            held.lastUseNanos = System.nanoTime();
            if (!bounded) {
                unboundedInFlight = false;
            }
            if (held != lease && held.reserved == 0) {
                release(held);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Applies the control plane's answer about one of this slot's leases. */
    void onGrant(LeaseGrant grant) {
        lock.lock();
        try {
            Lease target = find(grant.getLeaseId());
            if (target == null) {
                return;
            }
            target.requesting = false;
            if (grant.getRefusal().equals("released")) {
                retiring.remove(target);
                if (target == lease) {
                    lease = null;
                }
                changed.signalAll();
                return;
            }
            if (grant.getWindowEndMs() > 0 || grant.getWindowStartMs() > 0) {
                if (target.windowStartMs == 0 || grant.getRefusal().isEmpty()) {
                    target.windowStartMs = grant.getWindowStartMs();
                    target.windowEndMs = grant.getWindowEndMs();
                }
                windowEndMs = grant.getWindowEndMs();
            }
            target.granted = Math.max(target.granted, grant.getGranted());
            if (grant.getLimit() > 0 || grant.getRefusal().isEmpty()) {
                limit = grant.getLimit();
                windowConsumed = grant.getWindowConsumed();
                windowAvailable = grant.getWindowAvailable();
            }
            long now = serverNowMs.getAsLong();
            switch (grant.getRefusal()) {
                case "" -> refusedUntilMs = 0;
                case "exhausted" -> refuse(Why.EXHAUSTED, now + Math.max(100, grant.getRetryAfterMs()));
                case "window_ended" -> {
                    if (target == lease) {
                        retireCurrent();
                    }
                }
                default -> refuse(Why.UNAVAILABLE, now + Math.max(100, grant.getRetryAfterMs()));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The stream went down: answers to requests in flight will not come. */
    void onDisconnected() {
        lock.lock();
        try {
            if (lease != null) {
                lease.requesting = false;
            }
            retiring.forEach(l -> {
                l.requesting = false;
                l.releaseSent = false;
            });
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Periodic care: gives back a lease idle for 5 s (so other sidecars can use its rest), and
     * leases whose window ended; re-sends releases and requests that got no answer.
     */
    void tick() {
        lock.lock();
        try {
            long nanos = System.nanoTime();
            long now = serverNowMs.getAsLong();
            if (lease != null && lease.reserved == 0 && (nanos - lease.lastUseNanos > IDLE_RELEASE_NANOS
                    || (lease.windowEndMs > 0 && now >= lease.windowEndMs))) {
                if (lease.granted > 0 || lease.consumed > 0) {
                    retireCurrent();
                } else if (!lease.requesting) {
                    lease = null;
                }
            }
            for (Lease l : List.copyOf(retiring)) {
                if (l.requesting && nanos - l.requestSentNanos > REQUEST_TIMEOUT_NANOS) {
                    l.requesting = false;
                    l.releaseSent = false;
                }
                if (l.reserved == 0 && !l.releaseSent) {
                    release(l);
                }
            }
            if (lease != null && lease.requesting && nanos - lease.requestSentNanos > REQUEST_TIMEOUT_NANOS) {
                lease.requesting = false;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    View view() {
        lock.lock();
        try {
            long room = lease == null ? 0 : Math.max(0, lease.room());
            long local = lease == null ? 0 : lease.consumed - lease.reportedConsumed;
            return new View(limit, windowConsumed, Math.max(0, windowAvailable), windowEndMs, room, local);
        } finally {
            lock.unlock();
        }
    }

    private void refuse(Why why, long untilMs) {
        refusedBecause = why;
        refusedUntilMs = untilMs;
    }

    private Lease find(String id) {
        if (lease != null && lease.id.equals(id)) {
            return lease;
        }
        for (Lease l : retiring) {
            if (l.id.equals(id)) {
                return l;
            }
        }
        return null;
    }

    private void retireCurrent() {
        if (lease == null) {
            return;
        }
        Lease old = lease;
        lease = null;
        if (old.granted == 0 && old.consumed == 0 && old.reserved == 0 && !old.requesting) {
            return;
        }
        retiring.add(old);
        if (old.reserved == 0) {
            release(old);
        }
    }

    private void release(Lease l) {
        if (l.releaseSent || l.requesting) {
            return;
        }
        l.releaseSent = request(l, 0, 0, true);
    }

    /** After a reservation: asks for more in the background when what is left is running low. */
    private void topUpIfLow(long amount) {
        long lowWater = Math.max(2 * amount, ratePerSecond / 2);
        if (lease.requesting || lease.room() >= lowWater || windowAvailable == 0 || !channel.connected()) {
            return;
        }
        request(lease, 0, want(amount), false);
    }

    /** Roughly two seconds of this sidecar's recent demand, and at least {@link #START_REQUESTS} requests' worth. */
    private long want(long amount) {
        return Math.max(START_REQUESTS * amount, 2 * ratePerSecond);
    }

    private void track(long amount) {
        long nanos = System.nanoTime();
        demand += amount;
        long elapsed = nanos - demandSinceNanos;
        if (elapsed >= RATE_PERIOD_NANOS) {
            ratePerSecond = demand * 1_000_000_000L / elapsed;
            demand = 0;
            demandSinceNanos = nanos;
        }
    }

    private boolean request(Lease l, long need, long want, boolean release) {
        LeaseRequest request = LeaseRequest.newBuilder()
                .setSubject(subject)
                .setLeaseId(l.id)
                .setWindowStartMs(l.windowStartMs)
                .setConsumed(l.consumed)
                .setReserved(l.reserved)
                .setNeed(Math.max(0, need))
                .setWant(Math.max(0, want))
                .setRelease(release)
                .build();
        boolean sent = channel.send(request);
        if (sent) {
            l.requesting = true;
            l.requestSentNanos = System.nanoTime();
            l.reportedConsumed = l.consumed;
        }
        return sent;
    }

    /** For tests: the leases held. */
    List<Lease> leases() {
        lock.lock();
        try {
            List<Lease> out = new ArrayList<>(retiring);
            if (lease != null) {
                out.add(lease);
            }
            return out;
        } finally {
            lock.unlock();
        }
    }
}
