package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.credentials.CredentialCatalog;
import dev.tollgate.controlplane.credentials.CredentialRepository;
import dev.tollgate.controlplane.secrets.KeyRing;
import io.helidon.webserver.http.ServerRequest;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code POST /secrets/rotate-kek} (master key only; {@code tollgate secrets rotate-kek} calls it).
 * Thread-safe.
 */
public final class SecretsRoutes {

    private static final System.Logger LOG = System.getLogger(SecretsRoutes.class.getName());

    private final CredentialCatalog catalog;
    private final CredentialRepository repository;
    private final Changes changes;

    public SecretsRoutes(CredentialCatalog catalog, Changes changes) {
        this.catalog = catalog;
        this.repository = catalog.repository();
        this.changes = changes;
    }

    /**
     * {@code POST /secrets/rotate-kek}: re-encrypts every stored value (every version) under the
     * current KEK in one transaction. Values sealed under a key the ring lacks stop the whole
     * rotation, so nothing is left half-rotated.
     */
    JsonNode rotateKek(ServerRequest req) throws Exception {
        KeyRing ring = catalog.ring();
        String current = CredentialRoutes.requireKek(catalog);
        int[] counts = new int[2];
        TreeSet<String> credentials = new TreeSet<>();
        Map<String, Integer> fromKeys = new TreeMap<>();
        changes.make((c, audit) -> {
            for (CredentialRepository.ValueRow row : repository.allValuesForUpdate(c)) {
                credentials.add(row.name());
                if (row.sealed().keyId().equals(current)) {
                    counts[1]++;
                    continue;
                }
                String aad = CredentialCatalog.associatedData(row.name(), row.field());
                String clear = switch (ring.open(row.sealed(), aad)) {
                    case KeyRing.Opened.Plain p -> p.value();
                    case KeyRing.Opened.UnknownKey u -> throw CredentialRoutes.conflict("unknown_encryption_key", "credential "
                            + row.name() + " (" + row.field() + ", version " + row.version() + ") is encrypted under"
                            + " key id " + u.keyId() + ", which this control plane does not hold; add that key to "
                            + KeyRing.PREVIOUS_VARIABLE + " and restart it, then rotate again. Nothing was changed");
                    case KeyRing.Opened.Tampered t -> throw CredentialRoutes.conflict("credential_tampered", "credential " + row.name()
                            + " (" + row.field() + ", version " + row.version() + ") does not decrypt under key id "
                            + t.keyId() + ": the row was altered. Nothing was changed; set it again with PATCH"
                            + " /credentials/" + row.name());
                };
                repository.reseal(c, row, ring.seal(clear, aad));
                fromKeys.merge(row.sealed().keyId(), 1, Integer::sum);
                counts[0]++;
            }
            ObjectNode details = AdminServer.JSON.createObjectNode().put("key_id", current)
                    .put("reencrypted", counts[0]).put("already_current", counts[1]);
            details.putPOJO("from_key_ids", fromKeys);
            audit.record("secrets.rotate_kek", "kek", current, details);
            return null;
        });
        LOG.log(System.Logger.Level.INFO, "key-encryption key rotation: " + counts[0] + " value(s) re-encrypted under"
                + " key id " + current + ", " + counts[1] + " already were, in " + credentials.size() + " credential(s)");
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("key_id", current).put("credentials", credentials.size()).put("reencrypted", counts[0])
                .put("already_current", counts[1]);
        ObjectNode from = out.putObject("from_key_ids");
        fromKeys.forEach(from::put);
        return out;
    }

}
