package dev.tollgate.sidecar.api;

import java.net.URI;
import java.util.Optional;

/** Host and port of a provider base URL, for the {@code server.address}/{@code server.port} attributes. */
record Endpoint(String host, int port) {

    static Optional<Endpoint> of(String apiBase) {
        if (apiBase == null || apiBase.isEmpty()) {
            return Optional.empty();
        }
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
