package dev.tollgate.sidecar.limits;

import dev.tollgate.proto.control.v1.LeaseGrant;
import dev.tollgate.proto.control.v1.LeaseKind;
import dev.tollgate.proto.control.v1.LeaseSubject;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every lease this sidecar holds, one {@link Slot} per limited allowance. Routes the control
 * plane's grants to their slot, tells slots when the stream drops, and ticks them (idle release,
 * resends). Judges window ends on the control plane's clock: each grant carries it, and the
 * offset to the local clock is kept. Thread-safe.
 */
public final class LeaseBook {

    private static final System.Logger LOG = System.getLogger(LeaseBook.class.getName());

    private final Map<LeaseSubject, Slot> slots = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile LeaseChannel channel = LeaseChannel.DISCONNECTED;
    private volatile long offsetMs;

    public LeaseBook(Clock clock) {
        this.clock = clock;
    }

    /** Connects the book to the control stream (set once at start-up, before traffic). */
    public void attach(LeaseChannel channel) {
        this.channel = channel;
    }

    /** Starts the periodic care of leases on {@code scheduler}. */
    public void start(ScheduledExecutorService scheduler) {
        scheduler.scheduleWithFixedDelay(this::tick, 250, 250, TimeUnit.MILLISECONDS);
    }

    Slot slot(String entityKind, String entityId, LeaseKind kind) {
        LeaseSubject subject = LeaseSubject.newBuilder().setEntityKind(entityKind).setEntityId(entityId)
                .setKind(kind).build();
        return slots.computeIfAbsent(subject, s -> new Slot(s, forwarding, this::serverNowMs));
    }

    /** The control plane's clock as best known: local time plus the offset seen on the last grant. */
    long serverNowMs() {
        return clock.millis() + offsetMs;
    }

    public void onGrant(LeaseGrant grant) {
        if (grant.getServerTimeMs() > 0) {
            offsetMs = grant.getServerTimeMs() - clock.millis();
        }
        Slot slot = slots.get(grant.getSubject());
        if (slot != null) {
            slot.onGrant(grant);
        }
    }

    public void onDisconnected() {
        slots.values().forEach(Slot::onDisconnected);
    }

    void tick() {
        try {
            // Slots are never dropped (one per limited allowance, not per window): a slot removed
            // while a request reserves on it would strand that reservation's lease.
            slots.values().forEach(Slot::tick);
        } catch (RuntimeException e) {
            // Never let the periodic task die: releases and resends would stop.
            LOG.log(System.Logger.Level.WARNING, "lease upkeep failed: " + e);
        }
    }

    /** Slots see the channel through this, so attaching after they exist still reaches them. */
    private final LeaseChannel forwarding = new LeaseChannel() {
        @Override
        public boolean connected() {
            return channel.connected();
        }

        @Override
        public boolean send(dev.tollgate.proto.control.v1.LeaseRequest request) {
            return channel.send(request);
        }
    };
}
