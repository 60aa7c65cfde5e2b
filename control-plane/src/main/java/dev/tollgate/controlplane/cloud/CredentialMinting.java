package dev.tollgate.controlplane.cloud;

import dev.tollgate.controlplane.policy.CredentialOverlay;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The short-lived credentials of every deployment that mints, in this replica's memory only (each
 * replica mints its own; nothing goes to PostgreSQL). {@link #runDue()} mints what is due by the
 * injected clock: first mints, refreshes before expiry ({@link RefreshPolicy}), retries with
 * backoff. A failed refresh keeps the previous credential in use until it expires. The policy
 * compiler reads the result through {@link CredentialOverlay}. Thread-safe: {@code runDue} is
 * serialised; readers see each deployment's latest state without locking.
 */
public final class CredentialMinting implements CredentialOverlay {

    private static final System.Logger LOG = System.getLogger(CredentialMinting.class.getName());

    /** Every param a minting deployment may hold a long-lived secret in; withheld when its spec is unreadable. */
    private static final Set<String> ALL_MINTING_SECRETS = Set.of("aws_access_key_id", "aws_secret_access_key",
            "aws_session_token", "client_secret", "azure_ad_token", "vertex_credentials");

    /** What {@code doctor} and {@code /health} show for one minting deployment; never a secret. */
    public record Status(String deploymentId, String kind, Optional<Instant> expiresAt, Optional<String> lastError,
                         int failures, Optional<Instant> nextAttempt) {
        public boolean usable() {
            return expiresAt.isPresent();
        }
    }

    /** One deployment's state; {@code spec} is empty when its params could not be read (no retry helps). */
    private record Slot(Optional<MintSpec> spec, String kind, Optional<MintedCredential> current,
                        Optional<String> lastError, int failures, Optional<Instant> nextAttempt) {
    }

    private final Minter minter;
    private final Clock clock;
    private final RefreshPolicy policy;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final ReentrantLock running = new ReentrantLock();

    public CredentialMinting(Minter minter, Clock clock, RefreshPolicy policy) {
        this.minter = minter;
        this.clock = clock;
        this.policy = policy;
    }

    /** Adds a deployment whose params were read by {@link MintSpecs#parse}; one that does not mint is ignored. */
    public void register(String deploymentId, MintSpecs.Parsed parsed) {
        switch (parsed) {
            case MintSpecs.Parsed.NotMinted n -> slots.remove(deploymentId);
            case MintSpecs.Parsed.Mints m -> slots.put(deploymentId, new Slot(Optional.of(m.spec()), m.spec().kind(),
                    Optional.empty(), Optional.empty(), 0, Optional.of(clock.instant())));
            case MintSpecs.Parsed.Invalid i -> {
                LOG.log(System.Logger.Level.WARNING, "deployment " + deploymentId + ": cannot mint " + i.kind() + ": "
                        + i.message() + "; its calls fail until the config is fixed");
                slots.put(deploymentId, new Slot(Optional.empty(), i.kind(), Optional.empty(),
                        Optional.of(i.message()), 0, Optional.empty()));
            }
        }
    }

    /**
     * Mints for every deployment that is due, and drops credentials that have expired. Returns
     * whether any pushed credential changed (the caller then republishes the snapshot).
     */
    public boolean runDue() {
        running.lock();
        try {
            boolean changed = false;
            for (Map.Entry<String, Slot> entry : slots.entrySet()) {
                Instant now = clock.instant();
                Slot slot = entry.getValue();
                if (slot.current().isPresent() && !slot.current().get().expiresAt().isAfter(now)) {
                    LOG.log(System.Logger.Level.WARNING, "deployment " + entry.getKey() + ": the minted " + slot.kind()
                            + " credential expired at " + slot.current().get().expiresAt() + " without a successful"
                            + " refresh; its calls fail until a mint succeeds");
                    slot = new Slot(slot.spec(), slot.kind(), Optional.empty(), slot.lastError(), slot.failures(),
                            slot.nextAttempt());
                    changed = true;
                }
                if (slot.spec().isPresent() && slot.nextAttempt().isPresent() && !slot.nextAttempt().get().isAfter(now)) {
                    Slot after = attempt(entry.getKey(), slot);
                    changed |= !after.current().equals(slot.current());
                    slot = after;
                }
                entry.setValue(slot);
            }
            return changed;
        } finally {
            running.unlock();
        }
    }

    private Slot attempt(String id, Slot slot) {
        MintSpec spec = slot.spec().orElseThrow();
        try {
            MintedCredential minted = mintOrFail(spec);
            Instant refresh = policy.refreshAt(minted.issuedAt(), minted.expiresAt());
            LOG.log(System.Logger.Level.INFO, "deployment " + id + ": minted a short-lived credential (" + spec.kind()
                    + "), valid until " + minted.expiresAt() + "; refreshing at " + refresh);
            return new Slot(slot.spec(), slot.kind(), Optional.of(minted), Optional.empty(), 0, Optional.of(refresh));
        } catch (MintFailure e) {
            String message = Minter.scrub(e.getMessage(), spec);
            int failures = slot.failures() + 1;
            Instant retry = clock.instant().plus(policy.retryDelay(failures));
            // Retry no later than the held credential's expiry, so its expiry is noticed and pushed on time.
            if (slot.current().isPresent() && slot.current().get().expiresAt().isBefore(retry)) {
                retry = slot.current().get().expiresAt();
            }
            LOG.log(System.Logger.Level.WARNING, "deployment " + id + ": minting failed (" + failures + " in a row): "
                    + message + (slot.current().isPresent() ? "; the credential minted earlier stays in use until "
                    + slot.current().get().expiresAt() : "; its calls fail until a mint succeeds")
                    + "; retrying at " + retry);
            return new Slot(slot.spec(), slot.kind(), slot.current(), Optional.of(message), failures, Optional.of(retry));
        }
    }

    /** A bug or an unexpected runtime error in a minter counts as a failed mint, so the schedule keeps going. */
    private MintedCredential mintOrFail(MintSpec spec) throws MintFailure {
        try {
            return minter.mint(spec);
        } catch (RuntimeException e) {
            // Only the type: the message of an unexpected exception could carry anything.
            throw new MintFailure(spec.kind() + ": unexpected " + e.getClass().getName()
                    + "; check the identity settings in litellm_params");
        }
    }

    /** When {@link #runDue()} next has work, if ever. */
    public Optional<Instant> nextDue() {
        Optional<Instant> next = Optional.empty();
        for (Slot slot : slots.values()) {
            List<Instant> times = new ArrayList<>();
            slot.nextAttempt().ifPresent(times::add);
            slot.current().ifPresent(c -> times.add(c.expiresAt()));
            for (Instant t : times) {
                if (next.isEmpty() || t.isBefore(next.get())) {
                    next = Optional.of(t);
                }
            }
        }
        return next;
    }

    @Override
    public Optional<Overlay> forDeployment(String deploymentId) {
        Slot slot = slots.get(deploymentId);
        if (slot == null) {
            return Optional.empty();
        }
        Set<String> withheld = slot.spec().map(MintSpec::withheld).orElse(ALL_MINTING_SECRETS);
        if (slot.current().isPresent()) {
            MintedCredential c = slot.current().get();
            return Optional.of(new Overlay(withheld, c.apiKey(), c.params(), Optional.empty()));
        }
        String why = slot.lastError().orElse("no credential minted yet");
        return Optional.of(new Overlay(withheld, "", Map.of(),
                Optional.of(MINT_ERROR_PREFIX + slot.kind() + ") not available: " + why)));
    }

    /** The status of one deployment, or empty when it does not mint. */
    public Optional<Status> status(String deploymentId) {
        return Optional.ofNullable(slots.get(deploymentId)).map(s -> new Status(deploymentId, s.kind(),
                s.current().map(MintedCredential::expiresAt), s.lastError(), s.failures(), s.nextAttempt()));
    }

    public List<Status> statuses() {
        return slots.keySet().stream().sorted().map(this::status).flatMap(Optional::stream).toList();
    }
}
