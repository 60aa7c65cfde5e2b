package dev.tollgate.controlplane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tollgate.controlplane.config.ConfigLoader;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.store.TestPostgres;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.RouterSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The config's router settings travel in every snapshot; per-deployment routing params stay deployment params. */
class RouterSettingsSnapshotTest {

    private static final String CONFIG = """
            model_list:
              - model_name: chat
                litellm_params: {model: openai/gpt-4o, weight: 3, order: 1, max_parallel_requests: 4}
              - model_name: chat
                litellm_params: {model: mock/backup}
              - model_name: small
                litellm_params: {model: mock/small}
            router_settings:
              routing_strategy: least-busy
              num_retries: 2
              retry_after: 0.25
              stream_timeout: 3
              allowed_fails: 1
              fallbacks: [{chat: [small]}]
              context_window_fallbacks: [{chat: [small]}]
              retry_policy: {RateLimitErrorRetries: 4}
              model_group_alias: {gpt-4: chat}
            litellm_settings:
              request_timeout: 90
              cooldown_time: 12
              drop_params: true
            """;

    @Test
    void snapshotCarriesRouterSettingsAndDeploymentRoutingParams() throws Exception {
        Path file = Files.createTempFile("router-settings", ".yaml");
        Files.writeString(file, CONFIG);
        GatewayConfig config = ConfigLoader.load(file);
        DataSource db = TestPostgres.newDatabase().dataSource();
        DeploymentRepository deployments = new DeploymentRepository(db);
        List<String> ids = deployments.replaceConfigDeployments(config.deployments());
        CredentialVault vault = new CredentialVault(Map.of());
        for (int i = 0; i < ids.size(); i++) {
            vault.put(ids.get(i), config.deployments().get(i).credential());
        }

        PolicySnapshot snapshot = new PolicyCompiler(deployments, new KeyRepository(db),
                new dev.tollgate.controlplane.teams.TeamRepository(db), new dev.tollgate.controlplane.users.UserRepository(db),
                vault, PriceMap.bundled(), RouterSettingsCompiler.compile(config.routing())).compile(7);

        RouterSettings r = snapshot.getRouterSettings();
        assertEquals("least-busy", r.getRoutingStrategy());
        assertEquals(2, r.getNumRetries());
        assertEquals(250, r.getRetryAfterMs());
        assertEquals(90_000, r.getTimeoutMs(), "litellm_settings.request_timeout fills router_settings.timeout");
        assertEquals(3_000, r.getStreamTimeoutMs());
        assertEquals(1, r.getAllowedFails());
        assertEquals(12_000, r.getCooldownTimeMs());
        assertEquals(List.of("small"), r.getFallbacksOrThrow("chat").getAliasesList());
        assertEquals(List.of("small"), r.getContextWindowFallbacksOrThrow("chat").getAliasesList());
        assertFalse(r.containsContentPolicyFallbacks("chat"));
        assertEquals(Map.of("RateLimitErrorRetries", 4), r.getRetryPolicyMap());
        assertEquals(Map.of("gpt-4", "chat"), r.getModelGroupAliasMap());

        var chat = snapshot.getAliasesList().stream().filter(a -> a.getName().equals("chat")).findFirst().orElseThrow();
        assertEquals("3", chat.getDeployments(0).getParamsOrThrow("weight"));
        assertEquals("1", chat.getDeployments(0).getParamsOrThrow("order"));
        assertEquals("4", chat.getDeployments(0).getParamsOrThrow("max_parallel_requests"));
        assertEquals("true", chat.getDeployments(1).getParamsOrThrow("drop_params"),
                "litellm_settings.drop_params is every deployment's default");
    }

    @Test
    void unsetFieldsAreAbsentSoTheSidecarDefaultsApply() {
        RouterSettings r = RouterSettingsCompiler.compile(dev.tollgate.controlplane.config.RoutingSettings.NONE);
        assertFalse(r.hasNumRetries());
        assertFalse(r.hasTimeoutMs());
        assertFalse(r.hasAllowedFails());
        assertEquals("", r.getRoutingStrategy());
    }
}
