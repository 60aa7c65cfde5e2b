package dev.tollgate.bench;

import dev.tollgate.bench.load.ConnectionPool;
import dev.tollgate.bench.load.Target;
import dev.tollgate.bench.process.ManagedProcess;

/**
 * One side of the comparison: a target, the harness's connections to it, and the process that
 * serves it (whose CPU and memory are reported).
 */
record Arm(Target target, ConnectionPool pool, ManagedProcess server) {

    static Arm of(Target target, ManagedProcess server) {
        return new Arm(target, new ConnectionPool(target), server);
    }

    String id() {
        return target.id();
    }
}
