package dev.tollgate.controlplane;

import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.store.Database;
import java.io.PrintStream;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code tollgate control-plane --print-config}: the configuration a start would use, resolved from
 * flags, the config file and the environment, with every secret shown only as where it comes from
 * and its length. Starts nothing.
 */
final class PrintConfig {

    private PrintConfig() {
    }

    static void print(Main.Effective e, PrintStream out) {
        out.println("# tollgate control-plane: effective configuration (secrets masked; source in brackets:"
                + " --flag, TOLLGATE_ variable, config file or default)");
        out.println("config:          [" + e.sources().get("config") + "]");
        out.println("admin_api:       " + e.adminHost() + ":" + e.adminPort() + "  [" + e.sources().get("admin-host")
                + ", " + e.sources().get("admin-port") + "]");
        out.println("control_stream:  " + e.grpcHost() + ":" + e.grpcPort() + "  [" + e.sources().get("grpc-host")
                + ", " + e.sources().get("grpc-port") + "]");
        out.println("data_dir:        " + e.dataDir() + "  [" + e.sources().get("data-dir") + "]");
        out.println("drain_timeout:   " + e.drainTimeout().toMillis() / 1000.0 + " s  ["
                + e.sources().get("drain-timeout") + "]");
        out.println("database:        " + Database.redact(e.database().describe()));
        out.println("database_password: " + mask(Optional.ofNullable(e.database().password()).filter(p -> !p.isEmpty()),
                "TOLLGATE_DB_PASSWORD or the URL"));
        out.println("master_key:      " + mask(Optional.of(e.masterKey()), e.masterKeySource()));
        out.println("sidecar_token:   " + mask(e.sidecarToken(), "TOLLGATE_SIDECAR_TOKEN or tollgate.sidecar_token"));
        out.println("otlp_endpoint:   " + Optional.ofNullable(e.env().get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
                .or(() -> Optional.ofNullable(e.env().get("OTEL_EXPORTER_OTLP_ENDPOINT"))).orElse("(traces off)")
                + " (" + e.env().getOrDefault("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc") + ")");
        out.println("deployments:     " + e.config().deployments().size());
        for (ModelDeployment d : e.config().deployments()) {
            out.println("  - alias: " + d.alias());
            out.println("    model: " + d.provider() + "/" + d.model());
            if (!d.apiBase().isEmpty()) {
                out.println("    api_base: " + d.apiBase());
            }
            out.println("    api_key: " + describe(d.credential().describe(),
                    d.credential().resolve(e.env()).isPresent()));
            new TreeMap<>(d.params()).forEach((k, v) -> out.println("    " + k + ": " + v));
            new TreeMap<>(d.secretParams()).forEach((k, ref) -> out.println("    " + k + ": "
                    + describe(ref.describe(), ref.resolve(e.env()).isPresent())));
        }
    }

    /** Where a secret comes from and whether it is there; never a character of it. */
    static String mask(Optional<String> secret, String source) {
        return secret.map(s -> "**** (" + s.length() + " characters, from " + source + ")")
                .orElse("(not set: " + source + ")");
    }

    private static String describe(String reference, boolean present) {
        if (reference.equals("none")) {
            return "(none)";
        }
        return reference + (present ? " (set, ****)" : " (NOT SET in this process)");
    }
}
