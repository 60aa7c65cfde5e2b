package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.policy.PolicyHolder;
import dev.tollgate.sidecar.provider.Providers;
import dev.tollgate.sidecar.routing.Router;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Clock;

/**
 * The sidecar's HTTP surface: the OpenAI-compatible API (each route also without {@code /v1})
 * and health. Thread-safe.
 */
public final class ApiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebServer server;

    public ApiServer(String host, int port, PolicyHolder policies, Providers providers,
                     UsageSink usage, Clock clock, String sidecarName) {
        this(host, port, policies, Router.standard(providers, clock), usage, clock, sidecarName);
    }

    /** With the router every proxied request goes through (tests give it a seeded random and a fake pause). */
    public ApiServer(String host, int port, PolicyHolder policies, Router router,
                     UsageSink usage, Clock clock, String sidecarName) {
        Authenticator auth = new Authenticator(clock);
        Gate gate = new Gate(policies, auth, router);
        ChatCompletions chat = new ChatCompletions(gate, usage, clock, sidecarName);
        Embeddings embeddings = new Embeddings(gate, usage, clock, sidecarName);
        Messages messages = new Messages(gate, usage, clock, sidecarName);
        this.server = WebServer.builder()
                .host(host)
                .port(port)
                .routing(r -> routes(r, policies, auth, chat, embeddings, messages))
                .build();
    }

    private static void routes(HttpRouting.Builder r, PolicyHolder policies, Authenticator auth, ChatCompletions chat,
                               Embeddings embeddings, Messages messages) {
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
            boolean ready = policies.current().isPresent();
            body.put("status", ready ? "healthy" : "no policy yet");
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
