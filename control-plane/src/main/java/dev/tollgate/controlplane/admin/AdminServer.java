package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.health.Readiness;
import dev.tollgate.controlplane.keys.KeyHashing;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin HTTP API (LiteLLM-shaped routes), authenticated with the master key; health routes
 * are open. Every refusal is the OpenAI error envelope; an unexpected failure is logged here and
 * answered with a generic 500 that carries no detail. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AdminServer.class.getName());
    /** Reads JSON numbers with a fraction as BigDecimal, so money never passes through a double. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /**
     * Every group of routes. {@code metrics} (Prometheus text on {@code /metrics}, no auth) and
     * {@code doctor} ({@code GET /health}, master key) may be null.
     */
    public record Routes(KeyRoutes keys, TeamRoutes teams, UserRoutes users, SpendRoutes spend, AuditRoutes audit,
                         java.util.function.Supplier<String> metrics, DoctorRoutes doctor,
                         SidecarTokenRoutes sidecarTokens) {

        public Routes(KeyRoutes keys, TeamRoutes teams, UserRoutes users, SpendRoutes spend, AuditRoutes audit) {
            this(keys, teams, users, spend, audit, null, null, null);
        }

        public Routes(KeyRoutes keys, TeamRoutes teams, UserRoutes users, SpendRoutes spend, AuditRoutes audit,
                      java.util.function.Supplier<String> metrics, DoctorRoutes doctor) {
            this(keys, teams, users, spend, audit, metrics, doctor, null);
        }
    }

    /** One admin route: reads the request, returns the JSON body of a 200 answer. */
    @FunctionalInterface
    interface Route {
        JsonNode handle(ServerRequest req) throws Exception;
    }

    private final WebServer server;

    public AdminServer(String host, int port, String masterKeyHash, Routes routes, BooleanSupplier ready) {
        this(host, port, masterKeyHash, routes,
                () -> ready.getAsBoolean() ? new Readiness.State.Ready() : new Readiness.State.Unready("starting"),
                () -> false);
    }

    /**
     * @param readiness    what {@code /health/readiness} answers (200 when ready, else 503 with the reason)
     * @param shuttingDown once true, every admin route answers 503 {@code shutting_down} (health stays open)
     */
    public AdminServer(String host, int port, String masterKeyHash, Routes routes, Supplier<Readiness.State> readiness,
                       BooleanSupplier shuttingDown) {
        this.server = WebServer.builder()
                .host(host)
                .port(port)
                // The control plane's own hook stops this server as one step of its shutdown.
                .shutdownHook(false)
                .routing(routing -> {
                    routing.addFilter((chain, req, res) -> {
                        if (shuttingDown.getAsBoolean() && !req.path().path().startsWith("/health/")) {
                            res.header(HeaderNames.CONNECTION, "close");
                            try {
                                writeError(res, new AdminException(503, "service_unavailable", "shutting_down", null,
                                        "this control-plane replica is shutting down; send the request to another "
                                                + "replica (the load balancer does once readiness is 503) or retry"));
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                            return;
                        }
                        chain.proceed();
                    });
                    routes(routing, masterKeyHash, routes, readiness);
                })
                .build();
    }

    private static void routes(HttpRouting.Builder r, String masterKeyHash, Routes routes,
                               Supplier<Readiness.State> readiness) {
        KeyRoutes keys = routes.keys();
        TeamRoutes teams = routes.teams();
        UserRoutes users = routes.users();
        SpendRoutes spend = routes.spend();
        if (routes.metrics() != null) {
            // Prometheus text; it holds no secret, so it needs no master key (like the health routes).
            r.get("/metrics", (req, res) -> {
                res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                res.send(routes.metrics().get());
            });
        }
        if (routes.doctor() != null) {
            r.get("/health", authed(masterKeyHash, routes.doctor()::report));
        }
        r.get("/health/liveliness", (req, res) -> res.send("\"I'm alive!\""));
        r.get("/health/readiness", (req, res) -> {
            switch (readiness.get()) {
                case Readiness.State.Ready ready -> reply(res, 200, JSON.createObjectNode().put("status", "healthy"));
                case Readiness.State.Unready unready -> reply(res, 503, JSON.createObjectNode()
                        .put("status", "unhealthy").put("reason", unready.reason()));
            }
        });
        r.post("/key/generate", authed(masterKeyHash, keys::generate));
        r.get("/key/info", authed(masterKeyHash, keys::info));
        r.get("/key/list", authed(masterKeyHash, keys::list));
        r.post("/key/delete", authed(masterKeyHash, keys::delete));
        r.post("/key/update", authed(masterKeyHash, keys::update));
        r.post("/key/regenerate", authed(masterKeyHash, keys::regenerate));
        r.post("/key/block", authed(masterKeyHash, keys::block));
        r.post("/key/unblock", authed(masterKeyHash, keys::unblock));
        r.post("/team/new", authed(masterKeyHash, teams::create));
        r.get("/team/info", authed(masterKeyHash, teams::info));
        r.get("/team/list", authed(masterKeyHash, teams::list));
        r.post("/team/update", authed(masterKeyHash, teams::update));
        r.post("/team/delete", authed(masterKeyHash, teams::delete));
        r.post("/user/new", authed(masterKeyHash, users::create));
        r.get("/user/info", authed(masterKeyHash, users::info));
        r.get("/user/list", authed(masterKeyHash, users::list));
        r.post("/user/update", authed(masterKeyHash, users::update));
        r.post("/user/delete", authed(masterKeyHash, users::delete));
        r.get("/spend/logs", authed(masterKeyHash, spend::logs));
        r.get("/global/spend/report", authed(masterKeyHash, spend::report));
        r.get("/audit/log", authed(masterKeyHash, routes.audit()::log));
        if (routes.sidecarTokens() != null) {
            SidecarTokenRoutes sidecarTokens = routes.sidecarTokens();
            r.post("/sidecar/token/new", authed(masterKeyHash, sidecarTokens::create));
            r.get("/sidecar/token/list", authed(masterKeyHash, sidecarTokens::list));
            r.post("/sidecar/token/delete", authed(masterKeyHash, sidecarTokens::delete));
        }
        r.any((req, res) -> writeError(res, new AdminException(404, "invalid_request_error", "unknown_route", null,
                "no admin route " + req.prologue().method().text() + " " + req.path().path())));
    }

    private static io.helidon.webserver.http.Handler authed(String masterKeyHash, Route route) {
        return (req, res) -> {
            try {
                checkMasterKey(req, masterKeyHash);
                reply(res, 200, route.handle(req));
            } catch (AdminException e) {
                writeError(res, e);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "admin " + req.path().path() + " failed", e);
                writeError(res, new AdminException(500, "internal_error", "internal_error", null,
                        "the control plane failed to handle " + req.path().path() + "; see its log"));
            }
        };
    }

    private static void checkMasterKey(ServerRequest req, String masterKeyHash) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (header.isEmpty()) {
            throw AdminException.unauthorized("missing master key: send Authorization: Bearer <master key>");
        }
        String presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : header.trim();
        // Compare hashes so the comparison time says nothing about the key.
        if (!KeyHashing.constantTimeEquals(KeyHashing.sha256Hex(presented), masterKeyHash)) {
            throw AdminException.unauthorized("invalid master key: the admin API needs the control plane's master key "
                    + "(general_settings.master_key or TOLLGATE_MASTER_KEY)");
        }
    }

    static JsonNode body(ServerRequest req) {
        byte[] bytes = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        if (bytes.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw AdminException.badRequest(null, "request body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw AdminException.badRequest(null, "request body is not valid JSON");
        }
    }

    private static void reply(ServerResponse res, int status, JsonNode body) throws IOException {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(JSON.writeValueAsBytes(body));
    }

    private static void writeError(ServerResponse res, AdminException e) throws IOException {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error")
                .put("message", e.getMessage())
                .put("type", e.type())
                .put("param", e.param())
                .put("code", e.code());
        reply(res, e.status(), error);
    }

    public AdminServer start() {
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
