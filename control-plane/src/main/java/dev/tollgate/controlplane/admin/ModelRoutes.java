package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.config.ConfigLoader;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.credentials.CredentialCatalog;
import dev.tollgate.controlplane.policy.DeploymentRepository;
import io.helidon.webserver.http.ServerRequest;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /model/new}, {@code GET /model/info}, {@code POST /model/delete} (LiteLLM's routes):
 * deployments added at runtime. Such a deployment takes its key from a named credential
 * ({@code litellm_params.litellm_credential_name}); a key or an {@code os.environ/} reference in the
 * request is refused, so a key given to the API is always stored encrypted. Thread-safe.
 */
public final class ModelRoutes {

    private static final System.Logger LOG = System.getLogger(ModelRoutes.class.getName());

    private final DeploymentRepository deployments;
    private final CredentialCatalog credentials;
    private final Changes changes;

    public ModelRoutes(DeploymentRepository deployments, CredentialCatalog credentials, Changes changes) {
        this.deployments = deployments;
        this.credentials = credentials;
        this.changes = changes;
    }

    JsonNode create(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        ModelDeployment d;
        try {
            d = ConfigLoader.parseModel(body);
        } catch (ConfigLoader.ConfigException | IllegalArgumentException e) {
            throw AdminException.badRequest("litellm_params", e.getMessage());
        }
        if (!d.credential().describe().equals("none") || !d.secretParams().isEmpty()) {
            throw AdminException.badRequest("litellm_params", "litellm_params: a deployment added through the API takes"
                    + " its key from a stored credential: create it with POST /credentials and name it in"
                    + " litellm_params.litellm_credential_name (api_key, secrets and os.environ/ references are refused"
                    + " here so that no key is stored in clear)");
        }
        String credential = d.params().get("litellm_credential_name");
        if (credential != null && credentials.configCredential(credential).isEmpty()
                && credentials.repository().find(credential).isEmpty()) {
            throw AdminException.badRequest("litellm_params.litellm_credential_name", "litellm_credential_name: no"
                    + " credential " + credential + " (create it with POST /credentials first)");
        }
        String id = d.alias() + "#api-" + UUID.randomUUID().toString().substring(0, 8);
        changes.make((c, audit) -> {
            deployments.insertApiDeployment(c, id, d);
            ObjectNode details = AdminServer.JSON.createObjectNode().put("model_name", d.alias())
                    .put("model", d.provider() + "/" + d.model()).put("litellm_credential_name", credential);
            audit.record("model.create", "deployment", id, details);
            return null;
        });
        LOG.log(System.Logger.Level.INFO, "deployment " + id + " added (" + d.provider() + "/" + d.model()
                + (credential == null ? "" : ", credential " + credential) + ")");
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("model_name", d.alias());
        out.putObject("model_info").put("id", id).put("source", DeploymentRepository.SOURCE_API);
        return out;
    }

    JsonNode info(ServerRequest req) throws Exception {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode data = out.putArray("data");
        for (Map.Entry<DeploymentRepository.StoredDeployment, String> e : deployments.allWithSource()) {
            DeploymentRepository.StoredDeployment d = e.getKey();
            ObjectNode entry = data.addObject();
            entry.put("model_name", d.alias());
            ObjectNode params = entry.putObject("litellm_params");
            params.put("model", d.provider() + "/" + d.model());
            if (!d.apiBase().isEmpty()) {
                params.put("api_base", d.apiBase());
            }
            d.params().forEach(params::put);
            entry.putObject("model_info").put("id", d.id()).put("source", e.getValue())
                    .put("api_key", d.credentialRef());
        }
        return out;
    }

    JsonNode delete(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        String id = Fields.text(body, "id").orElseThrow(() -> AdminException.badRequest("id",
                "id: required (model_info.id from GET /model/info)"));
        changes.make((c, audit) -> {
            String source = deployments.sourceOf(c, id).orElseThrow(() -> AdminException.notFound("id",
                    "no deployment " + id + " (GET /model/info lists them)"));
            if (!source.equals(DeploymentRepository.SOURCE_API)) {
                throw new AdminException(409, "invalid_request_error", "deployment_in_config", "id", "deployment " + id
                        + " comes from the config file; remove it there and restart the control plane");
            }
            deployments.delete(c, id);
            audit.record("model.delete", "deployment", id, AdminServer.JSON.createObjectNode());
            return null;
        });
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("id", id).put("deleted", true);
        return out;
    }
}
