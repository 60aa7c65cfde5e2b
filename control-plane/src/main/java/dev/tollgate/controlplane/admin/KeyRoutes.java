package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.keys.KeyRecord;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.policy.PolicyPublisher;
import io.helidon.webserver.http.ServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /key/*}: create, inspect, list and delete virtual keys; every change is published to
 * the sidecars before the call returns. Field names follow LiteLLM's proxy. Thread-safe.
 */
public final class KeyRoutes {

    private static final System.Logger LOG = System.getLogger(KeyRoutes.class.getName());

    /**
     * The longest key lifetime accepted: far beyond any real use, and short enough that the expiry
     * stays inside PostgreSQL's timestamp range (which ends in the year 294276).
     */
    private static final Duration MAX_DURATION = Duration.ofDays(36_500_000);

    private final KeyRepository keys;
    private final PolicyPublisher publisher;
    private final Clock clock;

    public KeyRoutes(KeyRepository keys, PolicyPublisher publisher, Clock clock) {
        this.keys = keys;
        this.publisher = publisher;
        this.clock = clock;
    }

    JsonNode generate(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        List<String> models = stringList(body, "models");
        Optional<String> alias = optionalText(body, "key_alias");
        JsonNode metadata = body.path("metadata");
        if (!metadata.isMissingNode() && !metadata.isNull() && !metadata.isObject()) {
            throw AdminException.badRequest("metadata", "metadata: expected a JSON object");
        }
        Optional<Instant> expires = optionalText(body, "duration").map(d -> clock.instant().plus(parseDuration(d)));
        String key = KeyHashing.newKey();
        Instant now = clock.instant();
        KeyRecord record = new KeyRecord(UUID.randomUUID(), KeyHashing.sha256Hex(key), KeyHashing.hint(key), alias,
                models, metadata.isObject() ? metadata.toString() : "{}", false, expires, now);
        keys.insert(record);
        publisher.publish();
        LOG.log(System.Logger.Level.INFO, "virtual key " + record.keyHint() + " created (id " + record.id() + ")");
        ObjectNode out = describe(record);
        out.put("key", key);
        return out;
    }

    JsonNode info(ServerRequest req) throws Exception {
        String key = req.query().first("key").orElseThrow(
                () -> AdminException.badRequest("key", "query parameter key is required: /key/info?key=sk-..."));
        KeyRecord record = keys.findByHash(hashOf(key)).orElseThrow(
                () -> AdminException.notFound("key", "no such virtual key (it was never created or has been deleted)"));
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("key", record.keyHash());
        out.set("info", describe(record));
        return out;
    }

    JsonNode list(ServerRequest req) throws Exception {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("keys");
        for (KeyRecord record : keys.all()) {
            list.add(describe(record));
        }
        return out;
    }

    JsonNode delete(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        List<String> given = stringList(body, "keys");
        if (given.isEmpty()) {
            throw AdminException.badRequest("keys", "keys: expected a non-empty list of keys (sk-...) or key hashes");
        }
        Set<String> hashes = new LinkedHashSet<>();
        for (String key : given) {
            hashes.add(hashOf(key));
        }
        List<String> deleted = keys.deleteByHash(hashes);
        if (deleted.isEmpty()) {
            throw AdminException.notFound("keys", "none of the " + hashes.size() + " key(s) exists");
        }
        publisher.publish();
        LOG.log(System.Logger.Level.INFO, deleted.size() + " virtual key(s) deleted");
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("deleted_keys");
        deleted.forEach(list::add);
        return out;
    }

    private static ObjectNode describe(KeyRecord record) throws Exception {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("token", record.keyHash());
        out.put("key_name", record.keyHint());
        out.put("key_alias", record.keyAlias().orElse(null));
        ArrayNode models = out.putArray("models");
        record.models().forEach(models::add);
        out.set("metadata", AdminServer.JSON.readTree(record.metadata()));
        out.put("blocked", record.blocked());
        out.put("expires", record.expiresAt().map(Instant::toString).orElse(null));
        out.put("created_at", record.createdAt().toString());
        return out;
    }

    private static String hashOf(String keyOrHash) {
        return KeyHashing.isHash(keyOrHash) ? keyOrHash : KeyHashing.sha256Hex(keyOrHash);
    }

    private static List<String> stringList(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw AdminException.badRequest(field, field + ": expected a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw AdminException.badRequest(field, field + ": expected a list of non-empty strings, got " + item);
            }
            out.add(item.asText());
        }
        return out;
    }

    private static Optional<String> optionalText(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw AdminException.badRequest(field, field + ": expected a string");
        }
        return Optional.of(node.asText());
    }

    /** LiteLLM durations: {@code 30s}, {@code 15m}, {@code 1h}, {@code 7d}. */
    static Duration parseDuration(String text) {
        if (text.length() >= 2) {
            String digits = text.substring(0, text.length() - 1);
            if (digits.chars().allMatch(Character::isDigit)) {
                try {
                    long n = Long.parseLong(digits);
                    Duration d = switch (text.charAt(text.length() - 1)) {
                        case 's' -> Duration.ofSeconds(n);
                        case 'm' -> Duration.ofMinutes(n);
                        case 'h' -> Duration.ofHours(n);
                        case 'd' -> Duration.ofDays(n);
                        default -> null;
                    };
                    if (d != null && d.compareTo(MAX_DURATION) <= 0) {
                        return d;
                    }
                } catch (NumberFormatException | ArithmeticException e) {
                    // Too many digits for a long or a Duration: refused below like any other bad value.
                }
            }
        }
        throw AdminException.badRequest("duration", "duration: \"" + text
                + "\" (expected: a number and s, m, h or d, e.g. 30d; at most 36500000d)");
    }
}
