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
import java.util.Optional;
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
                         SidecarTokenRoutes sidecarTokens, CredentialRoutes credentials, AdminKeyRoutes adminKeys,
                         ModelRoutes models, SecretsRoutes secrets) {

        public Routes(KeyRoutes keys, TeamRoutes teams, UserRoutes users, SpendRoutes spend, AuditRoutes audit) {
            this(keys, teams, users, spend, audit, null, null);
        }

        public Routes(KeyRoutes keys, TeamRoutes teams, UserRoutes users, SpendRoutes spend, AuditRoutes audit,
                      java.util.function.Supplier<String> metrics, DoctorRoutes doctor) {
            this(keys, teams, users, spend, audit, metrics, doctor, null, null, null, null, null);
        }
    }

    /** Finds the admin key (not the master key) a request presents, by the hash of its text. */
    @FunctionalInterface
    public interface AdminKeys {
        AdminKeys NONE = hash -> Optional.empty();

        /** The stored role ({@code admin} or {@code viewer}) of the key with this hash. */
        Optional<String> roleOf(String keyHash) throws Exception;
    }

    /** One admin route: reads the request, returns the JSON body of a 200 answer. */
    @FunctionalInterface
    interface Route {
        JsonNode handle(ServerRequest req) throws Exception;
    }

    private final WebServer server;

    public AdminServer(String host, int port, String masterKeyHash, Routes routes, BooleanSupplier ready) {
        this(host, port, masterKeyHash, AdminKeys.NONE, routes,
                () -> ready.getAsBoolean() ? new Readiness.State.Ready() : new Readiness.State.Unready("starting"),
                () -> false);
    }

    /**
     * @param readiness    what {@code /health/readiness} answers (200 when ready, else 503 with the reason)
     * @param shuttingDown once true, every admin route answers 503 {@code shutting_down} (health stays open)
     */
    public AdminServer(String host, int port, String masterKeyHash, Routes routes, Supplier<Readiness.State> readiness,
                       BooleanSupplier shuttingDown) {
        this(host, port, masterKeyHash, AdminKeys.NONE, routes, readiness, shuttingDown);
    }

    /** With admin keys (roles {@code admin}, {@code viewer}) accepted beside the master key. */
    public AdminServer(String host, int port, String masterKeyHash, AdminKeys adminKeys, Routes routes,
                       Supplier<Readiness.State> readiness, BooleanSupplier shuttingDown) {
        Auth auth = new Auth(masterKeyHash, adminKeys);
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
                    routes(routing, auth, routes, readiness);
                })
                .build();
    }

    /** The master key's hash and the admin-key lookup: who may call a route. */
    private record Auth(String masterKeyHash, AdminKeys adminKeys) {
    }

    private static void routes(HttpRouting.Builder r, Auth auth, Routes routes,
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
            r.get("/health", authed(auth, Role.VIEWER, routes.doctor()::report));
        }
        r.get("/health/liveliness", (req, res) -> res.send("\"I'm alive!\""));
        r.get("/health/readiness", (req, res) -> {
            switch (readiness.get()) {
                case Readiness.State.Ready ready -> reply(res, 200, JSON.createObjectNode().put("status", "healthy"));
                case Readiness.State.Unready unready -> reply(res, 503, JSON.createObjectNode()
                        .put("status", "unhealthy").put("reason", unready.reason()));
            }
        });
        r.post("/key/generate", authed(auth, Role.ADMIN, keys::generate));
        r.get("/key/info", authed(auth, Role.VIEWER, keys::info));
        r.get("/key/list", authed(auth, Role.VIEWER, keys::list));
        r.post("/key/delete", authed(auth, Role.ADMIN, keys::delete));
        r.post("/key/update", authed(auth, Role.ADMIN, keys::update));
        r.post("/key/regenerate", authed(auth, Role.ADMIN, keys::regenerate));
        r.post("/key/block", authed(auth, Role.ADMIN, keys::block));
        r.post("/key/unblock", authed(auth, Role.ADMIN, keys::unblock));
        r.post("/team/new", authed(auth, Role.ADMIN, teams::create));
        r.get("/team/info", authed(auth, Role.VIEWER, teams::info));
        r.get("/team/list", authed(auth, Role.VIEWER, teams::list));
        r.post("/team/update", authed(auth, Role.ADMIN, teams::update));
        r.post("/team/delete", authed(auth, Role.ADMIN, teams::delete));
        r.post("/user/new", authed(auth, Role.ADMIN, users::create));
        r.get("/user/info", authed(auth, Role.VIEWER, users::info));
        r.get("/user/list", authed(auth, Role.VIEWER, users::list));
        r.post("/user/update", authed(auth, Role.ADMIN, users::update));
        r.post("/user/delete", authed(auth, Role.ADMIN, users::delete));
        r.get("/spend/logs", authed(auth, Role.VIEWER, spend::logs));
        r.get("/global/spend/report", authed(auth, Role.VIEWER, spend::report));
        r.get("/audit/log", authed(auth, Role.VIEWER, routes.audit()::log));
        if (routes.sidecarTokens() != null) {
            // A sidecar token receives provider keys in its snapshots: minting or deleting one is the master key's.
            SidecarTokenRoutes sidecarTokens = routes.sidecarTokens();
            r.post("/sidecar/token/new", authed(auth, Role.MASTER, sidecarTokens::create));
            r.get("/sidecar/token/list", authed(auth, Role.VIEWER, sidecarTokens::list));
            r.post("/sidecar/token/delete", authed(auth, Role.MASTER, sidecarTokens::delete));
        }
        if (routes.credentials() != null) {
            CredentialRoutes credentials = routes.credentials();
            r.post("/credentials", authed(auth, Role.ADMIN, credentials::create));
            r.get("/credentials", authed(auth, Role.VIEWER, credentials::list));
            r.get("/credentials/by_name/{name}", authed(auth, Role.VIEWER, credentials::info));
            r.patch("/credentials/{name}", authed(auth, Role.ADMIN, credentials::update));
            r.delete("/credentials/{name}", authed(auth, Role.ADMIN, credentials::delete));
        }
        if (routes.secrets() != null) {
            r.post("/secrets/rotate-kek", authed(auth, Role.MASTER, routes.secrets()::rotateKek));
        }
        if (routes.models() != null) {
            ModelRoutes models = routes.models();
            r.post("/model/new", authed(auth, Role.ADMIN, models::create));
            r.get("/model/info", authed(auth, Role.VIEWER, models::info));
            r.post("/model/delete", authed(auth, Role.ADMIN, models::delete));
        }
        if (routes.adminKeys() != null) {
            AdminKeyRoutes adminKeys = routes.adminKeys();
            r.post("/admin_key/new", authed(auth, Role.MASTER, adminKeys::create));
            r.get("/admin_key/list", authed(auth, Role.VIEWER, adminKeys::list));
            r.post("/admin_key/delete", authed(auth, Role.MASTER, adminKeys::delete));
        }
        r.any((req, res) -> writeError(res, new AdminException(404, "invalid_request_error", "unknown_route", null,
                "no admin route " + req.prologue().method().text() + " " + req.path().path())));
    }

    private static io.helidon.webserver.http.Handler authed(Auth auth, Role needed, Route route) {
        return (req, res) -> {
            try {
                Caller caller = identify(req, auth);
                if (!caller.role().allows(needed)) {
                    throw new AdminException(403, "permission_error", "insufficient_role", null, "this admin key has"
                            + " role " + caller.role().label + "; " + req.prologue().method().text() + " "
                            + req.path().path() + " needs " + (needed == Role.MASTER ? "the master key"
                            : "role " + needed.label + " (or the master key)"));
                }
                Caller.set(caller);
                reply(res, 200, route.handle(req));
            } catch (AdminException e) {
                writeError(res, e);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "admin " + req.path().path() + " failed", e);
                writeError(res, new AdminException(500, "internal_error", "internal_error", null,
                        "the control plane failed to handle " + req.path().path() + "; see its log"));
            } finally {
                Caller.clear();
            }
        };
    }

    private static Caller identify(ServerRequest req, Auth auth) throws Exception {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (header.isEmpty()) {
            throw AdminException.unauthorized("missing master key: send Authorization: Bearer <master key>");
        }
        String presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : header.trim();
        String hash = KeyHashing.sha256Hex(presented);
        // Compare hashes so the comparison time says nothing about the key.
        if (KeyHashing.constantTimeEquals(hash, auth.masterKeyHash())) {
            return Caller.MASTER;
        }
        Optional<String> role = auth.adminKeys().roleOf(hash);
        if (role.isPresent()) {
            return new Caller(Role.of(role.get()), "admin_key:" + hash);
        }
        throw AdminException.unauthorized("invalid master key: the admin API needs the control plane's master key "
                + "(general_settings.master_key or TOLLGATE_MASTER_KEY) or an admin key (POST /admin_key/new)");
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
