package dev.tollgate.sidecar.api;

import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.policy.Policy;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;

/** Finds the virtual key of a request and checks it against the policy's key hashes. Thread-safe. */
final class Authenticator {

    private static final HeaderName X_API_KEY = HeaderNames.create("x-api-key");
    /** Never used itself: each request digests with a clone. */
    private static final MessageDigest SHA_256 = newSha256();

    private final Clock clock;

    Authenticator(Clock clock) {
        this.clock = clock;
    }

    Policy.KeyGrant authenticate(ServerRequest req, Policy policy) {
        String key = presentedKey(req);
        if (key.isEmpty()) {
            throw Failures.missingKey().exception();
        }
        Policy.KeyGrant grant = policy.key(sha256Hex(key)).orElseThrow(() -> Failures.invalidKey().exception());
        if (grant.blocked()) {
            throw Failures.blockedKey(grant.keyAlias()).exception();
        }
        grant.blockedOwner().ifPresent(owner -> {
            throw Failures.blockedOwner(grant.keyAlias(), owner.getKind(), owner.getDisplayName()).exception();
        });
        if (grant.expiredAt(clock.millis())) {
            throw Failures.expiredKey(grant.keyAlias()).exception();
        }
        return grant;
    }

    /** {@code Authorization: Bearer KEY}, else {@code x-api-key: KEY} (Anthropic clients). */
    private static String presentedKey(ServerRequest req) {
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        return req.headers().first(X_API_KEY).orElse(auth).trim();
    }

    static String sha256Hex(String text) {
        MessageDigest digest;
        try {
            // A clone skips the provider lookup of getInstance on every request.
            digest = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            digest = newSha256();
        }
        return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
