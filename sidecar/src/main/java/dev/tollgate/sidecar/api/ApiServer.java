package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.limits.LeaseBook;
import dev.tollgate.sidecar.limits.Limiter;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.policy.PolicyHolder;
import dev.tollgate.sidecar.provider.Providers;
import dev.tollgate.sidecar.provider.UpstreamDebug;
import dev.tollgate.sidecar.routing.DeploymentHealth;
import dev.tollgate.sidecar.routing.Router;
import dev.tollgate.sidecar.shutdown.Drain;
import dev.tollgate.sidecar.telemetry.Metrics;
import dev.tollgate.sidecar.telemetry.RequestObserver;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Clock;

/**
 * The sidecar's HTTP surface: the OpenAI-compatible API (each route also without {@code /v1})
 * and health. Every API route, {@code /v1/models} included, needs a virtual key; health never
 * does (probes); {@code /metrics} needs one only when the server is bound off loopback.
 * Thread-safe.
 */
public final class ApiServer implements AutoCloseable {

    private static final ObjectMapper JSON = Json.mapper();

    static {
        pinGlobalMappers();
    }

    /**
     * Helidon 4.2 reads a header as a number (the Content-Length of every request) through the
     * global MapperManager, which it looks up in its service registry on every call unless one was
     * set explicitly: about a tenth of a request's CPU in the benchmark's profile. The API is
     * deprecated since 4.2 (its successor caches by itself) and still there in 4.3.4, the version the
     * project pins.
     */
    @SuppressWarnings("removal")
    private static void pinGlobalMappers() {
        io.helidon.common.mapper.MapperManager.global(io.helidon.common.mapper.MapperManager.create());
    }

    private final WebServer server;

    /** Without a control plane to lease from: keys with budgets or rate limits are refused (429). */
    public ApiServer(String host, int port, PolicyHolder policies, Providers providers,
                     UsageSink usage, Clock clock, String sidecarName) {
        this(host, port, policies, providers, usage, clock, sidecarName, new Limiter(new LeaseBook(clock)));
    }

    public ApiServer(String host, int port, PolicyHolder policies, Providers providers,
                     UsageSink usage, Clock clock, String sidecarName, Limiter limiter) {
        this(host, port, policies, Router.standard(providers, clock), usage, clock, sidecarName, limiter, new Metrics(),
                RequestObserver.LogFormat.TEXT);
    }

    public ApiServer(String host, int port, PolicyHolder policies, Providers providers, UsageSink spool, Clock clock,
                     String sidecarName, Metrics metrics, RequestObserver.LogFormat logFormat) {
        this(host, port, policies, Router.standard(providers, clock), spool, clock, sidecarName,
                new Limiter(new LeaseBook(clock)), metrics, logFormat);
    }

    /**
     * With the router every proxied request goes through (tests give it a seeded random and a fake
     * pause), and no control plane to lease from.
     */
    public ApiServer(String host, int port, PolicyHolder policies, Router router,
                     UsageSink usage, Clock clock, String sidecarName) {
        this(host, port, policies, router, usage, clock, sidecarName, new Limiter(new LeaseBook(clock)), new Metrics(),
                RequestObserver.LogFormat.TEXT);
    }

    /**
     * @param router    picks deployments, retries and falls back for every proxied request
     * @param spool     where each request's usage record goes first (durably), before metrics and logs
     * @param limiter   budgets and rate limits, spent against leases from the control plane
     * @param metrics   registry served on {@code GET /metrics}
     * @param logFormat how the one line per request is written
     */
    public ApiServer(String host, int port, PolicyHolder policies, Router router, UsageSink spool, Clock clock,
                     String sidecarName, Limiter limiter, Metrics metrics, RequestObserver.LogFormat logFormat) {
        this(host, port, policies, router, spool, clock, sidecarName, limiter, metrics, logFormat,
                UpstreamDebug.Mode.WHEN_KEY_ALLOWS);
    }

    /** @param debug when provider calls are logged in detail ({@code --detailed-debug}: always) */
    public ApiServer(String host, int port, PolicyHolder policies, Router router, UsageSink spool, Clock clock,
                     String sidecarName, Limiter limiter, Metrics metrics, RequestObserver.LogFormat logFormat,
                     UpstreamDebug.Mode debug) {
        this(host, port, policies, router, spool, clock, sidecarName, limiter, metrics, logFormat, debug, new Drain());
    }

    /**
     * @param drain the requests in flight; once it begins, new requests are refused with 503
     *              {@code shutting_down} and readiness is 503, while the ones inside may finish
     */
    public ApiServer(String host, int port, PolicyHolder policies, Router router, UsageSink spool, Clock clock,
                     String sidecarName, Limiter limiter, Metrics metrics, RequestObserver.LogFormat logFormat,
                     UpstreamDebug.Mode debug, Drain drain) {
        this(host, port, policies, router, spool, clock, sidecarName, limiter, metrics, logFormat, debug, drain,
                ServerLimits.DEFAULT);
    }

