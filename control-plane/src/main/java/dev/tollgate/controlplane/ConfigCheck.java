package dev.tollgate.controlplane;

import dev.tollgate.controlplane.cloud.MintSpecs;
import dev.tollgate.controlplane.config.ConfigLoader;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.policy.DeploymentRepository;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tollgate config check FILE}: loads a config as the control plane would, without a database
 * or network, and prints its aliases, its deployments (provider, model, api_base, where each
 * credential comes from) and the environment variables it reads, marking the missing ones. Exit
 * code 0 when the control plane would start with it (warnings and missing provider variables
 * included), 1 when it would not. Never prints a secret.
 */
final class ConfigCheck {

    private ConfigCheck() {
    }

    static int run(Path file, Map<String, String> processEnv, PrintStream out) {
        GatewayConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigLoader.ConfigException | IOException e) {
            out.println("config " + file + ": INVALID");
            out.println("  " + e.getMessage().replace("\n", "\n  "));
            return 1;
        }
        Map<String, String> env = config.server().effectiveEnvironment(processEnv);
        List<String> errors = new ArrayList<>();
        List<String> warnings = config.warnings();
        Map<String, List<String>> variables = new LinkedHashMap<>();

        out.println("config " + file);
        Map<String, Integer> perAlias = new LinkedHashMap<>();
        config.deployments().forEach(d -> perAlias.merge(d.alias(), 1, Integer::sum));
        out.println();
        out.println("Aliases (" + perAlias.size() + "):");
        perAlias.forEach((alias, n) -> out.println("  " + alias + "  (" + n + " deployment" + (n == 1 ? "" : "s") + ")"));

        out.println();
        out.println("Deployments (" + config.deployments().size() + "):");
        Map<String, Integer> positions = new HashMap<>();
        for (ModelDeployment d : config.deployments()) {
            String id = DeploymentRepository.deploymentId(d.alias(), positions.merge(d.alias(), 1, Integer::sum) - 1);
            CredentialRef base = d.secretParams().getOrDefault("api_base", CredentialRef.NONE);
            String apiBase = !d.apiBase().isEmpty() ? d.apiBase()
                    : base instanceof CredentialRef.Env ? base.describe() + " (" + state(base, env) + ")" : "(provider default)";
            out.println("  " + id);
            out.println("      provider " + d.provider() + ", model " + d.model() + ", api_base " + apiBase);
            out.println("      api_key  " + credential(d.credential(), env));
            note(variables, d.credential(), id + " api_key");
            String named = d.params().get("litellm_credential_name");
            if (named != null) {
                boolean listed = config.credentials().stream().anyMatch(c -> c.name().equals(named));
                out.println("      credential  " + named + (listed ? " (credential_list)"
                        : " (not in credential_list: it must have been created with POST /credentials, or the start"
                                + " fails)"));
            }
            d.secretParams().forEach((name, ref) -> {
                if (!name.equals("api_base")) {
                    out.println("      " + name + "  " + credential(ref, env));
                }
                note(variables, ref, id + " " + name);
            });
            minting(d, env).ifPresent(line -> out.println("      mints    " + line));
        }

        config.credentials().forEach(c -> c.values().forEach((field, ref) ->
                note(variables, ref, "credential " + c.name() + " " + field)));
        note(variables, config.masterKey(), "general_settings.master_key");
        note(variables, config.sidecarToken(), "tollgate.sidecar_token");
        for (dev.tollgate.controlplane.config.SidecarEntry sidecar : config.sidecars()) {
            note(variables, sidecar.token(), "tollgate.sidecars[" + sidecar.name() + "].token");
            if (sidecar.token() instanceof CredentialRef.Env e && e.resolve(env).filter(t -> !t.isEmpty()).isEmpty()) {
                errors.add("tollgate.sidecars[" + sidecar.name() + "].token refers to " + e.describe()
                        + ", which is not set");
            }
        }
        note(variables, config.server().databaseUrl(), "general_settings.database_url");
        if (env.getOrDefault("TOLLGATE_MASTER_KEY", "").isEmpty()) {
            if (config.masterKey().equals(CredentialRef.NONE)) {
                errors.add("no master key: set general_settings.master_key or TOLLGATE_MASTER_KEY");
            } else if (config.masterKey().resolve(env).isEmpty()) {
                errors.add("general_settings.master_key refers to " + config.masterKey().describe()
                        + ", which is not set (nor is TOLLGATE_MASTER_KEY)");
            }
        }
        String database;
        try {
            database = DatabaseChoice.of(config, env).describe();
        } catch (Main.StartupException | ConfigLoader.ConfigException e) {
            database = "(invalid)";
            errors.add(e.getMessage());
        }
        out.println();
        out.println("Database: " + database);

        out.println();
        out.println("Environment variables (" + variables.size() + "):");
        List<String> missing = new ArrayList<>();
        variables.forEach((name, uses) -> {
            boolean set = !env.getOrDefault(name, "").isEmpty();
            if (!set) {
                missing.add(name);
            }
            out.println("  " + (set ? "set      " : "MISSING  ") + name + "  (" + String.join(", ", uses) + ")");
        });

        if (!warnings.isEmpty()) {
            out.println();
            out.println("Warnings (" + warnings.size() + "):");
            warnings.forEach(w -> out.println("  " + w.replace("\n", "\n  ")));
        }
        out.println();
        if (!errors.isEmpty()) {
            out.println("The control plane would not start with this config:");
            errors.forEach(e -> out.println("  " + e));
            return 1;
        }
        out.println("OK: " + perAlias.size() + " alias(es), " + config.deployments().size() + " deployment(s), "
                + warnings.size() + " warning(s), " + missing.size() + " missing environment variable(s)"
                + (missing.isEmpty() ? "" : ": " + String.join(", ", missing)
                        + " (the deployments that use them fail until they are set)"));
        return 0;
    }

    /** Whether the deployment mints a short-lived credential, and whether its params allow it (no network call). */
    private static java.util.Optional<String> minting(ModelDeployment d, Map<String, String> env) {
        Map<String, String> resolved = new HashMap<>();
        java.util.Set<String> unresolved = new java.util.HashSet<>();
        d.secretParams().forEach((name, ref) -> ref.resolve(env).ifPresentOrElse(v -> resolved.put(name, v),
                () -> unresolved.add(name)));
        return switch (MintSpecs.parse(d.provider(), d.params(), resolved, unresolved)) {
            case MintSpecs.Parsed.NotMinted n -> java.util.Optional.empty();
            case MintSpecs.Parsed.Mints m -> java.util.Optional.of(m.spec().kind()
                    + " (short-lived credential, minted at start and refreshed before expiry)");
            case MintSpecs.Parsed.Invalid i -> java.util.Optional.of(i.kind() + ": CANNOT MINT: " + i.message());
        };
    }

    private static void note(Map<String, List<String>> variables, CredentialRef ref, String use) {
        if (ref instanceof CredentialRef.Env e) {
            variables.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(use);
        }
    }

    private static String credential(CredentialRef ref, Map<String, String> env) {
        return switch (ref) {
            case CredentialRef.None n -> "none";
            case CredentialRef.Literal l -> "literal in the file";
            case CredentialRef.Env e -> e.describe() + " (" + state(e, env) + ")";
        };
    }

    private static String state(CredentialRef ref, Map<String, String> env) {
        return ref.resolve(env).isPresent() ? "set" : "MISSING";
    }
}
