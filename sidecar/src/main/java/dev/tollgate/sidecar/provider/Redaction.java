package dev.tollgate.sidecar.provider;

import java.util.regex.Pattern;

/**
 * Removes secrets from text that came from a provider (error bodies quote keys, e.g. OpenAI's
 * "Incorrect API key provided: sk-abc***xyz") before it reaches a client or a log.
 */
public final class Redaction {

    /** Tokens shaped like API keys: sk-..., AKIA..., long bearer-looking strings with key prefixes. */
    private static final Pattern KEY_LIKE = Pattern.compile(
            "(?i)\\b(sk|pk|rk|key|api[-_]?key|AKIA|ASIA|AIza)[-_A-Za-z0-9*.]{6,}");

    private Redaction() {
    }

    public static String scrub(String text, String secret) {
        if (text == null) {
            return "";
        }
        String out = text;
        if (secret != null && secret.length() >= 4) {
            out = out.replace(secret, "[redacted]");
        }
        return KEY_LIKE.matcher(out).replaceAll("[redacted]");
    }
}
