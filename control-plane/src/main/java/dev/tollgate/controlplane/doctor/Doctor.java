package dev.tollgate.controlplane.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.controlplane.cloud.CredentialMinting;
import dev.tollgate.controlplane.policy.CredentialOverlay;
import dev.tollgate.controlplane.policy.PolicyCompiler;
import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Checks every deployment of every alias end to end, in the order people debug a broken alias:
 * provider prefix, environment variables, api_base (DNS and TCP), credential (the provider's
 * cheapest authenticated call, listing models), model name, and which sidecars hold the policy.
 * Runs in the control plane because that is where the credentials are. Thread-safe.
 */
public final class Doctor {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<PolicySnapshot> policy;
    private final Supplier<Map<String, Long>> sidecars;
    private final HttpClient http;
    private final Function<String, Optional<CredentialMinting.Status>> minting;

    public Doctor(Supplier<PolicySnapshot> policy, Supplier<Map<String, Long>> sidecars, HttpClient http) {
        this(policy, sidecars, http, id -> Optional.empty());
    }

    /** With the state of the short-lived credentials the control plane mints, by deployment id. */
    public Doctor(Supplier<PolicySnapshot> policy, Supplier<Map<String, Long>> sidecars, HttpClient http,
                  Function<String, Optional<CredentialMinting.Status>> minting) {
        this.policy = policy;
        this.sidecars = sidecars;
        this.http = http;
        this.minting = minting;
    }

    /** The report for one deployment. */
    public record Row(String alias, String deployment, String provider, String model, List<Check> checks) {
        public boolean healthy() {
            return checks.stream().noneMatch(c -> c.outcome() == Check.Outcome.FAIL);
        }
    }

    /** How far the doctor goes: {@code DEEP} also makes a 1-token completion per deployment (costs a token). */
    public enum Depth { STANDARD, DEEP }

    public List<Row> run() {
        return run(Depth.STANDARD);
    }

    public List<Row> run(Depth depth) {
        PolicySnapshot snapshot = policy.get();
        List<Row> rows = new ArrayList<>();
        for (Alias alias : snapshot.getAliasesList()) {
            for (Deployment d : alias.getDeploymentsList()) {
                rows.add(check(alias.getName(), d, snapshot.getVersion(), depth));
            }
        }
        return rows;
    }

    private Row check(String alias, Deployment d, long version, Depth depth) {
        List<Check> checks = new ArrayList<>();
        ProviderProbe probe = ProviderProbe.forPrefix(d.getProvider()).orElse(null);
        if (probe == null) {
            checks.add(Check.fail("provider prefix", "'" + d.getProvider() + "' is not a known provider",
                    "use one of " + ProviderProbe.prefixes() + " in litellm_params.model"));
            return new Row(alias, d.getId(), d.getProvider(), d.getModel(), checks);
        }
        checks.add(Check.pass("provider prefix", d.getProvider()));
        String credentialError = d.getParamsOrDefault(PolicyCompiler.CREDENTIAL_ERROR_PARAM, "");
        if (!credentialError.isEmpty() && !credentialError.startsWith(CredentialOverlay.MINT_ERROR_PREFIX)) {
            checks.add(Check.fail("environment", credentialError,
                    "export the variable in the control plane's environment and restart it"));
        } else {
            checks.add(Check.pass("environment", "every os.environ/ reference is set"));
        }
        minting.apply(d.getId()).map(Doctor::mintCheck).ifPresent(checks::add);
        if (d.getProvider().equals("mock")) {
            checks.add(Check.skip("api_base", "built-in mock provider"));
        } else {
            String base = probe.base(d.getApiBase(), d.getParamsMap());
            checks.addAll(network(base, d, probe, credentialError.isEmpty()));
            if (depth == Depth.DEEP && checks.stream().noneMatch(c -> c.outcome() == Check.Outcome.FAIL)) {
                checks.add(completion(base, d, probe));
            }
        }
        checks.add(sidecarCheck(version));
        return new Row(alias, d.getId(), d.getProvider(), d.getModel(), checks);
    }

    /** A minted credential is healthy while usable and its last refresh worked; a failing refresh is flagged before expiry. */
    static Check mintCheck(CredentialMinting.Status s) {
        String fix = "check the identity settings in litellm_params and the control plane's logs; the control plane "
                + "retries with backoff";
        if (s.lastError().isEmpty() && s.expiresAt().isPresent()) {
            return Check.pass("minted credential", s.kind() + ": valid until " + s.expiresAt().get());
        }
        String error = s.lastError().orElse("not minted yet");
        if (s.expiresAt().isPresent()) {
            return Check.fail("minted credential", s.kind() + ": refresh failed " + s.failures() + " time(s): " + error
                    + "; the previous credential stays in use until " + s.expiresAt().get(), fix);
        }
        return Check.fail("minted credential", s.kind() + ": no usable credential: " + error, fix);
    }