    /** @param limits header size, body deadline, idle timeout and connection bound against hostile clients */
    public ApiServer(String host, int port, PolicyHolder policies, Router router, UsageSink spool, Clock clock,
                     String sidecarName, Limiter limiter, Metrics metrics, RequestObserver.LogFormat logFormat,
                     UpstreamDebug.Mode debug, Drain drain, ServerLimits limits) {
        RequestObserver observer = new RequestObserver(metrics, logFormat);
        // The spool first: the record must be durable before anything else looks at it.
        UsageSink usage = record -> {
            spool.record(record);
            observer.observe(record);
        };
        metrics.gauge("tollgate_policy_version", "Version of the policy snapshot this sidecar serves (0: none yet).",
                policies::version);
        metrics.gauges("tollgate_deployment_state", "Deployment state on this sidecar: 1 for its current state "
                + "(healthy or cooling), 0 for the other.", () -> policies.current()
                .map(p -> router.health(p).stream().flatMap(h -> java.util.Arrays.stream(DeploymentHealth.State.values())
                        .map(state -> new Metrics.Sample(state == h.state() ? 1 : 0, "alias", h.alias(),
                                "deployment", h.deploymentId(), "state", state.label()))).toList())
                .orElse(java.util.List.of()));
        Authenticator auth = new Authenticator(clock);
        boolean offHost = !isLoopback(host);
        Gate gate = new Gate(policies, auth, router, limiter, debug, drain, limits.bodyDeadline());
        ChatCompletions chat = new ChatCompletions(gate, usage, clock, sidecarName);
        Embeddings embeddings = new Embeddings(gate, usage, clock, sidecarName);
        Messages messages = new Messages(gate, usage, clock, sidecarName);
        this.server = WebServer.builder()
                .host(host)
                .port(port)
                // Without TCP_NODELAY a streamed chunk can wait for the client's delayed ACK (~25-40 ms):
                // the benchmark measured that as time-to-first-token added by the sidecar.
                .connectionOptions(o -> o.tcpNoDelay(true))
                .idleConnectionTimeout(limits.idleTimeout())
                .idleConnectionPeriod(limits.idleTimeout().dividedBy(4))
                .maxTcpConnections(limits.maxConnections())
                .addProtocol(Http1Config.builder().maxHeadersSize(limits.helidonHeaderCap()).build())
                .directHandlers(MalformedRequests.handlers(limits))
                // Helidon's own hook would stop the server at SIGTERM, closing every connection at
                // once (streams included); Main's hook drains first and then stops it.
                .shutdownHook(false)
                .routing(r -> {
                    r.addFilter((chain, req, res) -> {
                        try {
                            chain.proceed();
                        } finally {
                            ReadBufferChain.cut(req);
                        }
                    });
                    r.addFilter(MalformedRequests.headerLimit(limits.maxHeaderBytes()));
                    r.addFilter((chain, req, res) -> admit(drain, chain, req, res));
                    r.get("/metrics", (req, res) -> {
                        if (offHost) {
                            // Reachable from other hosts: aliases, deployments and costs are not for
                            // anyone who can connect; any valid virtual key may scrape.
                            try {
                                auth.authenticate(req, policies.current().orElseThrow(() ->
                                        Failures.noPolicy().exception()));
                            } catch (GatewayException e) {
                                ErrorWriter.write(res, e.error());
                                return;
                            }
                        }
                        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                        res.send(metrics.scrape());
                    });
                    routes(r, policies, auth, chat, embeddings, messages, drain);
                })
                .build();
    }

    private static void routes(HttpRouting.Builder r, PolicyHolder policies, Authenticator auth, ChatCompletions chat,
                               Embeddings embeddings, Messages messages, Drain drain) {
        r.post("/v1/chat/completions", chat);
        r.post("/chat/completions", chat);
        r.post("/v1/messages", messages);
        r.post("/messages", messages);
        r.post("/v1/embeddings", embeddings);
        r.post("/embeddings", embeddings);
        r.get("/v1/models", (req, res) -> models(req, res, policies, auth));
        r.get("/models", (req, res) -> models(req, res, policies, auth));
        r.get("/health/liveliness", (req, res) -> res.send("\"I'm alive!\""));
        r.get("/health/readiness", (req, res) -> {
            ObjectNode body = JSON.createObjectNode();
            boolean ready = policies.current().isPresent() && !drain.draining();
            body.put("status", drain.draining() ? "shutting down" : ready ? "healthy" : "no policy yet");
            body.put("policy_version", policies.version());
            res.status(ready ? 200 : 503);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(bytes(body));
        });
        r.any((req, res) -> ErrorWriter.write(res, new GatewayError(404, "invalid_request_error", "unknown_route",
                "No route " + req.prologue().method().text() + " " + req.path().path()
                        + ". The sidecar serves POST /v1/chat/completions, POST /v1/messages, POST /v1/embeddings and "
                        + "GET /v1/models.")));
    }

    /**
     * Counts every API request as in flight while it runs; once draining, refuses new ones (and asks
     * the client to close the connection, so keep-alive connections go elsewhere). Health and metrics
     * stay open: readiness is how a load balancer learns of the drain.
     */
    private static void admit(Drain drain, FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (path.startsWith("/health/") || path.equals("/metrics")) {
            chain.proceed();
            return;
        }
        if (!drain.enter()) {
            res.header(HeaderNames.CONNECTION, "close");
            ErrorWriter.write(res, Failures.shuttingDown(),
                    path.endsWith("/messages") ? ErrorWriter.Shape.ANTHROPIC : ErrorWriter.Shape.OPENAI);
            return;
        }
        try {
            chain.proceed();
        } finally {
            drain.leave();
        }
    }

    private static void models(ServerRequest req, ServerResponse res, PolicyHolder policies, Authenticator auth) {
        try {
            Policy policy = policies.current().orElseThrow(() -> Failures.noPolicy().exception());
            Policy.KeyGrant grant = auth.authenticate(req, policy);
            ObjectNode body = JSON.createObjectNode().put("object", "list");
            ArrayNode data = body.putArray("data");
            for (String alias : grant.usableAliases(policy)) {
                data.addObject().put("id", alias).put("object", "model").put("created", 0).put("owned_by", "tollgate");
            }
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(bytes(body));
        } catch (GatewayException e) {
            ErrorWriter.write(res, e.error());
        }
    }

    /** Whether {@code host} is a loopback address; a name that does not resolve counts as off-host. */
    static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    public ApiServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
