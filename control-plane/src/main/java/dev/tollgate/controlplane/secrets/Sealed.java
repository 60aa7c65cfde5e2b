package dev.tollgate.controlplane.secrets;

import java.util.Objects;

/**
 * A value sealed with AES-256-GCM: the id of the KEK that sealed it, the 96-bit nonce, and the
 * ciphertext with its 128-bit tag. What the database stores; useless without the KEK.
 */
public record Sealed(String keyId, byte[] nonce, byte[] ciphertext) {

    public Sealed {
        Objects.requireNonNull(keyId, "keyId");
        if (nonce == null || nonce.length != KeyRing.NONCE_BYTES) {
            throw new IllegalArgumentException("nonce: " + (nonce == null ? "null" : nonce.length + " bytes")
                    + " (expected: " + KeyRing.NONCE_BYTES + " bytes)");
        }
        Objects.requireNonNull(ciphertext, "ciphertext");
        nonce = nonce.clone();
        ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public String toString() {
        return "Sealed[" + keyId + ", " + ciphertext.length + " bytes]";
    }
}
