package dev.tollgate.controlplane.sidecars;

import dev.tollgate.controlplane.keys.KeyHashing;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decides whether a hello's token admits a sidecar and with which scope: a stored per-sidecar
 * token (by its SHA-256), a {@code tollgate.sidecars} token, or the shared legacy token
 * (unscoped, any name). With no token configured anywhere the stream is open (loopback setups).
 * Also answers whether an admitted sidecar's stored token still exists, once per policy version,
 * which is how a deleted token closes its stream. Thread-safe.
 */
public final class SidecarAuthenticator {

    private static final System.Logger LOG = System.getLogger(SidecarAuthenticator.class.getName());

    private final Optional<String> sharedToken;
    private final List<ConfiguredSidecar> configured;
    private final SidecarTokenRepository stored;
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile LiveTokens live = new LiveTokens(-1, Set.of());

    private record LiveTokens(long version, Set<UUID> ids) {
    }

    public SidecarAuthenticator(Optional<String> sharedToken, List<ConfiguredSidecar> configured,
                                SidecarTokenRepository stored) {
        this.sharedToken = sharedToken;
        this.configured = List.copyOf(configured);
        this.stored = stored;
    }

    public Admission admit(String helloName, String token) throws SQLException {
        String name = helloName.isEmpty() ? "unnamed" : helloName;
        if (!token.isEmpty()) {
            Optional<SidecarToken> found = stored.findByHash(KeyHashing.sha256Hex(token));
            if (found.isPresent()) {
                SidecarToken t = found.get();
                return bound(name, t.sidecarName(), t.scope(), Optional.of(t.id()), "token " + t.id());
            }
            for (ConfiguredSidecar c : configured) {
                if (KeyHashing.constantTimeEquals(c.token(), token)) {
                    return bound(name, c.name(), c.scope(), Optional.empty(), "tollgate.sidecars token");
                }
            }
            if (sharedToken.isPresent() && KeyHashing.constantTimeEquals(sharedToken.get(), token)) {
                return new Admission.Admitted(new SidecarIdentity(name, SidecarScope.UNSCOPED, Optional.empty(),
                        "shared sidecar token"));
            }
        }
        if (sharedToken.isEmpty() && configured.isEmpty() && !stored.any()) {
            return new Admission.Admitted(new SidecarIdentity(name, SidecarScope.UNSCOPED, Optional.empty(),
                    "open control stream (no sidecar token configured)"));
        }
        return new Admission.UnknownToken(token.isEmpty()
                ? "no sidecar token: start the sidecar with TOLLGATE_SIDECAR_TOKEN or --token-file set to a token from"
                        + " /sidecar/token/new (or the control plane's shared sidecar token)"
                : "sidecar token rejected: it is not a token of this control plane (deleted, or mistyped); create one"
                        + " with /sidecar/token/new and start the sidecar with it");
    }

    private static Admission bound(String name, String boundName, SidecarScope scope, Optional<UUID> id, String source) {
        if (!boundName.equals(name)) {
            return new Admission.WrongName("this sidecar token belongs to sidecar '" + boundName + "', but the sidecar"
                    + " calls itself '" + name + "': start it with --name " + boundName
                    + ", or create a token for '" + name + "'");
        }
        return new Admission.Admitted(new SidecarIdentity(name, scope, id, source));
    }

    /**
     * Whether {@code identity} may keep its stream at policy {@code version}: a stored token must
     * still exist. Reads the table once per version (every token change publishes a new one); on a
     * database error it keeps the previous answer, so an outage does not disconnect every sidecar.
     */
    public boolean stillValid(SidecarIdentity identity, long version) {
        if (identity.storedToken().isEmpty()) {
            return true;
        }
        UUID id = identity.storedToken().get();
        LiveTokens held = live;
        if (held.version() >= version && held.ids().contains(id)) {
            return true;
        }
        // A newer version, or a token the cached list lacks: it may have been created after the list
        // was read (a sidecar can connect between a token's commit and its publish), so read again.
        refreshing.lock();
        try {
            held = live;
            if (held.version() < version || !held.ids().contains(id)) {
                held = new LiveTokens(Math.max(version, held.version()), stored.ids());
                live = held;
            }
            return held.ids().contains(id);
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "could not re-read sidecar tokens at policy version " + version
                    + "; connected sidecars keep their streams until the next version: " + e.getMessage());
            return true;
        } finally {
            refreshing.unlock();
        }
    }

    /** Whether any sidecar token is configured (the control stream is not open to anyone). */
    public boolean configured() {
        return sharedToken.isPresent() || !configured.isEmpty();
    }
}