    private List<Check> network(String base, Deployment d, ProviderProbe probe, boolean haveCredential) {
        List<Check> checks = new ArrayList<>();
        URI uri = ProviderProbe.uri(base).orElse(null);
        if (uri == null) {
            checks.add(Check.fail("api_base", base.isEmpty() ? "no api_base and the provider has no default"
                    : "'" + base + "' is not a URL", "set litellm_params.api_base"));
            return checks;
        }
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        try {
            InetAddress address = InetAddress.getByName(uri.getHost());
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), (int) TIMEOUT.toMillis());
            }
            checks.add(Check.pass("api_base", uri.getHost() + ":" + port + " accepts connections"));
        } catch (UnknownHostException e) {
            checks.add(Check.fail("api_base", "host " + uri.getHost() + " does not resolve",
                    "check api_base (" + base + ") and DNS from the control plane"));
            return checks;
        } catch (IOException e) {
            checks.add(Check.fail("api_base", uri.getHost() + ":" + port + " refuses or times out ("
                    + e.getClass().getSimpleName() + ")", "check api_base (" + base + ") and the network path"));
            return checks;
        }
        if (probe.modelsPath().isEmpty() || probe.auth() == ProviderProbe.Auth.NONE && !d.getProvider().startsWith("ollama")) {
            checks.add(Check.skip("credential", "no list-models call for " + d.getProvider()));
            checks.add(Check.skip("model", "not checked for " + d.getProvider()));
            return checks;
        }
        if (!haveCredential) {
            checks.add(Check.skip("credential", "no credential to try"));
            return checks;
        }
        checks.addAll(listModels(base, d, probe));
        return checks;
    }

    private List<Check> listModels(String base, Deployment d, ProviderProbe probe) {
        String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root + probe.modelsPath())).timeout(TIMEOUT).GET();
        String key = d.getApiKey();
        switch (probe.auth()) {
            case BEARER -> {
                if (!key.isEmpty()) {
                    request.header("Authorization", "Bearer " + key);
                }
            }
            case X_API_KEY_ANTHROPIC -> request.header("x-api-key", key).header("anthropic-version", "2023-06-01");
            case GOOGLE_KEY -> request.header("x-goog-api-key", key);
            case AZURE_KEY, NONE -> { }
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return List.of(Check.fail("credential", "list models failed: " + e.getClass().getSimpleName(),
                    "check api_base and the network path"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(Check.skip("credential", "interrupted"));
        }
        int status = response.statusCode();
        if (status == 401 || status == 403 || (status == 400 && d.getProvider().equals("gemini"))) {
            return List.of(Check.fail("credential", "the provider refused the credential (HTTP " + status + ")",
                    "fix api_key of " + d.getId() + " (or the environment variable it names)"));
        }
        if (status / 100 != 2) {
            return List.of(Check.fail("credential", "list models answered HTTP " + status,
                    "check api_base path (" + base + ")"));
        }
        List<Check> checks = new ArrayList<>(List.of(Check.pass("credential", "accepted (list models: HTTP 200)")));
        checks.add(modelCheck(response.body(), d));
        return checks;
    }

    private static Check modelCheck(byte[] body, Deployment d) {
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode list = root.has("data") ? root.get("data") : root.has("models") ? root.get("models") : null;
            if (list == null || !list.isArray()) {
                return Check.skip("model", "the model list has an unknown shape");
            }
            for (JsonNode m : list) {
                String id = m.path("id").asText(m.path("name").asText(""));
                if (id.equals(d.getModel()) || id.equals("models/" + d.getModel())
                        || id.startsWith(d.getModel() + ":")) {
                    return Check.pass("model", d.getModel() + " is listed");
                }
            }
            return Check.fail("model", d.getModel() + " is not among the " + list.size() + " models the provider lists",
                    "check the model name after the prefix in litellm_params.model");
        } catch (IOException e) {
            return Check.skip("model", "the model list is not JSON");
        }
    }

    /** A 1-token completion: proves the key may call this model, not just list models. */
    private Check completion(String base, Deployment d, ProviderProbe probe) {
        String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        HttpRequest.Builder request;
        switch (probe.auth()) {
            case BEARER -> {
                request = HttpRequest.newBuilder(URI.create(root + "/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":" + quote(d.getModel())
                                + ",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"));
                if (!d.getApiKey().isEmpty()) {
                    request.header("Authorization", "Bearer " + d.getApiKey());
                }
            }
            case X_API_KEY_ANTHROPIC -> request = HttpRequest.newBuilder(URI.create(
                            root.endsWith("/v1") ? root + "/messages" : root + "/v1/messages"))
                    .header("x-api-key", d.getApiKey()).header("anthropic-version", "2023-06-01")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":" + quote(d.getModel())
                            + ",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"));
            default -> {
                return Check.skip("completion", "no 1-token probe for " + d.getProvider());
            }
        }
        try {
            HttpResponse<byte[]> r = http.send(request.header("Content-Type", "application/json").timeout(TIMEOUT)
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() / 100 == 2 ? Check.pass("completion", "a 1-token completion succeeded")
                    : Check.fail("completion", "a 1-token completion answered HTTP " + r.statusCode(),
                    "check the model name, the key's access to it and the provider's quota");
        } catch (IOException e) {
            return Check.fail("completion", "the completion call failed: " + e.getClass().getSimpleName(),
                    "check api_base and the network path");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Check.skip("completion", "interrupted");
        }
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException("a string always serialises", e);
        }
    }

    private Check sidecarCheck(long version) {
        Map<String, Long> connected = sidecars.get();
        if (connected.isEmpty()) {
            return Check.skip("sidecars", "no sidecar connected to this replica");
        }
        StringBuilder detail = new StringBuilder();
        boolean stale = false;
        for (Map.Entry<String, Long> e : connected.entrySet()) {
            detail.append(detail.isEmpty() ? "" : ", ").append(e.getKey()).append("@v").append(e.getValue());
            stale |= e.getValue() < version;
        }
        return stale ? Check.fail("sidecars", detail + " (current v" + version + ")",
                "a sidecar has not acknowledged the current policy: check its log")
                : Check.pass("sidecars", detail.toString());
    }
}
