package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The attempts of one request within each alias it tries: pick a deployment, call it under the
 * request's limits, learn from the result, and retry with backoff while the failure's class allows.
 * Confined to the request's thread.
 */
final class AliasAttempts<T> {

    /** One attempt, run. */
    interface Runner<T> {
        Ran<T> run(Attempt attempt, AttemptSupervisor.Limits limits, Runnable onEnd);
    }

    /** @param firstByteNanos when a stream's first chunk went out (0: not a stream, or none) */
    record Ran<T>(AttemptSupervisor.Result<T> result, long firstByteNanos) {
    }

    /** How one alias's attempts ended, with the class of the failure that decides which fallbacks apply. */
    record AliasResult<T>(Outcome<T> outcome, ErrorClass failure) {
    }

    private final Clock clock;
    private final RandomGenerator random;
    private final Pause pause;
    private final Router.Request req;
    private final RouteLog log;
    private final RoutingTable table;
    private final RoutingSettings s;
    private final Deadline deadline;
    private final int numRetries;
    private final boolean mayRepeat;
    private final boolean stream;
    private final Function<T, TokenUsage> usageOf;
    private final Runner<T> runner;

    AliasAttempts(Clock clock, RandomGenerator random, Pause pause, Router.Request req, RouteLog log, RoutingTable table,
                  Deadline deadline, int numRetries, boolean mayRepeat, boolean stream, Function<T, TokenUsage> usageOf,
                  Runner<T> runner) {
        this.clock = clock;
        this.random = random;
        this.pause = pause;
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

    /** Tries {@code alias} until a deployment answers, a failure may not be retried, or time runs out. */
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
            long endNanos = System.nanoTime();
            long latencyMs = (endNanos - startNanos) / 1_000_000;
            if (ran.result() instanceof AttemptSupervisor.Result.Done<T> done) {
                log.add(record(c, 200, "", startNanos, endNanos, startedMs));
                c.state().observeLatency(ran.firstByteNanos() > 0
                        ? (ran.firstByteNanos() - startNanos) / 1_000_000 : latencyMs);
                TokenUsage u = usageOf.apply(done.value());
                c.state().countTokens(u.promptTokens() + u.completionTokens(), clock.millis());
                return new AliasResult<>(new Outcome.Answered<>(done.value(), attempt), null);
            }
            AttemptSupervisor.Result.Failed<T> f = (AttemptSupervisor.Result.Failed<T>) ran.result();
            ErrorClass cls = ErrorClass.of(f.error());
            boolean clientGone = f.progress() == Progress.CLIENT_GONE;
            log.add(record(c, clientGone ? 499 : f.error().status(), clientGone ? "client_closed" : f.error().code(),
                    startNanos, endNanos, startedMs));
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
        Duration idle = Duration.ZERO;
        String idleWhy = "";
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
            // The idle limit rides on the same guard as stream_timeout: it starts where that one ends.
            if (o.streamIdleTimeout().isPresent()) {
                idle = o.streamIdleTimeout().get();
                idleWhy = "the stream_idle_timeout of " + Seconds.text(idle) + " (" + o.streamIdleTimeoutSource() + ")";
            } else if (c.settings().streamIdleTimeout().isPresent()) {
                idle = c.settings().streamIdleTimeout().get();
                idleWhy = "the deployment's stream_idle_timeout of " + Seconds.text(idle);
            }
        }
        return new Limits(new AttemptSupervisor.Limits(total, totalWhy, firstByte, firstByteWhy, idle, idleWhy),
                byRequest);
    }

    private AttemptRecord record(Candidate c, int status, String errorCode, long startNanos, long endNanos,
                                 long startedMs) {
        return new AttemptRecord(c.alias(), c.id(), c.deployment().getProvider(), c.deployment().getModel(),
                c.deployment().getApiBase(), status, errorCode, (endNanos - startNanos) / 1_000_000, startedMs,
                log.newSpanId(), Math.max(0, startNanos - log.originNanos()) / 1_000, (endNanos - startNanos) / 1_000);
    }

    private AliasResult<T> failed(GatewayError error, ErrorClass cls, Progress progress) {
        return new AliasResult<>(new Outcome.Failed<>(error, progress), cls);
    }

    /** @param byRequestDeadline the request's total timeout, not the deployment's, bounds the attempt */
    private record Limits(AttemptSupervisor.Limits supervisor, boolean byRequestDeadline) {
    }
}
