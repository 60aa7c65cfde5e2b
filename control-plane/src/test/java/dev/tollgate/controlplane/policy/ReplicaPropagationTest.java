package dev.tollgate.controlplane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.teams.TeamRepository;
import dev.tollgate.controlplane.testing.TestDatabase;
import dev.tollgate.controlplane.users.UserRepository;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two publishers on one database, as two control-plane replicas run: B learns of A's changes. */
class ReplicaPropagationTest {

    private Database db;
    private DeploymentRepository deployments;
    private PolicyPublisher a;
    private PolicyPublisher b;
    private PolicyChangeListener listenerB;
    private final List<PolicySnapshot> pushedByB = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        db = TestDatabase.fresh();
        deployments = new DeploymentRepository(db.dataSource());
        deployments.replaceConfigDeployments(List.of(deployment("chat")));
        a = publisher();
        b = publisher();
        a.publish();
        b.publish();
        b.subscribe(pushedByB::add);
        listenerB = new PolicyChangeListener(() -> db.openDedicated("tollgate-policy-listener"), b, Duration.ofSeconds(5)).start();
    }

    @AfterEach
    void stop() {
        listenerB.close();
        db.close();
    }

    @Test
    void changePublishedOnOneReplicaReachesTheOtherWithin1SecondWithAHigherVersion() throws Exception {
        deployments.replaceConfigDeployments(List.of(deployment("chat"), deployment("embed")));
        long published = a.publish().getVersion();

        assertTrue(await(Duration.ofSeconds(1), () -> b.current().getAliasesCount() == 2),
                "replica B still serves " + b.current().getAliasesCount() + " alias(es)");
        assertTrue(b.current().getVersion() > published, "B's sidecars need a version above A's " + published);
        // B's catch-up announces nothing, so A (and B) are not woken again: no ping-pong.
        assertEquals(published, a.announcedVersion());
        long[] versions = pushedByB.stream().mapToLong(PolicySnapshot::getVersion).toArray();
        for (int i = 1; i < versions.length; i++) {
            assertTrue(versions[i] > versions[i - 1], "versions pushed to B's sidecars go up");
        }
    }

    @Test
    void listenerReconnectsAfterItsConnectionIsKilledAndCatchesUp() throws Exception {
        assertTrue(await(Duration.ofSeconds(5), () -> listeners() == 1), "listener not connected");
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                    + " where application_name = 'tollgate-policy-listener' and datname = current_database()");
        }
        deployments.replaceConfigDeployments(List.of(deployment("chat"), deployment("embed")));
        a.publish();

        assertTrue(await(Duration.ofSeconds(8), () -> b.current().getAliasesCount() == 2),
                "replica B did not catch up after its listener connection was killed");
    }

    private int listeners() {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("select count(*) from pg_stat_activity "
                    + " where application_name = 'tollgate-policy-listener' and datname = current_database()")) {
            rs.next();
            return rs.getInt(1);
        } catch (Exception e) {
            return -1;
        }
    }

    private PolicyPublisher publisher() {
        return new PolicyPublisher(db.dataSource(), new PolicyCompiler(deployments, new KeyRepository(db.dataSource()),
                new TeamRepository(db.dataSource()), new UserRepository(db.dataSource()), new CredentialVault(Map.of()),
                PriceMap.bundled()));
    }

    private static ModelDeployment deployment(String alias) {
        return new ModelDeployment(alias, "mock", "m", "", CredentialRef.NONE, Map.of());
    }

    private static boolean await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }
}
