package dev.tollgate.sidecar.routing;

import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.provider.ProviderAdapter.ChunkSink;
import dev.tollgate.sidecar.provider.Providers;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * The attempt loop of every proxied request: picks a deployment of the alias
 * ({@link Selector}), calls it under the request's timeouts ({@link InlineAttempt}, or
 * {@link AttemptSupervisor} for streams), learns from
 * the result (cooldowns, latency, usage), retries within the alias with backoff when the failure's
 * class allows it, then tries the alias's fallbacks, each with its own retries. A stream is retried
 * or falls back only before its first byte reached the client. The whole loop runs within the
 * request's total timeout. Thread-safe; one instance serves every request of the sidecar.
 */
public final class Router {

    private static final System.Logger LOG = System.getLogger(Router.class.getName());
    /** With no total timeout configured, each attempt is bounded by its own timeout only. */
    private static final Duration NO_TOTAL = Duration.ofDays(1);

    private final Providers providers;
    private final Clock clock;
    private final RandomGenerator random;
    private final Pause pause;
    private final Watchdog watchdog;
    private final ConcurrentHashMap<String, DeploymentState> states = new ConcurrentHashMap<>();
    private final AtomicReference<RoutingTable> table = new AtomicReference<>();

    /**
     * @param clock  for cooldowns and per-minute usage (timeouts use the monotonic clock)
     * @param random for strategies and jitter; thread-safe
     * @param pause  waits between retries
     */
    public Router(Providers providers, Clock clock, RandomGenerator random, Pause pause) {
        this(providers, clock, random, pause, WatchdogThread.shared());
    }

    /** @param watchdog cuts calls run inline on the request thread at their limit */
    Router(Providers providers, Clock clock, RandomGenerator random, Pause pause, Watchdog watchdog) {
        this.providers = providers;
        this.clock = clock;
        this.random = random;
        this.pause = pause;
        this.watchdog = watchdog;
    }

    /** The production router: thread-local randomness, real sleeps. */
    public static Router standard(Providers providers, Clock clock) {
        return new Router(providers, clock, () -> ThreadLocalRandom.current().nextLong(), Pause.SLEEP);
    }

    /**
     * One request to route.
     *
     * @param policy the policy the caller was admitted under
     * @param mayUse whether the caller's key may use an alias (fallbacks it may not use are skipped)
     * @param keyDisablesFallbacks the caller's key has {@code metadata.disable_fallbacks: true}
     */
    public record Request(Policy policy, String alias, Predicate<String> mayUse, RequestOverrides overrides,
                          String requestId, boolean keyDisablesFallbacks) {

        /** No fallbacks for this request: its key or its own override says so. */
        boolean fallbacksDisabled() {
            return keyDisablesFallbacks || overrides.disableFallbacks();
        }
    }

    /** A streaming provider call writing its chunks to {@code sink}. */
    @FunctionalInterface
    public interface StreamCall {
        TokenUsage call(Attempt attempt, ChunkSink sink) throws IOException;
    }

    /**
     * Routes a call whose answer is one value (chat completion, embeddings); {@code usageOf} tells
     * what an answer consumed, for usage-based routing. On a virtual thread (every request the server
     * handles) each attempt runs inline under the watchdog; elsewhere an interrupt cannot cut a
     * blocked socket read, so the attempt gets a supervised thread of its own.
     */
    public <T> Outcome<T> call(Request request, RouteLog log, Function<Attempt, T> call,
                               Function<T, TokenUsage> usageOf) {
        boolean inline = Thread.currentThread().isVirtual();
        return route(request, log, false, usageOf, (attempt, limits, onEnd) -> new AliasAttempts.Ran<>(inline
                ? InlineAttempt.run(() -> call.apply(attempt), limits, attempt.target(), request.requestId(), onEnd,
                        watchdog)
                : AttemptSupervisor.run(() -> call.apply(attempt), null, limits, attempt.target(), request.requestId(),
                        onEnd), 0));
    }

    /**
     * Routes a stream: chunks go to {@code downstream}, and {@code beforeFirstChunk} runs once, with
     * the attempt that is answering, just before the first one does. On a virtual thread each
     * attempt runs inline under the watchdog ({@link InlineStream}), elsewhere on a supervised thread.
     */
    public Outcome<TokenUsage> stream(Request request, RouteLog log, ChunkSink downstream,
                                      Consumer<Attempt> beforeFirstChunk, StreamCall call) {
        boolean inline = Thread.currentThread().isVirtual();
        return route(request, log, true, usage -> usage, (attempt, limits, onEnd) -> {
            if (inline) {
                InlineStream sink = new InlineStream(downstream, () -> beforeFirstChunk.accept(attempt), limits);
                AttemptSupervisor.Result<TokenUsage> result = sink.run(() -> call.call(attempt, sink),
                        attempt.target(), request.requestId(), onEnd, watchdog);
                return new AliasAttempts.Ran<>(result, sink.firstByteNanos());
            }
            FirstByteGuard guard = new FirstByteGuard(downstream, () -> beforeFirstChunk.accept(attempt));
            AttemptSupervisor.Result<TokenUsage> result = AttemptSupervisor.run(() -> call.call(attempt, guard), guard,
                    limits, attempt.target(), request.requestId(), onEnd);
            return new AliasAttempts.Ran<>(result, guard.firstByteNanos());
        });
    }

