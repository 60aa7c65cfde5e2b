package dev.tollgate.controlplane.secrets;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One key-encryption key: 32 bytes of AES-256 key and its id, the first 8 hex digits of the
 * SHA-256 of the key (stored beside each ciphertext; it says which key sealed it, not the key).
 * Never printed: {@link #toString()} shows the id only. Immutable.
 */
public final class Kek {

    static final int LENGTH = 32;

    private final String id;
    private final SecretKey key;

    Kek(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a key-encryption key has " + bytes.length + " bytes (expected: "
                    + LENGTH + "; generate one with: openssl rand -base64 32)");
        }
        this.id = idOf(bytes);
        this.key = new SecretKeySpec(Arrays.copyOf(bytes, LENGTH), "AES");
    }

    public String id() {
        return id;
    }

    SecretKey key() {
        return key;
    }

    private static String idOf(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "Kek[" + id + "]";
    }
}
