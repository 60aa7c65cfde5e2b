package dev.tollgate.controlplane.sidecars;

/** The answer to a sidecar's hello: admitted with an identity, or refused with a reason. */
public sealed interface Admission {

    /** Admitted: the stream serves {@code identity}. */
    record Admitted(SidecarIdentity identity) implements Admission {
    }

    /** No token matched (or none was presented where one is required). */
    record UnknownToken(String description) implements Admission {
    }

    /** The token is valid but was created for another sidecar name. */
    record WrongName(String description) implements Admission {
    }
}
