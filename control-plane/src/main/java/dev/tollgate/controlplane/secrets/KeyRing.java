package dev.tollgate.controlplane.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The control plane's key-encryption keys: the current one ({@code TOLLGATE_ENCRYPTION_KEY}), which
 * seals every new value, and older ones ({@code TOLLGATE_ENCRYPTION_KEY_PREVIOUS}, comma-separated),
 * which only open values sealed before a rotation. Each value gets a fresh random 96-bit nonce and is
 * bound by the associated data to where it belongs (credential name and field), so a ciphertext
 * moved to another row does not open. Thread-safe and immutable.
 */
public final class KeyRing {

    public static final String CURRENT_VARIABLE = "TOLLGATE_ENCRYPTION_KEY";
    public static final String PREVIOUS_VARIABLE = "TOLLGATE_ENCRYPTION_KEY_PREVIOUS";
    static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What opening a sealed value gave. */
    public sealed interface Opened {
        record Plain(String value) implements Opened {
            @Override
            public String toString() {
                return "Plain[****]";
            }
        }

        /** Sealed under a KEK that is neither the current nor a previous one. */
        record UnknownKey(String keyId) implements Opened {
        }

        /** The tag did not verify: the ciphertext, its nonce or its row was altered. */
        record Tampered(String keyId) implements Opened {
        }
    }

    private final Optional<Kek> current;
    private final Map<String, Kek> byId;

    KeyRing(Optional<Kek> current, List<Kek> previous) {
        this.current = current;
        Map<String, Kek> keys = new LinkedHashMap<>();
        current.ifPresent(k -> keys.put(k.id(), k));
        previous.forEach(k -> keys.putIfAbsent(k.id(), k));
        this.byId = Map.copyOf(keys);
    }

    /** No KEK at all: nothing can be sealed or opened. */
    public static KeyRing empty() {
        return new KeyRing(Optional.empty(), List.of());
    }

    /**
     * Reads both variables. A malformed value is refused with a message that names the variable and
     * how to make a good one (never the value).
     */
    public static KeyRing fromEnvironment(Map<String, String> env) {
        String current = env.getOrDefault(CURRENT_VARIABLE, "").trim();
        Optional<Kek> kek = current.isEmpty() ? Optional.empty() : Optional.of(parse(current, CURRENT_VARIABLE));
        List<Kek> previous = new ArrayList<>();
        String[] older = env.getOrDefault(PREVIOUS_VARIABLE, "").split(",");
        for (int i = 0; i < older.length; i++) {
            if (!older[i].isBlank()) {
                previous.add(parse(older[i].trim(), PREVIOUS_VARIABLE + " (entry " + (i + 1) + ")"));
            }
        }
        if (kek.isEmpty() && !previous.isEmpty()) {
            throw new IllegalArgumentException(PREVIOUS_VARIABLE + " is set but " + CURRENT_VARIABLE
                    + " is not: set the new key in " + CURRENT_VARIABLE + " (openssl rand -base64 32)");
        }
        return new KeyRing(kek, previous);
    }

    private static Kek parse(String base64, String variable) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + " is not base64 (expected: 32 random bytes in base64;"
                    + " generate one with: openssl rand -base64 32)");
        }
        try {
            return new Kek(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + ": " + e.getMessage());
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The KEK new values are sealed with, if one is configured. */
    public Optional<String> currentKeyId() {
        return current.map(Kek::id);
    }

    /** Ids of every KEK that can open values, the current one first. */
    public List<String> keyIds() {
        List<String> ids = new ArrayList<>();
        current.ifPresent(k -> ids.add(k.id()));
        byId.keySet().stream().filter(id -> current.isEmpty() || !id.equals(current.get().id())).sorted()
                .forEach(ids::add);
        return ids;
    }

    /**
     * Seals {@code value} under the current KEK, bound to {@code associatedData}.
     *
     * @throws IllegalStateException when no current KEK is configured (callers check
     *                               {@link #currentKeyId()} first and refuse with a clear error)
     */
    public Sealed seal(String value, String associatedData) {
        Kek kek = current.orElseThrow(() -> new IllegalStateException(CURRENT_VARIABLE + " is not set"));
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, kek.key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new Sealed(kek.id(), nonce, cipher.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is required by every JDK", e);
        }
    }

    /** Opens a value sealed by {@link #seal} with the same associated data. */
    public Opened open(Sealed sealed, String associatedData) {
        Kek kek = byId.get(sealed.keyId());
        if (kek == null) {
            return new Opened.UnknownKey(sealed.keyId());
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, kek.key(), new GCMParameterSpec(TAG_BITS, sealed.nonce()));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new Opened.Plain(new String(cipher.doFinal(sealed.ciphertext()), StandardCharsets.UTF_8));
        } catch (AEADBadTagException e) {
            return new Opened.Tampered(sealed.keyId());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is required by every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "KeyRing" + keyIds();
    }
}
