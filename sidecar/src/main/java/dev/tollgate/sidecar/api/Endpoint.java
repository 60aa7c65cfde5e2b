package dev.tollgate.sidecar.api;

import java.net.URI;
import java.util.Optional;

/** Host and port of a provider base URL, for the {@code server.address}/{@code server.port} attributes. */
record Endpoint(String host, int port) {

    /** Parsed base URLs: a policy has a handful, and every request's usage record asks again. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Optional<Endpoint>> PARSED =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_CACHED = 4096;

    static Optional<Endpoint> of(String apiBase) {
        if (apiBase == null || apiBase.isEmpty()) {
            return Optional.empty();
        }
        Optional<Endpoint> known = PARSED.get(apiBase);
        if (known != null) {
            return known;
        }
        Optional<Endpoint> parsed = parse(apiBase);
        if (PARSED.size() < MAX_CACHED) {
            PARSED.put(apiBase, parsed);
        }
        return parsed;
    }

    private static Optional<Endpoint> parse(String apiBase) {
        try {
            URI uri = URI.create(apiBase);
            if (uri.getHost() == null) {
                return Optional.empty();
            }
            int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            return Optional.of(new Endpoint(uri.getHost(), port));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
