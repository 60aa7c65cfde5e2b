package dev.tollgate.bench.load;

import java.util.ArrayList;
import java.util.List;

/**
 * The keep-alive connections the harness holds to one target, numbered; connection {@code i}
 * is used only by worker {@code i} of a block, so they stay warm from block to block. Not
 * thread-safe: grown only by the thread that starts a block.
 */
public final class ConnectionPool implements AutoCloseable {

    private final Target target;
    private final List<HttpConnection> connections = new ArrayList<>();

    public ConnectionPool(Target target) {
        this.target = target;
    }

    public Target target() {
        return target;
    }

    /** Makes sure connections 0..n-1 exist (they connect on first use). */
    void ensure(int n) {
        while (connections.size() < n) {
            connections.add(new HttpConnection(target.port()));
        }
    }

    HttpConnection get(int i) {
        return connections.get(i);
    }

    @Override
    public void close() {
        connections.forEach(HttpConnection::close);
    }
}
