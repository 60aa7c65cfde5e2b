package dev.tollgate.sidecar;

import dev.tollgate.sidecar.control.ControlPlaneAddresses;
import dev.tollgate.sidecar.provider.UpstreamDebug;
import dev.tollgate.sidecar.telemetry.RequestObserver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a sidecar starts with, resolved once from flags, then {@code TOLLGATE_*} environment
 * variables, then defaults.
 *
 * @param drainTimeout how long SIGTERM lets in-flight requests and streams finish before cutting them
 * @param token        the sidecar token ({@code TOLLGATE_SIDECAR_TOKEN}; environment only, never a flag)
 */
record SidecarSettings(String listen, int port, ControlPlaneAddresses controlPlane, Path dataDir, String name,
                       RequestObserver.LogFormat logFormat, UpstreamDebug.Mode debug, Duration drainTimeout,
                       String token) {

    static final Duration DEFAULT_DRAIN = Duration.ofSeconds(20);

    SidecarSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(controlPlane, "controlPlane");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(debug, "debug");
        Objects.requireNonNull(token, "token");
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drain timeout: " + drainTimeout + " (expected: >= 0)");
        }
    }

    @Override
    public String toString() {
        // Never the token: a record's own toString would print it.
        return "SidecarSettings[listen=" + listen + ", port=" + port + ", controlPlane=" + controlPlane + ", dataDir="
                + dataDir + ", name=" + name + ", logFormat=" + logFormat + ", debug=" + debug + ", drainTimeout="
                + drainTimeout + ", token=" + (token.isEmpty() ? "(none)" : "****") + "]";
    }

    static SidecarSettings resolve(Flags flags, Map<String, String> env) throws UnknownHostException {
        RequestObserver.LogFormat logFormat = switch (flags.get("log-format", "text")) {
            case "text" -> RequestObserver.LogFormat.TEXT;
            case "json" -> RequestObserver.LogFormat.JSON;
            case "off" -> RequestObserver.LogFormat.OFF;
            default -> throw new IllegalArgumentException(flags.source("log-format", "--log-format") + ": '"
                    + flags.get("log-format", "") + "' (expected: text, json or off)");
        };
        return new SidecarSettings(flags.get("listen", "127.0.0.1"), flags.port("port", 4000),
                ControlPlaneAddresses.parse(flags.get("control-plane", "127.0.0.1:4101")),
                Path.of(flags.get("data-dir", ".tollgate/sidecar")),
                flags.value("name").orElse(InetAddress.getLocalHost().getHostName()), logFormat,
                flags.has("detailed-debug") ? UpstreamDebug.Mode.ALWAYS : UpstreamDebug.Mode.WHEN_KEY_ALLOWS,
                flags.seconds("drain-timeout", DEFAULT_DRAIN), env.getOrDefault("TOLLGATE_SIDECAR_TOKEN", ""));
    }
}
