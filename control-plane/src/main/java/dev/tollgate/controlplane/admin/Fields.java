package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.budget.BudgetDuration;
import dev.tollgate.controlplane.budget.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads typed fields of an admin request body; every refusal is a 400 naming the field and what
 * was expected. A field given as JSON {@code null} reads as empty (it clears the value on update).
 */
final class Fields {

    private Fields() {
    }

    static boolean given(JsonNode body, String field) {
        return body.has(field);
    }

    static Optional<String> text(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw AdminException.badRequest(field, field + ": expected a string, got " + node);
        }
        return Optional.of(node.asText());
    }

    static List<String> stringList(JsonNode body, String field) {
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

    /** A USD amount (JSON number or decimal string) as micro-dollars; at most 6 decimal places. */
    static Optional<Long> money(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        return Optional.of(moneyValue(node, field));
    }

    static long moneyValue(JsonNode node, String field) {
        BigDecimal usd;
        if (node.isNumber()) {
            usd = node.decimalValue();
        } else if (node.isTextual()) {
            try {
                usd = new BigDecimal(node.asText().trim());
            } catch (NumberFormatException e) {
                throw AdminException.badRequest(field, field + ": \"" + node.asText() + "\" (expected: a USD amount, e.g. 10.5)");
            }
        } else {
            throw AdminException.badRequest(field, field + ": " + node + " (expected: a USD amount, e.g. 10.5)");
        }
        if (usd.signum() < 0) {
            throw AdminException.badRequest(field, field + ": " + usd.toPlainString() + " (expected: >= 0)");
        }
        try {
            return Money.micros(usd);
        } catch (IllegalArgumentException e) {
            throw AdminException.badRequest(field, field + ": " + e.getMessage());
        }
    }

    /** A non-negative whole number. */
    static Optional<Long> count(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
            throw AdminException.badRequest(field, field + ": " + node + " (expected: a whole number >= 0)");
        }
        return Optional.of(node.asLong());
    }

    static Optional<BudgetDuration> duration(JsonNode body, String field) {
        return text(body, field).map(text -> {
            try {
                return BudgetDuration.parse(text);
            } catch (IllegalArgumentException e) {
                throw AdminException.badRequest(field, field + ": " + e.getMessage());
            }
        });
    }

    /** A JSON object, as text; {@code "{}"} when absent. */
    static Optional<String> object(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw AdminException.badRequest(field, field + ": expected a JSON object");
        }
        return Optional.of(node.toString());
    }

    /** A JSON object of string values. */
    static Map<String, String> stringMap(JsonNode body, String field) {
        JsonNode node = body.path(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw AdminException.badRequest(field, field + ": expected a JSON object of strings");
        }
        node.fields().forEachRemaining(f -> {
            if (!f.getValue().isTextual() || f.getValue().asText().isBlank()) {
                throw AdminException.badRequest(field, field + "." + f.getKey() + ": expected a non-empty string");
            }
            out.put(f.getKey(), f.getValue().asText());
        });
        return out;
    }
}
