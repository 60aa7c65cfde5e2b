package dev.tollgate.controlplane.testing;

import dev.tollgate.controlplane.ControlPlane;
import dev.tollgate.controlplane.config.ConfigCredential;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.store.Database;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole control plane (admin API and control stream on free loopback ports) on a fresh test
 * database, with a clock the test controls. Its config has one alias, {@code chat}, on the mock
 * provider at $1 per million input and $2 per million output tokens.
 */
public final class TestControlPlane implements AutoCloseable {

    public static final String MASTER_KEY = "sk-master-test-0001";

    public final Database db;
    public final ControlPlane plane;
    public final AdminClient admin;

    public TestControlPlane(Clock clock) throws Exception {
        this(clock, List.of(new ModelDeployment("chat", "mock", "chat-v1", "", CredentialRef.NONE,
                Map.of("input_cost_per_token", "0.000001", "output_cost_per_token", "0.000002"))));
    }

    public TestControlPlane(Clock clock, List<ModelDeployment> deployments) throws Exception {
        this(clock, TestDatabase.fresh(), Ownership.OWNS_DATABASE, config(deployments, List.of()), Map.of());
    }

    /** Whether closing the control plane closes its database too (not when a test restarts on it). */
    public enum Ownership { OWNS_DATABASE, SHARES_DATABASE }

    /**
     * On {@code db} (which a test may keep across restarts), with named credentials and the given
     * environment (e.g. TOLLGATE_ENCRYPTION_KEY).
     */
    public TestControlPlane(Clock clock, Database db, Ownership ownership, GatewayConfig config,
                            Map<String, String> env) throws Exception {
        this.db = db;
        this.ownership = ownership;
        this.plane = ControlPlane.start(new ControlPlane.Settings(config, MASTER_KEY, Optional.empty(), "127.0.0.1", 0,
                "127.0.0.1", 0, env), db.dataSource(), clock);
        this.admin = new AdminClient(plane.adminPort(), MASTER_KEY);
    }

    private final Ownership ownership;

    public static GatewayConfig config(List<ModelDeployment> deployments, List<ConfigCredential> credentials) {
        return new GatewayConfig(deployments, new CredentialRef.Literal(MASTER_KEY), CredentialRef.NONE, List.of(),
                dev.tollgate.controlplane.config.ServerSettings.NONE, dev.tollgate.controlplane.config.RoutingSettings.NONE,
                credentials, List.of());
    }

    /** An admin client that presents {@code key} (an admin key) instead of the master key. */
    public AdminClient adminAs(String key) {
        return new AdminClient(plane.adminPort(), key);
    }

    @Override
    public void close() {
        plane.close();
        if (ownership == Ownership.OWNS_DATABASE) {
            db.close();
        }
    }
}
