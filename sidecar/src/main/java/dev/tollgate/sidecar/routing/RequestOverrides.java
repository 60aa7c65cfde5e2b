package dev.tollgate.sidecar.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * What one request asks of the router: headers {@code x-tollgate-num-retries},
 * {@code x-tollgate-timeout}, {@code x-tollgate-stream-timeout}, {@code x-tollgate-stream-idle-timeout},
 * {@code x-tollgate-disable-fallbacks}
 * (each also as LiteLLM's {@code x-litellm-…}), and the body fields LiteLLM accepts for the same
 * ({@code num_retries}, {@code timeout}, {@code stream_timeout}, {@code disable_fallbacks}; Tollgate's
 * {@code stream_idle_timeout}), which are
 * removed from the body so that no provider sees them. A header wins over the body. Immutable.
 *
 * @param timeoutSource where {@code timeout} came from, for timeout messages
 */
public record RequestOverrides(OptionalInt numRetries, Optional<Duration> timeout, String timeoutSource,
                               Optional<Duration> streamTimeout, String streamTimeoutSource,
                               Optional<Duration> streamIdleTimeout, String streamIdleTimeoutSource,
                               boolean disableFallbacks) {

    public static final RequestOverrides NONE = new RequestOverrides(OptionalInt.empty(), Optional.empty(), "",
            Optional.empty(), "", Optional.empty(), "", false);

    /** Reads the overrides and removes the router's fields from {@code body}; a bad value is a 400 naming it. */
    public static RequestOverrides from(Function<String, Optional<String>> header, ObjectNode body) {
        Found retries = find(header, body, "num-retries", "num_retries");
        Found timeout = find(header, body, "timeout", "timeout");
        Found streamTimeout = find(header, body, "stream-timeout", "stream_timeout");
        Found streamIdle = find(header, body, "stream-idle-timeout", "stream_idle_timeout");
        Found disable = find(header, body, "disable-fallbacks", "disable_fallbacks");
        return new RequestOverrides(
                retries == null ? OptionalInt.empty() : OptionalInt.of(retries.count()),
                timeout == null ? Optional.empty() : Optional.of(timeout.seconds()),
                timeout == null ? "" : timeout.source(),
                streamTimeout == null ? Optional.empty() : Optional.of(streamTimeout.seconds()),
                streamTimeout == null ? "" : streamTimeout.source(),
                streamIdle == null ? Optional.empty() : Optional.of(streamIdle.seconds()),
                streamIdle == null ? "" : streamIdle.source(),
                disable != null && disable.bool());
    }

    /** A value and where it was found: a header name, or "<field> in the request body". */
    private record Found(String value, String source) {

        int count() {
            try {
                int n = new BigDecimal(value.strip()).intValueExact();
                if (n >= 0 && n <= 100) {
                    return n;
                }
            } catch (ArithmeticException | NumberFormatException ignored) {
                // refused below
            }
            throw refusal("an integer from 0 to 100");
        }

        Duration seconds() {
            return Seconds.parse(value).orElseThrow(() -> refusal("seconds > 0, e.g. 30 or 2.5"));
        }

        boolean bool() {
            if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(value);
            }
            throw refusal("true or false");
        }

        private RuntimeException refusal(String expected) {
            return Failures.badField(source.split(" ")[0], source + ": \"" + value + "\" (expected: " + expected + ")")
                    .exception();
        }
    }

    private static Found find(Function<String, Optional<String>> header, ObjectNode body, String headerSuffix,
                              String bodyField) {
        JsonNode inBody = body.remove(bodyField);
        for (String name : new String[] {"x-tollgate-" + headerSuffix, "x-litellm-" + headerSuffix}) {
            Optional<String> value = header.apply(name);
            if (value.isPresent()) {
                return new Found(value.get(), name);
            }
        }
        if (inBody == null || inBody.isNull()) {
            return null;
        }
        return new Found(inBody.isValueNode() ? inBody.asText() : inBody.toString(), bodyField + " in the request body");
    }
}
