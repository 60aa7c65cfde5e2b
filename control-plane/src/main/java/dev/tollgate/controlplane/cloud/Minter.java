package dev.tollgate.controlplane.cloud;

/** Obtains a short-lived credential for a spec, blocking. Implementations are thread-safe. */
@FunctionalInterface
public interface Minter {

    MintedCredential mint(MintSpec spec) throws MintFailure;

    /** The minter for each kind of spec, chosen by an exhaustive switch. */
    static Minter of(StsMinter aws, OAuthMinter oauth) {
        return spec -> switch (spec) {
            case MintSpec.AwsAssumeRole r -> aws.mint(r);
            case MintSpec.AzureClientCredentials c -> oauth.mintAzure(c);
            case MintSpec.GoogleServiceAccount g -> oauth.mintGoogle(g);
        };
    }

    /** Removes every secret of {@code spec} (and any extra ones) from text that is about to be logged or shown. */
    static String scrub(String text, MintSpec spec, String... extra) {
        String out = text == null ? "" : text;
        for (String secret : spec.secrets()) {
            out = scrubOne(out, secret);
        }
        for (String secret : extra) {
            out = scrubOne(out, secret);
        }
        return out;
    }

    private static String scrubOne(String text, String secret) {
        // Short values (an empty session token) would blank out ordinary words.
        return secret == null || secret.length() < 8 ? text : text.replace(secret, "****");
    }
}
