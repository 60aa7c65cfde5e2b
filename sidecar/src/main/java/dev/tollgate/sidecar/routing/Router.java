package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.provider.ProviderAdapter.ChunkSink;
import dev.tollgate.sidecar.provider.Providers;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
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
 * ({@link Selector}), calls it under the request's timeouts ({@link AttemptSupervisor}), learns from
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
    private final ConcurrentHashMap<String, DeploymentState> states = new ConcurrentHashMap<>();
    private final AtomicReference<RoutingTable> table = new AtomicReference<>();

    /**
     * @param clock  for cooldowns and per-minute usage (timeouts use the monotonic clock)
     * @param random for strategies and jitter; thread-safe
     * @param pause  waits between retries
     */
    public Router(Providers providers, Clock clock, RandomGenerator random, Pause pause) {
        this.providers = providers;
        this.clock = clock;
        this.random = random;
        this.pause = pause;
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
     */
    public record Request(Policy policy, String alias, Predicate<String> mayUse, RequestOverrides overrides,
                          String requestId) {
    }

    /** A streaming provider call writing its chunks to {@code sink}. */
    @FunctionalInterface
    public interface StreamCall {
        TokenUsage call(Attempt attempt, ChunkSink sink) throws IOException;
    }

    /**
     * Routes a call whose answer is one value (chat completion, embeddings); {@code usageOf} tells
     * what an answer consumed, for usage-based routing.
     */
    public <T> Outcome<T> call(Request request, RouteLog log, Function<Attempt, T> call,
                               Function<T, TokenUsage> usageOf) {
        return route(request, log, false, usageOf, (attempt, limits, onEnd) -> new Ran<>(AttemptSupervisor.run(
                () -> call.apply(attempt), null, limits, attempt.target(), request.requestId(), onEnd), 0));
    }

    /**
     * Routes a stream: chunks go to {@code downstream}, and {@code beforeFirstChunk} runs once, with
     * the attempt that is answering, just before the first one does.
     */
    public Outcome<TokenUsage> stream(Request request, RouteLog log, ChunkSink downstream,
                                      Consumer<Attempt> beforeFirstChunk, StreamCall call) {
        return route(request, log, true, usage -> usage, (attempt, limits, onEnd) -> {
            FirstByteGuard guard = new FirstByteGuard(downstream, () -> beforeFirstChunk.accept(attempt));
            AttemptSupervisor.Result<TokenUsage> result = AttemptSupervisor.run(() -> call.call(attempt, guard), guard,
                    limits, attempt.target(), request.requestId(), onEnd);
            return new Ran<>(result, guard.firstByteNanos());
        });
    }

    /** One attempt, run. */
    private interface Runner<T> {
        Ran<T> run(Attempt attempt, AttemptSupervisor.Limits limits, Runnable onEnd);
    }

    /** @param firstByteNanos when a stream's first chunk went out (0: not a stream, or none) */
    private record Ran<T>(AttemptSupervisor.Result<T> result, long firstByteNanos) {
    }

    /** How one alias's attempts ended, with the class of the failure that decides which fallbacks apply. */
    private record AliasResult<T>(Outcome<T> outcome, ErrorClass failure) {
    }

    private <T> Outcome<T> route(Request req, RouteLog log, boolean stream, Function<T, TokenUsage> usageOf,
                                 Runner<T> runner) {
        RoutingTable table = table(req.policy());
        RoutingSettings s = table.settings;
        RequestOverrides o = req.overrides();
        Deadline deadline = o.timeout().map(t -> Deadline.after(t, o.timeoutSource()))
                .or(() -> s.source().hasTimeoutMs() ? Optional.of(Deadline.after(s.timeout(), "router_settings.timeout"))
                        : Optional.empty())
                .orElseGet(() -> Deadline.after(NO_TOTAL, "none set"));
        int numRetries = o.numRetries().orElse(s.numRetries());
        boolean mayRepeat = numRetries > 0 || s.source().getRetryPolicyMap().values().stream().anyMatch(n -> n > 0)
                || !o.disableFallbacks() && s.hasFallbacks(req.alias());
        Loop<T> loop = new Loop<>(req, log, table, deadline, numRetries, mayRepeat, stream, usageOf, runner);

        AliasResult<T> first = loop.alias(req.alias());
        if (first.outcome() instanceof Outcome.Answered<T> || o.disableFallbacks() || stalled(first.outcome())) {
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
            AliasResult<T> next = loop.alias(fallback);
            last = next.outcome();
            if (last instanceof Outcome.Answered<T> || stalled(last)) {
                return last;
            }
        }
        return last;
    }

    /** A failure after the stream started, or with the client gone, ends the request where it is. */
    private static boolean stalled(Outcome<?> outcome) {
        return outcome instanceof Outcome.Failed<?> f && f.progress() != Progress.NOTHING_SENT;
    }

    /** The attempts of one request across its aliases. Confined to the request's thread. */
    private final class Loop<T> {
        private final Request req;
        private final RouteLog log;
        private final RoutingTable table;
        private final RoutingSettings s;
        private final Deadline deadline;
        private final int numRetries;
        private final boolean mayRepeat;
        private final boolean stream;
        private final Function<T, TokenUsage> usageOf;
        private final Runner<T> runner;

        Loop(Request req, RouteLog log, RoutingTable table, Deadline deadline, int numRetries, boolean mayRepeat,
             boolean stream, Function<T, TokenUsage> usageOf, Runner<T> runner) {
            this.req = req;
            this.log = log;
            this.table = table;
            this.s = table.settings;
            this.deadline = deadline;
            this.numRetries = numRetries;
            this.mayRepeat = mayRepeat;
            this.stream = stream;
            this.usageOf = usageOf;
            this.runner = runner;
        }

        AliasResult<T> alias(String alias) {
            List<Candidate> candidates = table.alias(alias).orElseThrow(() ->
                    new IllegalStateException("alias " + alias + " vanished from policy " + table.policy.version()));
            Set<String> tried = new HashSet<>();
            GatewayError lastError = null;
            ErrorClass lastClass = null;
            for (int retries = 0; ; retries++) {
                Selection.Picked picked;
                switch (Selector.select(alias, candidates, tried, s.strategy(), random, clock.millis())) {
                    case Selection.Broken b -> {
                        log.tried(alias, b.candidate().deployment());
                        return failed(b.error(), ErrorClass.CONFIGURATION, Progress.NOTHING_SENT);
                    }
                    case Selection.Unavailable u -> {
                        // After a failed attempt, the provider's own error says more than "none available".
                        return lastError != null ? failed(lastError, lastClass, Progress.NOTHING_SENT)
                                : failed(u.error(), ErrorClass.SERVER_ERROR, Progress.NOTHING_SENT);
                    }
                    case Selection.Picked p -> picked = p;
                }
                Candidate c = picked.candidate();
                log.tried(alias, c.deployment());
                Attempt attempt = new Attempt(alias, c.deployment(), c.target(), c.adapter(), log.count() + 1, mayRepeat);
                Limits limits = limits(c);
                long startedMs = clock.millis();
                c.state().countRequest(startedMs);
                long startNanos = System.nanoTime();
                Ran<T> ran = runner.run(attempt, limits.supervisor(), picked.lease()::release);
                long latencyMs = (System.nanoTime() - startNanos) / 1_000_000;
                if (ran.result() instanceof AttemptSupervisor.Result.Done<T> done) {
                    log.add(new AttemptRecord(alias, c.id(), c.deployment().getProvider(), 200, "", latencyMs, startedMs));
                    c.state().observeLatency(ran.firstByteNanos() > 0
                            ? (ran.firstByteNanos() - startNanos) / 1_000_000 : latencyMs);
                    TokenUsage u = usageOf.apply(done.value());
                    c.state().countTokens(u.promptTokens() + u.completionTokens(), clock.millis());
                    return new AliasResult<>(new Outcome.Answered<>(done.value(), attempt), null);
                }
                AttemptSupervisor.Result.Failed<T> f = (AttemptSupervisor.Result.Failed<T>) ran.result();
                ErrorClass cls = ErrorClass.of(f.error());
                boolean clientGone = f.progress() == Progress.CLIENT_GONE;
                log.add(new AttemptRecord(alias, c.id(), c.deployment().getProvider(), clientGone ? 499 : f.error().status(),
                        clientGone ? "client_closed" : f.error().code(), latencyMs, startedMs));
                if (!clientGone) {
                    learn(c, cls, f.error(), candidates.size(), latencyMs, limits.byRequestDeadline());
                }
                if (f.progress() != Progress.NOTHING_SENT) {
                    return failed(f.error(), cls, f.progress());
                }
                tried.add(c.id());
                lastError = f.error();
                lastClass = cls;
                if (retries >= s.retriesFor(cls, numRetries) || deadline.expired()) {
                    return failed(f.error(), cls, Progress.NOTHING_SENT);
                }
                boolean sameDeployment = !Selector.hasUntried(candidates, tried, s.strategy(), clock.millis());
                Duration wait = Backoff.before(retries + 1, f.error(), sameDeployment, s.retryAfter(), random);
                if (wait.compareTo(deadline.remaining()) >= 0) {
                    return failed(f.error(), cls, Progress.NOTHING_SENT);
                }
                try {
                    if (!wait.isZero()) {
                        pause.pause(wait);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return failed(f.error(), cls, Progress.NOTHING_SENT);
                }
            }
        }

        /**
         * What a failure teaches about the deployment. An alias's only deployment cools down only when
         * allowed_fails is set explicitly; a timeout the request's own deadline caused is not held
         * against the deployment.
         */
        private void learn(Candidate c, ErrorClass cls, GatewayError error, int deployments, long latencyMs,
                           boolean byRequestDeadline) {
            if (cls == ErrorClass.TIMEOUT && byRequestDeadline) {
                return;
            }
            if (cls == ErrorClass.TIMEOUT) {
                c.state().observeLatency(latencyMs);
            }
            if (deployments > 1 || s.allowedFailsSet()) {
                c.state().failed(cls, error, s.allowedFails(), s.cooldownTime(), clock.millis());
            }
        }

        /** The attempt's limits: the deployment's timeout or what is left of the request's, whichever is shorter. */
        private Limits limits(Candidate c) {
            Duration remaining = deadline.remaining();
            Duration own = c.settings().timeout().orElse(RoutingSettings.DEFAULT_TIMEOUT);
            boolean byRequest = remaining.compareTo(own) <= 0;
            Duration total = byRequest ? remaining : own;
            String totalWhy = byRequest ? deadline.describe() : c.settings().timeout().isPresent()
                    ? "the deployment's timeout of " + Seconds.text(own)
                    : "the default timeout of " + Seconds.text(own);
            Duration firstByte = total;
            String firstByteWhy = totalWhy;
            if (stream) {
                RequestOverrides o = req.overrides();
                if (o.streamTimeout().isPresent()) {
                    firstByte = o.streamTimeout().get();
                    firstByteWhy = "the stream_timeout of " + Seconds.text(firstByte) + " (" + o.streamTimeoutSource() + ")";
                } else if (c.settings().streamTimeout().isPresent()) {
                    firstByte = c.settings().streamTimeout().get();
                    firstByteWhy = "the deployment's stream_timeout of " + Seconds.text(firstByte);
                } else if (s.streamTimeout().isPresent()) {
                    firstByte = s.streamTimeout().get();
                    firstByteWhy = "router_settings.stream_timeout of " + Seconds.text(firstByte);
                }
            }
            return new Limits(new AttemptSupervisor.Limits(total, totalWhy, firstByte, firstByteWhy), byRequest);
        }

        private AliasResult<T> failed(GatewayError error, ErrorClass cls, Progress progress) {
            return new AliasResult<>(new Outcome.Failed<>(error, progress), cls);
        }
    }

    /** @param byRequestDeadline the request's total timeout, not the deployment's, bounds the attempt */
    private record Limits(AttemptSupervisor.Limits supervisor, boolean byRequestDeadline) {
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
