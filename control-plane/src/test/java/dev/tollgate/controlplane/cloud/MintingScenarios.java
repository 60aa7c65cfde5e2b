package dev.tollgate.controlplane.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.policy.CredentialOverlay;
import dev.tollgate.controlplane.policy.PolicyCompiler;
import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.proto.control.v1.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every kind of minted credential must do, against its fake token endpoint and a real control
 * plane with a test clock: replace the long-lived secret in the snapshot, refresh before expiry,
 * retry a failed refresh with backoff while the old token stays in use, say so in {@code /health},
 * withdraw a token that expired, and never let the long-lived secret out. Each provider's test class
 * supplies its config, fake and the place its adapter reads the token from. Tokens live an hour,
 * so the refresh is due at 48 minutes (80 % of the lifetime comes before 5 minutes before expiry).
 */
abstract class MintingScenarios {

    static final String ALIAS = "minted";
    static final Instant START = Instant.parse("2026-11-24T12:00:00Z");

    final TestClock clock = new TestClock(START);
    MintingHarness h;

    /** Starts the provider's fake token endpoint on {@link #clock}. */
    abstract void startFake() throws Exception;

    abstract void stopFake();

    /** The config: one alias {@link #ALIAS} that mints. */
    abstract String config();

    abstract Map<String, String> env();

    /** The n-th token the fake issues, as the sidecar's adapter will find it. */
    abstract String token(int n);

    /** The token the snapshot's deployment carries where the adapter reads it, or "" if none. */
    abstract String pushedToken(Deployment d);

    abstract void failWith(int status);

    /** The long-lived secrets (caller keys, client secret, private key) that must never leave the control plane. */
    abstract List<String> longLivedSecrets();

    /** What the failure that {@link #failWith(int)} causes is called in the control plane's message. */
    abstract String failureWord();

