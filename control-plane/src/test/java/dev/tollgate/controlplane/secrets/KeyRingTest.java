package dev.tollgate.controlplane.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyRingTest {

    static final String KEK_1 = Base64.getEncoder().encodeToString(filled(1));
    static final String KEK_2 = Base64.getEncoder().encodeToString(filled(2));
    private static final String SECRET = "sk-provider-CANARY-0123456789";

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    @Test
    void sealedValueOpensOnlyWithItsAssociatedData() {
        KeyRing ring = KeyRing.fromEnvironment(Map.of(KeyRing.CURRENT_VARIABLE, KEK_1));
        Sealed sealed = ring.seal(SECRET, "tollgate/credential/a/api_key");
        assertFalse(new String(sealed.ciphertext(), StandardCharsets.ISO_8859_1).contains("CANARY"));
        assertEquals(new KeyRing.Opened.Plain(SECRET), ring.open(sealed, "tollgate/credential/a/api_key"));
        assertInstanceOf(KeyRing.Opened.Tampered.class, ring.open(sealed, "tollgate/credential/b/api_key"));
        byte[] flipped = sealed.ciphertext();
        flipped[0] ^= 1;
        assertInstanceOf(KeyRing.Opened.Tampered.class,
                ring.open(new Sealed(sealed.keyId(), sealed.nonce(), flipped), "tollgate/credential/a/api_key"));
    }

    @Test
    void eachValueGetsItsOwnNonce() {
        KeyRing ring = KeyRing.fromEnvironment(Map.of(KeyRing.CURRENT_VARIABLE, KEK_1));
        Sealed one = ring.seal(SECRET, "x");
        Sealed two = ring.seal(SECRET, "x");
        assertFalse(Arrays.equals(one.nonce(), two.nonce()));
        assertFalse(Arrays.equals(one.ciphertext(), two.ciphertext()));
    }

    @Test
    void keyIdIsTheFirst8HexOfTheSha256OfTheKek() throws Exception {
        KeyRing ring = KeyRing.fromEnvironment(Map.of(KeyRing.CURRENT_VARIABLE, KEK_1));
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(filled(1))).substring(0, 8);
        assertEquals(expected, ring.currentKeyId().orElseThrow());
    }

    @Test
    void previousKeysOpenOldValuesButNeverSeal() {
        Sealed old = KeyRing.fromEnvironment(Map.of(KeyRing.CURRENT_VARIABLE, KEK_1)).seal(SECRET, "x");
        KeyRing rotated = KeyRing.fromEnvironment(Map.of(KeyRing.CURRENT_VARIABLE, KEK_2,
                KeyRing.PREVIOUS_VARIABLE, "  " + KEK_1 + " ,"));
        assertEquals(new KeyRing.Opened.Plain(SECRET), rotated.open(old, "x"));
        assertNotEquals(old.keyId(), rotated.seal(SECRET, "x").keyId());
        KeyRing newOnly = KeyRing.fromEnvironment(Map.of(KeyRing.CURRENT_VARIABLE, KEK_2));
        assertEquals(new KeyRing.Opened.UnknownKey(old.keyId()), newOnly.open(old, "x"));
    }

    @Test
    void malformedKeysAreRefusedWithoutEchoingThem() {
        String shortKey = Base64.getEncoder().encodeToString("CANARY-too-short".getBytes(StandardCharsets.UTF_8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyRing.fromEnvironment(Map.of(KeyRing.CURRENT_VARIABLE, shortKey)));
        assertTrue(e.getMessage().contains("openssl rand -base64 32"), e.getMessage());
        assertFalse(e.getMessage().contains(shortKey), e.getMessage());
        IllegalArgumentException notBase64 = assertThrows(IllegalArgumentException.class,
                () -> KeyRing.fromEnvironment(Map.of(KeyRing.CURRENT_VARIABLE, KEK_1, KeyRing.PREVIOUS_VARIABLE,
                        "CANARY!!not-base64")));
        assertTrue(notBase64.getMessage().contains(KeyRing.PREVIOUS_VARIABLE), notBase64.getMessage());
        assertFalse(notBase64.getMessage().contains("CANARY"), notBase64.getMessage());
    }

    @Test
    void withoutACurrentKeyNothingIsSealed() {
        KeyRing ring = KeyRing.fromEnvironment(Map.of());
        assertTrue(ring.currentKeyId().isEmpty());
        assertThrows(IllegalStateException.class, () -> ring.seal(SECRET, "x"));
        assertFalse(ring.toString().contains(KEK_1));
    }
}
