package dev.tollgate.sidecar.testing;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * Usage records of a {@link TestSidecar}, awaited: the sidecar records usage after the response
 * is sent, so a test that has its response may not yet see the record.
 */
public final class UsageRecords {

    private UsageRecords() {
    }

    /** The {@code n}th record (0-based), waiting up to five seconds for it. */
    public static UsageRecord await(TestSidecar sidecar, int n) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        while (sidecar.usage.size() <= n) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("usage record " + n + " not recorded within 5s; have " + sidecar.usage.size());
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
        return sidecar.usage.get(n);
    }
}
