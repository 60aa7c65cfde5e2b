package dev.tollgate.controlplane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Replicas starting together each seed the config's deployments into the one database. */
class ConfigSeedingTest {

    @Test
    void replicasSeedingTheConfigTogetherNeverFail() throws Exception {
        List<ModelDeployment> config = List.of(
                new ModelDeployment("chat", "mock", "a", "", CredentialRef.NONE, Map.of()),
                new ModelDeployment("chat", "mock", "b", "", CredentialRef.NONE, Map.of()),
                new ModelDeployment("embed", "mock", "e", "", CredentialRef.NONE, Map.of()));
        try (Database db = TestDatabase.fresh()) {
            DeploymentRepository deployments = new DeploymentRepository(db.dataSource());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<?>> seeding = new ArrayList<>();
                for (int replica = 0; replica < 4; replica++) {
                    seeding.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < 10; i++) {
                            deployments.replaceConfigDeployments(config);
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : seeding) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(List.of("chat#0", "chat#1", "embed#0"),
                    deployments.all().stream().map(DeploymentRepository.StoredDeployment::id).toList());
        }
    }
}
