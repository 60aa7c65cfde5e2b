package dev.tollgate.sidecar.upstream;

import java.net.URI;
import java.util.Locale;

/**
 * Where a pooled connection goes: scheme, host and port. Connections are shared only between
 * requests to the same origin.
 */
record Origin(boolean tls, String host, int port) {

    Origin {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected: the URI's host)");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    /** The origin of {@code uri}; an {@link IllegalArgumentException} for a scheme other than http and https. */
    static Origin of(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = switch (scheme) {
            case "https" -> true;
            case "http" -> false;
            default -> throw new IllegalArgumentException("unsupported URI scheme '" + scheme + "' in " + uri
                    + " (expected: http or https)");
        };
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in " + uri);
        }
        return new Origin(tls, uri.getHost(), uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort());
    }

    /** The Host header: the port only when it is not the scheme's default (as the JDK client sends it). */
    String hostHeader() {
        // URI.getHost() keeps an IPv6 literal's brackets, as the header needs them.
        return port == (tls ? 443 : 80) ? host : host + ":" + port;
    }
}
