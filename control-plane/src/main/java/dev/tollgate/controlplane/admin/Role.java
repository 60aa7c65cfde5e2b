package dev.tollgate.controlplane.admin;

/**
 * What an admin caller may do, weakest first: a {@code viewer} reads (GET routes), an {@code admin}
 * also changes keys, teams, users and credentials, and only the master key mints admin keys and
 * rotates the key-encryption key.
 */
enum Role {
    VIEWER("viewer"),
    ADMIN("admin"),
    MASTER("the master key");

    final String label;

    Role(String label) {
        this.label = label;
    }

    boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    static Role of(String stored) {
        return switch (stored) {
            case "viewer" -> VIEWER;
            case "admin" -> ADMIN;
            default -> throw new IllegalArgumentException("admin key role: \"" + stored
                    + "\" (expected: admin or viewer)");
        };
    }
}
