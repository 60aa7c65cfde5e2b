package dev.tollgate.sidecar.upstream;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle keep-alive connections per origin, newest first (a recently used connection is the least
 * likely to have been closed by the server). At most {@code maxIdlePerOrigin} are kept per origin;
 * a connection idle longer than {@code idleTimeout} is closed rather than reused. Connections in
 * use are not counted: the router's per-deployment limits bound those. Thread-safe and lock-free.
 */
final class ConnectionPool {

    private final int maxIdlePerOrigin;
    private final long idleTimeoutNanos;
    private final Map<Origin, Idle> idle = new ConcurrentHashMap<>();

    private record Idle(ConcurrentLinkedDeque<Connection> connections, AtomicInteger size) {
    }

    ConnectionPool(int maxIdlePerOrigin, Duration idleTimeout) {
        if (maxIdlePerOrigin < 0) {
            throw new IllegalArgumentException("maxIdlePerOrigin: " + maxIdlePerOrigin + " (expected: >= 0)");
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: >= 0)");
        }
        this.maxIdlePerOrigin = maxIdlePerOrigin;
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /** An idle connection to {@code origin} that has not outlived the idle timeout, or null. */
    Connection poll(Origin origin) {
        Idle pool = idle.get(origin);
        if (pool == null) {
            return null;
        }
        long now = System.nanoTime();
        for (Connection c = pool.connections.pollFirst(); c != null; c = pool.connections.pollFirst()) {
            pool.size.decrementAndGet();
            if (!c.isClosed() && now - c.idleSince < idleTimeoutNanos) {
                return c;
            }
            c.close();
        }
        return null;
    }

    /** Keeps {@code c} for the next request to its origin, or closes it when the origin has enough idle ones. */
    void release(Connection c) {
        if (c.isClosed()) {
            return;
        }
        Idle pool = idle.computeIfAbsent(c.origin, o -> new Idle(new ConcurrentLinkedDeque<>(), new AtomicInteger()));
        if (pool.size.incrementAndGet() > maxIdlePerOrigin) {
            pool.size.decrementAndGet();
            c.close();
            return;
        }
        c.idleSince = System.nanoTime();
        c.reused = true;
        pool.connections.offerFirst(c);
    }

    /** Idle connections held for {@code origin}, for tests. */
    int idleCount(Origin origin) {
        Idle pool = idle.get(origin);
        return pool == null ? 0 : pool.size.get();
    }

    void closeAll() {
        for (Idle pool : idle.values()) {
            for (Connection c = pool.connections.pollFirst(); c != null; c = pool.connections.pollFirst()) {
                pool.size.decrementAndGet();
                c.close();
            }
        }
    }
}
