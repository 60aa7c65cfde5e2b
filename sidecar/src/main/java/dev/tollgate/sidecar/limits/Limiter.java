package dev.tollgate.sidecar.limits;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.LeaseKind;
import dev.tollgate.proto.control.v1.Limits;
import dev.tollgate.proto.control.v1.Principal;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.usage.Pricing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Admits a request against every limit that binds its key — the key's own, its team's, its
 * user's and the key's {@code model_max_budget} for the alias — or refuses it with 429
 * {@code budget_exceeded} / {@code rate_limit_exceeded}. Unlimited keys pass without any work.
 *
 * <h2>Why spend exceeds a budget by at most one request's cost per sidecar</h2>
 * <ol>
 * <li>The control plane grants lease amounts from a database row per entity and window with a
 *     conditional update, so the sum of everything granted in a window never exceeds the limit
 *     ({@code allocated <= limit}; see {@code LeaseLedger}). Reported overspend is added to
 *     {@code allocated} and shrinks later grants.</li>
 * <li>A sidecar admits a request only after reserving its estimate on a lease:
 *     {@code consumed + reserved + estimate <= granted}. It never admits against an amount it has
 *     not been granted, whether or not the control plane is reachable: without a lease that
 *     covers the estimate it refuses (429) rather than spends. A lease is void once its window
 *     ends on the control plane's clock.</li>
 * <li>When the estimate is <em>bounded</em> ({@link Estimate}: prompt bytes times the input price
 *     plus the output cap times the output price, rounded up), the actual cost cannot exceed it,
 *     so the spend of all requests admitted on a lease is at most its grant, and the spend of a
 *     window is at most {@code allocated <= limit}: no overspend at all.</li>
 * <li>An <em>unbounded</em> request (no output cap known, or a handler that did not show its
 *     body) may cost more than it reserved. Such requests run one at a time per budget and
 *     sidecar, and an overshoot leaves the lease with {@code consumed > granted}, so nothing else
 *     is admitted on it until the control plane grants more — which it does only out of the
 *     limit's remainder after counting the overshoot. The excess over the limit is therefore at
 *     most the overshoot of one in-flight request per sidecar: at most one request's cost.</li>
 * <li>A control plane that is down or restarting changes none of this: leases are in the
 *     database, grants only ever come out of what is left, and a sidecar without a covering
 *     lease refuses. What it costs is availability (limited keys are refused once leases run
 *     out), never money. A sidecar that dies strands the unspent rest of its leases until the
 *     window ends (leases are sized to about two seconds of demand, at most half of what is left).</li>
 * </ol>
 * Rate limits use the same leases with amounts of one request (rpm) and of the prompt's token
 * bound plus the requested {@code max_tokens} (tpm, settled at the actual total).
 * {@code max_parallel_requests} is counted per sidecar.
 *
 * <p>Thread-safe; a request waits for the control plane (at most {@link #ADMISSION_WAIT_MS}) only
 * when no lease covers it and the control stream is up.
 */
public final class Limiter {

    /** Longest a request waits for a grant when its lease does not cover it. */
    static final long ADMISSION_WAIT_MS = 2_000;

    private final LeaseBook book;
    private final Map<String, Parallel> parallel = new ConcurrentHashMap<>();

    public Limiter(LeaseBook book) {
        this.book = book;
    }

    private record Parallel(long limit, Semaphore permits) {
    }

    /** Who a limit belongs to, as error messages name it. */
    private record Entity(String kind, String id, String describe) {
    }

    private record Need(Entity entity, LeaseKind kind, Limits limits, long limit, String field) {
    }

    /**
     * Reserves what the request may consume under every limit of its key, or throws the 429 of
     * the first limit that refuses (releasing what was reserved before it).
     *
     * @param body the request body, for the estimate; null when the handler does not pass it (the
     *             request is then unbounded, see the class comment)
     */
    public Ticket admit(Policy.KeyGrant grant, String alias, Deployment deployment, ObjectNode body) {
        return admit(grant, alias, List.of(deployment), body);
    }

    /**
     * As {@link #admit(Policy.KeyGrant, String, Deployment, ObjectNode)} for a request the router
     * may send to any of {@code deployments} (the alias's and its fallbacks'): the estimate is the
     * most expensive of them, so that it stays a bound whichever one answers. Failed attempts
     * consume nothing, so retries do not add to it.
     *
     * @param deployments at least one; the first names the request in error messages
     */
    public Ticket admit(Policy.KeyGrant grant, String alias, List<Deployment> deployments, ObjectNode body) {
        if (deployments.isEmpty()) {
            throw new IllegalArgumentException("deployments: empty (expected: at least one)");
        }
        Deployment deployment = deployments.get(0);
        if (!limited(grant.limits()) && grant.owners().stream().noneMatch(o -> limited(o.getLimits()))
                && grant.key().getModelMaxBudgetCount() == 0) {
            return Ticket.NONE;
        }
        List<Entity> entities = new ArrayList<>();
        List<Limits> limits = new ArrayList<>();
        Entity key = new Entity("key", grant.keyId(), "key " + quoted(grant.keyAlias(), grant.keyId()));
        entities.add(key);
        limits.add(grant.limits());
        for (Principal owner : grant.owners()) {
            entities.add(new Entity(owner.getKind(), owner.getId(), owner.getKind() + " '" + owner.getDisplayName() + "'"));
            limits.add(owner.getLimits());
        }
        Limits modelBudget = grant.key().getModelMaxBudgetMap().get(alias);
        if (modelBudget != null) {
            entities.add(new Entity("key_model", grant.keyId() + "/" + alias,
                    "key " + quoted(grant.keyAlias(), grant.keyId()) + " on alias '" + alias + "' (model_max_budget)"));
            limits.add(modelBudget);
        }
        List<Need> needs = new ArrayList<>();
        List<Semaphore> permits = new ArrayList<>();
        for (int i = 0; i < entities.size(); i++) {
            Limits l = limits.get(i);
            Entity e = entities.get(i);
            if (l.hasMaxParallelRequests()) {
                Semaphore s = parallel.compute(e.kind() + ":" + e.id(), (k, p) -> p != null && p.limit() == l.getMaxParallelRequests()
                        ? p : new Parallel(l.getMaxParallelRequests(), new Semaphore((int) Math.min(Integer.MAX_VALUE,
                        l.getMaxParallelRequests())))).permits();
                if (!s.tryAcquire()) {
                    permits.forEach(Semaphore::release);
                    throw Failures.parallelLimited(e.describe(), l.getMaxParallelRequests()).exception();
                }
                permits.add(s);
            }
            if (l.hasRpmLimit()) {
                needs.add(new Need(e, LeaseKind.LEASE_KIND_REQUESTS, l, l.getRpmLimit(), "rpm_limit"));
            }
            if (l.hasTpmLimit()) {
                needs.add(new Need(e, LeaseKind.LEASE_KIND_TOKENS, l, l.getTpmLimit(), "tpm_limit"));
            }
            if (l.hasMaxBudgetMicros()) {
                needs.add(new Need(e, LeaseKind.LEASE_KIND_BUDGET, l, l.getMaxBudgetMicros(), "max_budget"));
            }
        }
        if (needs.isEmpty() && permits.isEmpty()) {
            return Ticket.NONE;
        }
        Estimate estimate = needs.stream().anyMatch(n -> n.kind() != LeaseKind.LEASE_KIND_REQUESTS)
                ? Estimate.worst(deployments, body) : null;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ADMISSION_WAIT_MS);
        List<Ticket.Hold> holds = new ArrayList<>();
        Map<String, String> headers = new LinkedHashMap<>();
        for (Need need : needs) {
            Slot slot = book.slot(need.entity().kind(), need.entity().id(), need.kind());
            // At least one unit, so that a spent budget refuses even a call priced at zero.
            long amount = Math.max(1, switch (need.kind()) {
                case LEASE_KIND_BUDGET -> estimate.costMicros();
                case LEASE_KIND_TOKENS -> estimate.tpmTokens(body);
                default -> 1;
            });
            boolean bounded = need.kind() != LeaseKind.LEASE_KIND_BUDGET || estimate.bounded();
            Slot.Reservation r = slot.reserve(amount, bounded, spec(need), deadline);
            switch (r) {
                case Slot.Held held -> holds.add(new Ticket.Hold(slot, held.lease(), amount, bounded, need.kind()));
                case Slot.Refused refused -> {
                    new Ticket(holds, permits, Map.of()).rollback();
                    throw refusal(need, refused, deployment, alias, amount).exception();
                }
            }
            describe(need, slot.view(), need.entity() == key, headers);
        }
        return new Ticket(holds, permits, headers);
    }

    private static boolean limited(Limits l) {
        return l.hasMaxBudgetMicros() || l.hasRpmLimit() || l.hasTpmLimit() || l.hasMaxParallelRequests();
    }

    /** The limit as the policy states it: a change gives the old lease back and opens a new one. */
    private static String spec(Need need) {
        Limits l = need.limits();
        return need.kind() == LeaseKind.LEASE_KIND_BUDGET
                ? "budget:" + l.getMaxBudgetMicros() + ":" + l.getBudgetDuration() + ":" + l.getBudgetAnchorMs()
                : need.field() + ":" + need.limit();
    }

    private GatewayError refusal(Need need, Slot.Refused refused, Deployment deployment, String alias, long amount) {
        String who = need.entity().describe();
        Slot.View v = refused.view();
        long now = book.serverNowMs();
        if (need.kind() == LeaseKind.LEASE_KIND_BUDGET) {
            return switch (refused.why()) {
                case EXHAUSTED -> Failures.budgetExceeded(who, Pricing.usd(v.windowConsumed() + v.localConsumed()),
                        Pricing.usd(need.limit()), need.limits().getBudgetDuration(), v.windowEndMs(), now,
                        Pricing.usd(amount));
                case UNAVAILABLE -> Failures.budgetUnconfirmed(who);
                case UNBOUNDED_BUSY -> Failures.budgetUncapped(who,
                        new Failures.Target(alias, deployment.getId(), deployment.getProvider()));
            };
        }
        return switch (refused.why()) {
            case EXHAUSTED -> Failures.rateLimited(who, need.field(), need.limit(), v.windowEndMs(), now);
            case UNAVAILABLE, UNBOUNDED_BUSY -> Failures.rateUnconfirmed(who, need.field());
        };
    }

    /**
     * Response headers: the key's spend and budget, and the tightest remaining rpm/tpm. Remaining
     * is what the control plane had left unallocated at its last answer plus this sidecar's unused
     * lease: an estimate, exact when one sidecar serves the key.
     */
    private static void describe(Need need, Slot.View v, boolean isKey, Map<String, String> headers) {
        switch (need.kind()) {
            case LEASE_KIND_BUDGET -> {
                if (isKey) {
                    headers.put("x-tollgate-key-spend", Pricing.usd(v.windowConsumed() + v.localConsumed()));
                    headers.put("x-tollgate-key-max-budget", Pricing.usd(need.limit()));
                }
            }
            case LEASE_KIND_REQUESTS -> tightest(headers, "requests", need.limit(), v);
            case LEASE_KIND_TOKENS -> tightest(headers, "tokens", need.limit(), v);
            default -> { }
        }
    }

    private static void tightest(Map<String, String> headers, String what, long limit, Slot.View v) {
        long remaining = Math.min(limit, v.windowAvailable() + v.room());
        String key = "x-ratelimit-remaining-" + what;
        String held = headers.get(key);
        if (held == null || Long.parseLong(held) > remaining) {
            headers.put("x-ratelimit-limit-" + what, Long.toString(limit));
            headers.put(key, Long.toString(remaining));
        }
    }

    private static String quoted(String alias, String id) {
        return "'" + (alias == null || alias.isEmpty() ? id : alias) + "'";
    }
}
