package dev.tollgate.controlplane.cloud;

/**
 * Minting failed: the token endpoint refused, answered something unreadable, or could not be
 * reached. The message says what to check and has every secret of the spec scrubbed out.
 */
public final class MintFailure extends Exception {

    public MintFailure(String message) {
        // No cause kept: a cause's message or stack could carry what the scrubbed message left out.
        super(message, null, false, false);
    }
}