    private <T> Outcome<T> route(Request req, RouteLog log, boolean stream, Function<T, TokenUsage> usageOf,
                                 AliasAttempts.Runner<T> runner) {
        RoutingTable table = table(req.policy());
        RoutingSettings s = table.settings;
        RequestOverrides o = req.overrides();
        Deadline deadline = o.timeout().map(t -> Deadline.after(t, o.timeoutSource()))
                .or(() -> s.source().hasTimeoutMs() ? Optional.of(Deadline.after(s.timeout(), "router_settings.timeout"))
                        : Optional.empty())
                .orElseGet(() -> Deadline.after(NO_TOTAL, "none set"));
        int numRetries = o.numRetries().orElse(s.numRetries());
        boolean mayRepeat = numRetries > 0 || s.source().getRetryPolicyMap().values().stream().anyMatch(n -> n > 0)
                || !req.fallbacksDisabled() && s.hasFallbacks(req.alias());
        AliasAttempts<T> attempts = new AliasAttempts<>(clock, random, pause, req, log, table, deadline, numRetries,
                mayRepeat, stream, usageOf, runner);

        AliasAttempts.AliasResult<T> first = attempts.alias(req.alias());
        if (first.outcome() instanceof Outcome.Answered<T> || req.fallbacksDisabled() || stalled(first.outcome())) {
            return first.outcome();
        }
        Outcome<T> last = first.outcome();
        Set<String> visited = new LinkedHashSet<>(List.of(req.alias()));
        for (String fallback : s.fallbacksFor(req.alias(), first.failure())) {
            if (!visited.add(fallback)) {
                continue;
            }
            if (table.alias(fallback).isEmpty() || !req.mayUse().test(fallback)) {
                LOG.log(System.Logger.Level.DEBUG, () -> "request " + req.requestId() + ": fallback '" + fallback
                        + "' skipped: " + (table.alias(fallback).isEmpty() ? "no such alias" : "the key may not use it"));
                continue;
            }
            if (deadline.expired()) {
                break;
            }
            AliasAttempts.AliasResult<T> next = attempts.alias(fallback);
            last = next.outcome();
            if (last instanceof Outcome.Answered<T> || stalled(last)) {
                return last;
            }
        }
        return last;
    }

    /**
     * Every deployment a request to {@code alias} may be sent to: the alias's own, then those of each
     * fallback alias the caller may use (none when its key disables fallbacks). Budgets reserve for the
     * most expensive of them.
     */
    public List<Deployment> reachable(Policy policy, String alias, Policy.KeyGrant grant) {
        List<Deployment> all = new ArrayList<>(policy.alias(alias).orElse(List.of()));
        if (grant.key().getDisableFallbacks()) {
            return List.copyOf(all);
        }
        for (String fallback : table(policy).settings.allFallbacksFor(alias)) {
            if (!fallback.equals(alias) && grant.mayUse(fallback)) {
                all.addAll(policy.alias(fallback).orElse(List.of()));
            }
        }
        return List.copyOf(all);
    }

    /**
     * Each deployment of {@code policy}, and whether it is cooling down now: the sidecar's own health
     * view, for {@code tollgate_deployment_state}. Cheap: no I/O.
     */
    public List<DeploymentHealth> health(Policy policy) {
        RoutingTable current = table(policy);
        long now = clock.millis();
        List<DeploymentHealth> all = new ArrayList<>();
        for (String alias : current.policy.aliasNames()) {
            for (Candidate c : current.alias(alias).orElse(List.of())) {
                all.add(new DeploymentHealth(alias, c.id(), c.state().cooldownAt(now).isPresent()
                        ? DeploymentHealth.State.COOLING : DeploymentHealth.State.HEALTHY));
            }
        }
        return List.copyOf(all);
    }

    /** A failure after the stream started, or with the client gone, ends the request where it is. */
    private static boolean stalled(Outcome<?> outcome) {
        return outcome instanceof Outcome.Failed<?> f && f.progress() != Progress.NOTHING_SENT;
    }

    private RoutingTable table(Policy policy) {
        RoutingTable held = table.get();
        if (held != null && held.policy == policy) {
            return held;
        }
        RoutingTable compiled = RoutingTable.compile(policy, providers,
                id -> states.computeIfAbsent(id, k -> new DeploymentState()));
        // Requests admitted under an older policy may still arrive; keep the newest table cached.
        table.accumulateAndGet(compiled, (current, next) ->
                current == null || current.policy.version() <= next.policy.version() ? next : current);
        return compiled;
    }
}
