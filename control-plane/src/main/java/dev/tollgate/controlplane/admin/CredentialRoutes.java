package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.config.ConfigCredential;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.credentials.CredentialCatalog;
import dev.tollgate.controlplane.credentials.CredentialRepository;
import dev.tollgate.controlplane.credentials.StoredCredential;
import dev.tollgate.controlplane.policy.DeploymentRepository;
import dev.tollgate.controlplane.secrets.KeyRing;
import io.helidon.webserver.http.ServerRequest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code /credentials} (LiteLLM's routes): create, list, read, update (a new version) and delete named
 * provider credentials, sealed under the key ring before they reach the database. Responses show a
 * value only as its last 4 characters. An update is pushed to the sidecars before the call returns,
 * and only then are older versions deleted, so no sidecar is ever handed a version that is gone.
 * Thread-safe.
 */
public final class CredentialRoutes {

    private static final System.Logger LOG = System.getLogger(CredentialRoutes.class.getName());

    private final CredentialCatalog catalog;
    private final CredentialRepository repository;
    private final DeploymentRepository deployments;
    private final Changes changes;
    private final Clock clock;

    public CredentialRoutes(CredentialCatalog catalog, DeploymentRepository deployments, Changes changes, Clock clock) {
        this.catalog = catalog;
        this.repository = catalog.repository();
        this.deployments = deployments;
        this.changes = changes;
        this.clock = clock;
    }

    JsonNode create(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        String name = Fields.text(body, "credential_name").orElseThrow(() -> AdminException.badRequest(
                "credential_name", "credential_name: required (the name deployments give as litellm_credential_name)"));
        if (!ConfigCredential.NAME.matcher(name).matches()) {
            throw AdminException.badRequest("credential_name", "credential_name: \"" + name + "\" (expected: 1-128"
                    + " letters, digits, '.', '_' or '-', starting with a letter or digit)");
        }
        Map<String, String> values = values(body, false);
        if (values.isEmpty()) {
            throw AdminException.badRequest("credential_values", "credential_values: expected a non-empty object such as"
                    + " {\"api_key\": \"sk-...\", \"api_base\": \"https://...\"}");
        }
        String info = Fields.object(body, "credential_info").orElse("{}");
        requireKek(catalog);
        if (catalog.configCredential(name).isPresent()) {
            throw conflict("credential_exists", "credential " + name + " is defined in the config's credential_list;"
                    + " change it there (or pick another name)");
        }
        Instant now = clock.instant();
        StoredCredential sealed = catalog.seal(name, info, 1, now, now, values, Map.of());
        changes.make((c, audit) -> {
            if (repository.findForUpdate(c, name).isPresent()) {
                throw conflict("credential_exists", "credential " + name + " already exists; change it with"
                        + " PATCH /credentials/" + name);
            }
            repository.insert(c, sealed);
            audit.record("credential.create", "credential", name, auditDetails(sealed, values.keySet()));
            return null;
        });
        LOG.log(System.Logger.Level.INFO, "credential " + name + " created (version 1, fields " + values.keySet()
                + ", key id " + sealed.values().values().iterator().next().sealed().keyId() + ")");
        return describe(sealed);
    }

    JsonNode list(ServerRequest req) throws Exception {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("credentials");
        for (ConfigCredential c : catalog.configCredentials()) {
            list.add(describe(c));
        }
        for (StoredCredential c : repository.all()) {
            list.add(describe(c));
        }
        return out;
    }

    JsonNode info(ServerRequest req) throws Exception {
        String name = req.path().pathParameters().get("name");
        Optional<ConfigCredential> config = catalog.configCredential(name);
        if (config.isPresent()) {
            return describe(config.get());
        }
        return describe(repository.find(name).orElseThrow(() -> noSuch(name)));
    }

    /**
     * A new version: fields given replace the current ones, a field given as {@code null} is
     * removed, others carry over (still sealed; their associated data names no version).
     */
    JsonNode update(ServerRequest req) throws Exception {
        String name = req.path().pathParameters().get("name");
        JsonNode body = AdminServer.body(req);
        refuseConfigDefined(name, "changed");
        Map<String, String> values = values(body, true);
        List<String> removed = removedFields(body);
        if (!values.isEmpty()) {
            requireKek(catalog);
        }
        StoredCredential next = changes.make((c, audit) -> {
            StoredCredential current = repository.findForUpdate(c, name).orElseThrow(() -> noSuch(name));
            Map<String, StoredCredential.Value> kept = new LinkedHashMap<>(current.values());
            values.keySet().forEach(kept::remove);
            removed.forEach(kept::remove);
            if (kept.isEmpty() && values.isEmpty()) {
                throw AdminException.badRequest("credential_values", "credential_values: this update would leave"
                        + " credential " + name + " without any field; delete it instead");
            }
            String info = Fields.given(body, "credential_info")
                    ? Fields.object(body, "credential_info").orElse("{}") : current.info();
            StoredCredential n = catalog.seal(name, info, current.version() + 1, current.createdAt(), clock.instant(),
                    values, kept);
            repository.addVersion(c, n);
            ObjectNode details = auditDetails(n, values.keySet());
            ArrayNode gone = details.putArray("removed_fields");
            removed.forEach(gone::add);
            audit.record("credential.update", "credential", name, details);
            return n;
        });
        // The snapshot with the new version has been pushed (changes.make publishes before it returns);
        // sidecars' requests already in flight hold their own copy of the old value, so the old version
        // is no longer needed by anyone.
        int dropped = repository.dropVersionsBefore(name, next.version());
        LOG.log(System.Logger.Level.INFO, "credential " + name + " is now version " + next.version() + " (fields "
                + next.values().keySet() + "); " + dropped + " value(s) of older versions deleted");
        return describe(next);
    }

    JsonNode delete(ServerRequest req) throws Exception {
        String name = req.path().pathParameters().get("name");
        refuseConfigDefined(name, "deleted");
        List<String> users = deployments.all().stream()
                .filter(d -> name.equals(d.params().get("litellm_credential_name")))
                .map(DeploymentRepository.StoredDeployment::id).toList();
        if (!users.isEmpty()) {
            throw conflict("credential_in_use", "credential " + name + " is used by deployment(s) " + users
                    + "; remove them (or point them at another credential) first");
        }
        changes.make((c, audit) -> {
            if (!repository.delete(c, name)) {
                throw noSuch(name);
            }
            audit.record("credential.delete", "credential", name, AdminServer.JSON.createObjectNode());
            return null;
        });
        LOG.log(System.Logger.Level.INFO, "credential " + name + " deleted");
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("credential_name", name).put("deleted", true);
        return out;
    }

    static String requireKek(CredentialCatalog catalog) {
        return catalog.ring().currentKeyId().orElseThrow(() -> new AdminException(400, "invalid_request_error",
                "encryption_key_missing", null, "the control plane has no " + KeyRing.CURRENT_VARIABLE
                + ", so it cannot store credentials encrypted (and never stores them in clear): set it to 32 random"
                + " bytes in base64 (openssl rand -base64 32) and restart the control plane"));
    }

    private void refuseConfigDefined(String name, String verb) {
        if (catalog.configCredential(name).isPresent()) {
            throw conflict("credential_in_config", "credential " + name + " is defined in the config's credential_list"
                    + " and cannot be " + verb + " through the API; edit the config and restart the control plane");
        }
    }

    /** {@code credential_values} as strings; with {@code allowNull}, null entries (removals) are skipped. */
    private static Map<String, String> values(JsonNode body, boolean allowNull) {
        JsonNode node = body.path("credential_values");
        Map<String, String> out = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw AdminException.badRequest("credential_values", "credential_values: expected a JSON object of strings");
        }
        node.fields().forEachRemaining(f -> {
            String field = "credential_values." + f.getKey();
            if (f.getValue().isNull() && allowNull) {
                return;
            }
            if (!f.getValue().isTextual() || f.getValue().asText().isEmpty()) {
                throw AdminException.badRequest(field, field + ": expected a non-empty string"
                        + (allowNull ? " (or null to remove the field)" : ""));
            }
            if (f.getValue().asText().startsWith(CredentialRef.ENV_PREFIX)) {
                throw AdminException.badRequest(field, field + ": os.environ/ references belong in the config's"
                        + " credential_list (the API stores the value itself, encrypted)");
            }
            out.put(f.getKey(), f.getValue().asText());
        });
        return out;
    }

    private static List<String> removedFields(JsonNode body) {
        List<String> out = new java.util.ArrayList<>();
        body.path("credential_values").fields().forEachRemaining(f -> {
            if (f.getValue().isNull()) {
                out.add(f.getKey());
            }
        });
        return out;
    }

    private static ObjectNode auditDetails(StoredCredential c, java.util.Set<String> changed) {
        ObjectNode details = AdminServer.JSON.createObjectNode().put("version", c.version());
        ArrayNode fields = details.putArray("changed_fields");
        changed.forEach(fields::add);
        return details;
    }

    private ObjectNode describe(StoredCredential c) throws SQLException {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("credential_name", c.name());
        ObjectNode values = out.putObject("credential_values");
        c.values().forEach((field, v) -> values.put(field, v.hint()));
        out.set("credential_info", info(c.info()));
        out.put("source", CredentialCatalog.Source.DATABASE.label);
        out.put("version", c.version());
        out.put("created_at", c.createdAt().toString());
        out.put("updated_at", c.updatedAt().toString());
        out.put("key_id", String.join(",", new TreeSet<>(c.values().values().stream()
                .map(v -> v.sealed().keyId()).toList())));
        return out;
    }

    private ObjectNode describe(ConfigCredential c) throws SQLException {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("credential_name", c.name());
        ObjectNode values = out.putObject("credential_values");
        c.values().forEach((field, ref) -> values.put(field, switch (ref) {
            case CredentialRef.Env e -> e.describe();
            case CredentialRef.Literal l -> CredentialCatalog.hint(l.value());
            case CredentialRef.None n -> "";
        }));
        out.set("credential_info", info(c.info()));
        out.put("source", CredentialCatalog.Source.CONFIG.label);
        out.put("version", 1);
        return out;
    }

    private static JsonNode info(String json) throws SQLException {
        try {
            return AdminServer.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new SQLException("credentials.info is not JSON", e);
        }
    }

    private static AdminException noSuch(String name) {
        return AdminException.notFound("credential_name", "no credential " + name + " (GET /credentials lists them)");
    }

    static AdminException conflict(String code, String message) {
        return new AdminException(409, "invalid_request_error", code, null, message);
    }
}
