package dev.tollgate.controlplane.admin;

import dev.tollgate.controlplane.audit.AuditLog;
import java.util.Objects;

/**
 * Who is making the current admin request: its role and how the audit log names it
 * ({@code master_key}, or {@code admin_key:<hash>}). {@link AdminServer} sets it for the request's
 * handler; {@link Changes} reads it for the audit row. A thread-local fits because Helidon runs each
 * request's handler on its own virtual thread, and it spares every route a parameter it only passes on.
 */
record Caller(Role role, String actor) {

    static final Caller MASTER = new Caller(Role.MASTER, AuditLog.MASTER_KEY);
    private static final ThreadLocal<Caller> CURRENT = new ThreadLocal<>();

    Caller {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(actor, "actor");
    }

    /** The caller of the request this thread serves; the master key outside a request (tests, start-up). */
    static Caller current() {
        Caller caller = CURRENT.get();
        return caller == null ? MASTER : caller;
    }

    static void set(Caller caller) {
        CURRENT.set(caller);
    }

    static void clear() {
        CURRENT.remove();
    }
}
