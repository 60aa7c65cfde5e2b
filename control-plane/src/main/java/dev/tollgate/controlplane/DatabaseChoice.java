package dev.tollgate.controlplane;

import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.DatabaseUrl;
import dev.tollgate.controlplane.config.GatewayConfig;
import java.util.Map;
import java.util.Optional;

/**
 * Which PostgreSQL the control plane uses: {@code TOLLGATE_DB_URL} (with {@code TOLLGATE_DB_USER} and
 * {@code TOLLGATE_DB_PASSWORD}), else LiteLLM's {@code general_settings.database_url}, else an embedded
 * server ({@link #url()} empty). {@code TOLLGATE_DB_USER}/{@code _PASSWORD} override the URL's own.
 *
 * @param source how the choice was made, for logs and {@code config check}
 */
record DatabaseChoice(Optional<DatabaseUrl> url, String user, String password, String source) {

    static DatabaseChoice of(GatewayConfig config, Map<String, String> env) {
        String override = env.getOrDefault("TOLLGATE_DB_URL", "");
        DatabaseUrl url;
        String source;
        if (!override.isEmpty()) {
            url = DatabaseUrl.parse(override, "TOLLGATE_DB_URL");
            source = "TOLLGATE_DB_URL";
        } else {
            CredentialRef ref = config.server().databaseUrl();
            if (ref.equals(CredentialRef.NONE)) {
                return new DatabaseChoice(Optional.empty(), "", "", "embedded (no general_settings.database_url, "
                        + "no TOLLGATE_DB_URL)");
            }
            String raw = ref.resolve(env).orElseThrow(() -> new Main.StartupException("general_settings.database_url "
                    + "refers to " + ref.describe() + ", which is not set in this process; set it, or remove "
                    + "database_url to use an embedded PostgreSQL"));
            source = "general_settings.database_url" + (ref instanceof CredentialRef.Env ? " (" + ref.describe() + ")" : "");
            url = DatabaseUrl.parse(raw, source);
        }
        String user = env.getOrDefault("TOLLGATE_DB_USER", "");
        String password = env.getOrDefault("TOLLGATE_DB_PASSWORD", "");
        return new DatabaseChoice(Optional.of(url), user.isEmpty() ? url.user() : user,
                password.isEmpty() ? url.password() : password, source);
    }

    String describe() {
        return url.map(u -> u.jdbcUrl() + (user.isEmpty() ? "" : " as " + user) + " (from " + source + ")")
                .orElse(source);
    }

    @Override
    public String toString() {
        return "DatabaseChoice[" + describe() + "]";
    }
}
