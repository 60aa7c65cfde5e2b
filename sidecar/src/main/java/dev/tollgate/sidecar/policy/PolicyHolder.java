package dev.tollgate.sidecar.policy;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sidecar's last-known-good policy. Readers on the request path never lock; the control
 * client swaps in each new snapshot whole. Thread-safe.
 */
public final class PolicyHolder {

    private final AtomicReference<Policy> current = new AtomicReference<>();

    /** The policy in force, or empty before the first snapshot arrived. */
    public Optional<Policy> current() {
        return Optional.ofNullable(current.get());
    }

    /** Installs {@code next} unless it is older than what is held (a late delivery after a reconnect). */
    public boolean install(Policy next) {
        while (true) {
            Policy held = current.get();
            if (held != null && held.version() > next.version()) {
                return false;
            }
            if (current.compareAndSet(held, next)) {
                return true;
            }
        }
    }

    public long version() {
        Policy held = current.get();
        return held == null ? 0 : held.version();
    }
}
