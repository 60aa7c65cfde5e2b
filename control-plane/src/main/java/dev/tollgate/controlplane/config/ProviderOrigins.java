package dev.tollgate.controlplane.config;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where a deployment's provider calls may go, as an origin ({@code scheme://host:port}): its
 * {@code api_base}, else the provider's public endpoint. Strict mode ({@code exposure: control-plane})
 * relays a sidecar's call only to this origin, so that a sidecar cannot make the control plane send
 * the key anywhere else. Keep the defaults in step with the sidecar's adapters. Immutable.
 */
public final class ProviderOrigins {

    /** Public endpoints of providers whose adapters have a default base URL (others need api_base). */
    private static final Map<String, String> DEFAULTS = Map.of(
            "openai", "https://api.openai.com",
            "anthropic", "https://api.anthropic.com",
            "gemini", "https://generativelanguage.googleapis.com",
            "groq", "https://api.groq.com",
            "mistral", "https://api.mistral.ai",
            "deepseek", "https://api.deepseek.com",
            "together_ai", "https://api.together.xyz",
            "openrouter", "https://openrouter.ai",
            "fireworks_ai", "https://api.fireworks.ai");

    private ProviderOrigins() {
    }

    /** The origin calls of a deployment may go to; empty when it has no api_base and its provider no default. */
    public static Optional<String> allowed(String provider, String apiBase) {
        if (apiBase != null && !apiBase.isBlank()) {
            return origin(apiBase.strip());
        }
        return Optional.ofNullable(DEFAULTS.get(provider)).flatMap(ProviderOrigins::origin);
    }

    /**
     * {@code scheme://host:port} of an absolute http(s) URL, lower-cased, with the scheme's default
     * port made explicit; empty for anything else (a relative URL, user info, another scheme).
     */
    public static Optional<String> origin(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getRawUserInfo() != null) {
            return Optional.empty();
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port);
    }
}
