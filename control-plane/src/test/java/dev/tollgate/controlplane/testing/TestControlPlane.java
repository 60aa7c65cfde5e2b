package dev.tollgate.controlplane.testing;

import dev.tollgate.controlplane.ControlPlane;
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
        this.db = TestDatabase.fresh();
        GatewayConfig config = new GatewayConfig(deployments, new CredentialRef.Literal(MASTER_KEY), CredentialRef.NONE,
                List.of());
        this.plane = ControlPlane.start(new ControlPlane.Settings(config, MASTER_KEY, Optional.empty(), "127.0.0.1", 0,
                "127.0.0.1", 0, Map.of()), db.dataSource(), clock);
        this.admin = new AdminClient(plane.adminPort(), MASTER_KEY);
    }

    @Override
    public void close() {
        plane.close();
        db.close();
    }
}
