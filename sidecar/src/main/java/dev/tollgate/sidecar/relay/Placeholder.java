package dev.tollgate.sidecar.relay;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the control-plane placeholder ({@code tgcp.<base64url(deployment id)>.<field>}, see the proto)
 * in a provider request's URL or headers, and the deployment it names. Stateless.
 */
final class Placeholder {

    private static final Pattern PATTERN = Pattern.compile("tgcp\\.([A-Za-z0-9_-]+)\\.[a-z_]+");

    private Placeholder() {
    }

    /** The deployment id of the first placeholder in {@code request}'s URL or header values. */
    static Optional<String> deploymentOf(HttpRequest request) {
        Optional<String> inUrl = find(request.uri().toString());
        if (inUrl.isPresent()) {
            return inUrl;
        }
        for (Map.Entry<String, List<String>> header : request.headers().map().entrySet()) {
            for (String value : header.getValue()) {
                Optional<String> found = find(value);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> find(String text) {
        if (!text.contains("tgcp.")) {
            return Optional.empty();
        }
        Matcher m = PATTERN.matcher(text);
        while (m.find()) {
            try {
                return Optional.of(new String(Base64.getUrlDecoder().decode(m.group(1)), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // not ours after all: keep looking
            }
        }
        return Optional.empty();
    }
}
