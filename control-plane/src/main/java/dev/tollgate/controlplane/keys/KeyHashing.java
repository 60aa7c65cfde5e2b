package dev.tollgate.controlplane.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Virtual key text: generation, SHA-256 hashing and a short hint for display. Thread-safe. */
public final class KeyHashing {

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyHashing() {
    }

    /** A new key: {@code sk-} and 32 characters of URL-safe base64 (192 random bits). */
    public static String newKey() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return "sk-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Lowercase hex SHA-256 of the key text, as stored and as sidecars compare it. */
    public static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    /** Whether a string is already a key hash (64 lowercase hex digits) rather than a key. */
    public static boolean isHash(String text) {
        return text.length() == 64 && text.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    /** {@code sk-...abcd}: enough to tell keys apart in a listing, useless to an attacker. */
    public static String hint(String key) {
        return "sk-..." + key.substring(Math.max(0, key.length() - 4));
    }

    /** Compares secrets in time independent of where they differ. */
    public static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