    void start() throws Exception {
        startFake();
        h = new MintingHarness(clock, config(), env());
    }

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        stopFake();
    }

    void afterTicking(Duration d) {
        clock.advance(d);
        h.plane.refreshMintedCredentials();
    }

    @Test
    void mintedTokenReplacesTheLongLivedSecretInTheSnapshot() throws Exception {
        start();
        Deployment d = h.deployment(ALIAS);
        assertEquals(token(1), pushedToken(d));
        assertFalse(d.containsParams(PolicyCompiler.CREDENTIAL_ERROR_PARAM), d.getParamsMap().keySet().toString());
        JsonNode check = h.mintCheck(ALIAS);
        assertEquals("pass", check.path("outcome").asText(), check.toString());
        assertTrue(check.path("detail").asText().contains("valid until " + START.plus(Duration.ofHours(1))),
                check.toString());
        h.assertNeverLeaked(longLivedSecrets());
        h.assertNotLoggedOrStored(List.of(token(1)));
    }

    @Test
    void tokenIsRefreshedBeforeExpiryAndTheNewOneReachesTheSnapshot() throws Exception {
        start();
        long first = h.version();
        afterTicking(Duration.ofMinutes(47));
        assertEquals(token(1), pushedToken(h.deployment(ALIAS)), "not due before 80 % of the lifetime");
        assertEquals(first, h.version());

        afterTicking(Duration.ofMinutes(1));
        assertEquals(token(2), pushedToken(h.deployment(ALIAS)));
        assertTrue(h.version() > first, "a refresh republishes the snapshot");
        assertEquals(token(2), pushedToken(h.snapshots.getLast().getAliasesList().stream()
                .filter(a -> a.getName().equals(ALIAS)).findFirst().orElseThrow().getDeployments(0)),
                "subscribed sidecars receive the refreshed token");
        // The next refresh is due 48 minutes after this one.
        afterTicking(Duration.ofMinutes(47));
        assertEquals(token(2), pushedToken(h.deployment(ALIAS)));
        afterTicking(Duration.ofMinutes(1));
        assertEquals(token(3), pushedToken(h.deployment(ALIAS)));
        h.assertNeverLeaked(longLivedSecrets());
        h.assertNotLoggedOrStored(List.of(token(1), token(2), token(3)));
    }

    @Test
    void failedRefreshIsRetriedWithBackoffWhileTheOldTokenStaysInUse() throws Exception {
        start();
        failWith(503);
        afterTicking(Duration.ofMinutes(48));
        assertEquals(token(1), pushedToken(h.deployment(ALIAS)), "the old token stays until it expires");
        JsonNode check = h.mintCheck(ALIAS);
        assertEquals("fail", check.path("outcome").asText(), check.toString());
        assertTrue(check.path("detail").asText().contains("refresh failed 1 time(s)"), check.toString());
        assertTrue(check.path("detail").asText().contains(failureWord()), check.toString());
        assertTrue(check.path("detail").asText().contains("stays in use until " + START.plus(Duration.ofHours(1))),
                check.toString());
        assertTrue(h.logs().contains("minting failed (1 in a row)"), "the failure is logged");

        afterTicking(Duration.ofMillis(999));
        assertEquals(1, h.plane.minting().status(idOf(ALIAS)).orElseThrow().failures(), "first retry after 1 s");
        afterTicking(Duration.ofMillis(1));
        assertEquals(2, h.plane.minting().status(idOf(ALIAS)).orElseThrow().failures());
        afterTicking(Duration.ofSeconds(1));
        assertEquals(2, h.plane.minting().status(idOf(ALIAS)).orElseThrow().failures(), "then after 2 s");
        afterTicking(Duration.ofSeconds(1));
        assertEquals(3, h.plane.minting().status(idOf(ALIAS)).orElseThrow().failures());

        failWith(0);
        afterTicking(Duration.ofSeconds(4));
        assertEquals(token(2), pushedToken(h.deployment(ALIAS)));
        assertEquals("pass", h.mintCheck(ALIAS).path("outcome").asText());
        h.assertNeverLeaked(longLivedSecrets());
    }

    @Test
    void tokenThatExpiresUnrefreshedIsWithdrawnAndTheDeploymentSaysWhy() throws Exception {
        start();
        failWith(503);
        afterTicking(Duration.ofMinutes(48));
        for (int i = 0; i < 12; i++) {
            afterTicking(Duration.ofMinutes(1));
        }
        Deployment d = h.deployment(ALIAS);
        assertEquals("", pushedToken(d), "an expired token is not pushed");
        String error = d.getParamsOrDefault(PolicyCompiler.CREDENTIAL_ERROR_PARAM, "");
        assertTrue(error.startsWith(CredentialOverlay.MINT_ERROR_PREFIX) && error.contains(failureWord()), error);
        assertEquals("fail", h.mintCheck(ALIAS).path("outcome").asText());
        assertTrue(h.mintCheck(ALIAS).path("detail").asText().contains("no usable credential"));
        h.assertNeverLeaked(longLivedSecrets());
    }

    @Test
    void failedFirstMintPushesNoSecretAndRecoversOnRetry() throws Exception {
        startFake();
        failWith(503);
        h = new MintingHarness(clock, config(), env());
        Deployment d = h.deployment(ALIAS);
        assertEquals("", pushedToken(d));
        assertTrue(d.getParamsOrDefault(PolicyCompiler.CREDENTIAL_ERROR_PARAM, "")
                .startsWith(CredentialOverlay.MINT_ERROR_PREFIX));
        assertEquals("fail", h.mintCheck(ALIAS).path("outcome").asText());

        failWith(0);
        afterTicking(Duration.ofSeconds(1));
        d = h.deployment(ALIAS);
        assertEquals(token(1), pushedToken(d));
        assertFalse(d.containsParams(PolicyCompiler.CREDENTIAL_ERROR_PARAM));
        h.assertNeverLeaked(longLivedSecrets());
    }

    static String idOf(String alias) {
        return alias + "#0";
    }
}
