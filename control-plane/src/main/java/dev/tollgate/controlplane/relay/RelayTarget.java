package dev.tollgate.controlplane.relay;

import dev.tollgate.controlplane.config.ProviderOrigins;
import dev.tollgate.controlplane.policy.StrictPlaceholders;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.RelayHeader;
import dev.tollgate.proto.control.v1.RelayRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A relay request checked against its deployment and with the secrets put in: the URL's origin is
 * the deployment's ({@link ProviderOrigins}), and only that deployment's placeholders are replaced,
 * only in credential headers and the URL's query (never the body, which the provider may echo).
 *
 * @param uri     the URL to call, secrets in its query where placeholders were
 * @param headers headers to send, secrets in place; hop-by-hop headers the HTTP client sets itself are left out
 * @param secrets the secret values, to scrub from error bodies
 */
record RelayTarget(URI uri, List<RelayHeader> headers, List<String> secrets, String origin) {

    /** Headers that carry credentials: the only ones whose placeholders are replaced. */
    static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "x-api-key", "api-key", "x-goog-api-key");
    /** Set by the HTTP client itself; the JDK client refuses them. */
    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "keep-alive", "transfer-encoding", "te", "trailer", "proxy-connection", "http2-settings");

    RelayTarget {
        Objects.requireNonNull(uri, "uri");
        headers = List.copyOf(headers);
        secrets = List.copyOf(secrets);
    }

    /** Why a relay request is refused; the message names the deployment and hosts, never a secret. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * Checks {@code request} against {@code deployment} and substitutes {@code secretsByField}
     * (field → secret, e.g. {@code api_key}).
     */
    static RelayTarget of(RelayRequest request, Deployment deployment, Map<String, String> secretsByField)
            throws Refused {
        String allowed = ProviderOrigins.allowed(deployment.getProvider(), deployment.getApiBase())
                .orElseThrow(() -> new Refused("deployment '" + deployment.getId() + "' has no api_base the control "
                        + "plane can relay to"));
        String asked = ProviderOrigins.origin(request.getUrl())
                .orElseThrow(() -> new Refused("relay URL for deployment '" + deployment.getId()
                        + "' is not an absolute http(s) URL"));
        if (!asked.equals(allowed)) {
            throw new Refused("deployment '" + deployment.getId() + "' may only be relayed to " + allowed
                    + ", not " + asked);
        }
        Map<String, String> swaps = StrictPlaceholders.substitutions(deployment.getId(), secretsByField);
        URI uri = URI.create(withQuery(request.getUrl(), swaps));
        List<RelayHeader> headers = new ArrayList<>();
        for (RelayHeader h : request.getHeadersList()) {
            String name = h.getName().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(name) || name.startsWith(":")) {
                continue;
            }
            String value = CREDENTIAL_HEADERS.contains(name) ? replaceAll(h.getValue(), swaps, false) : h.getValue();
            headers.add(RelayHeader.newBuilder().setName(h.getName()).setValue(value).build());
        }
        return new RelayTarget(uri, headers, List.copyOf(swaps.values()), allowed);
    }

    /** The URL with placeholders in its query replaced (URL-encoded); the rest of it unchanged. */
    private static String withQuery(String url, Map<String, String> swaps) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        int hash = url.indexOf('#', q);
        String query = hash < 0 ? url.substring(q) : url.substring(q, hash);
        return url.substring(0, q) + replaceAll(query, swaps, true) + (hash < 0 ? "" : url.substring(hash));
    }

    private static String replaceAll(String text, Map<String, String> swaps, boolean urlEncode) {
        String out = text;
        for (Map.Entry<String, String> swap : swaps.entrySet()) {
            out = out.replace(swap.getKey(),
                    urlEncode ? URLEncoder.encode(swap.getValue(), StandardCharsets.UTF_8) : swap.getValue());
        }
        return out;
    }

    @Override
    public String toString() {
        // uri may carry a secret in its query
        return "RelayTarget[" + origin + ", " + headers.size() + " headers]";
    }
}
