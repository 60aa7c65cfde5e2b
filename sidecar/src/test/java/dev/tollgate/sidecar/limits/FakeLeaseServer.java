package dev.tollgate.sidecar.limits;

import dev.tollgate.proto.control.v1.LeaseGrant;
import dev.tollgate.proto.control.v1.LeaseRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A control plane's lease answers in memory, for one window without end: grants from a limit the
 * way the real ledger does (want, at least need, at most half of what is left), answered on
 * another thread like a stream would. Thread-safe (one lock).
 */
final class FakeLeaseServer {

    private final long limit;
    private long allocated;
    private long consumed;
    private final Map<String, long[]> leases = new HashMap<>();
    private final ExecutorService answers = Executors.newSingleThreadExecutor();
    volatile boolean up = true;
    volatile int requests;

    FakeLeaseServer(long limit) {
        this.limit = limit;
    }

    /** The channel one sidecar's book uses. */
    LeaseChannel channelFor(LeaseBook book) {
        return new LeaseChannel() {
            @Override
            public boolean connected() {
                return up;
            }

            @Override
            public boolean send(LeaseRequest request) {
                if (!up) {
                    return false;
                }
                answers.execute(() -> book.onGrant(answer(request)));
                return true;
            }
        };
    }

    synchronized long allocated() {
        return allocated;
    }

    synchronized long consumed() {
        return consumed;
    }

    private synchronized LeaseGrant answer(LeaseRequest r) {
        requests++;
        long[] lease = leases.computeIfAbsent(r.getLeaseId(), id -> new long[2]);
        long newConsumed = Math.max(lease[1], r.getConsumed());
        allocated += Math.max(0, newConsumed - lease[0]) - Math.max(0, lease[1] - lease[0]);
        consumed += newConsumed - lease[1];
        lease[1] = newConsumed;
        lease[0] = Math.max(lease[0], newConsumed);
        LeaseGrant.Builder g = LeaseGrant.newBuilder().setSubject(r.getSubject()).setLeaseId(r.getLeaseId())
                .setLimit(limit).setWindowStartMs(1).setServerTimeMs(System.currentTimeMillis());
        if (r.getRelease()) {
            allocated -= Math.max(0, lease[0] - newConsumed);
            lease[0] = newConsumed;
            return g.setRefusal("released").setGranted(lease[0]).build();
        }
        long remaining = limit - allocated;
        long need = Math.max(1, r.getNeed());
        long amount = 0;
        if ((r.getNeed() > 0 || r.getWant() > 0) && remaining >= need) {
            amount = Math.min(remaining, Math.max(need, Math.min(Math.max(need, r.getWant()), (remaining + 1) / 2)));
        }
        allocated += amount;
        lease[0] += amount;
        g.setGranted(lease[0]).setWindowConsumed(consumed).setWindowAvailable(limit - allocated);
        if (amount == 0 && r.getNeed() > 0) {
            g.setRefusal("exhausted").setRetryAfterMs(200);
        }
        return g.build();
    }
}
