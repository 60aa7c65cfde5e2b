package dev.tollgate.controlplane.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code tollgate keys create|list|revoke} and {@code tollgate spend}: the admin API's key and
 * spend routes for an operator at a terminal. Exit code 0 on success, 1 when the control plane
 * refused the call (its message is printed), 2 for a usage error or an unreachable control plane.
 */
public final class OperatorCli {

    public static final String KEYS_HELP = """
            Usage: tollgate keys create [--alias NAME] [--models A,B] [--max-budget USD]
                                        [--budget-duration D] [--team ID] [--user ID] [--duration D]
                   tollgate keys list [--team ID] [--alias NAME]
                   tollgate keys revoke KEY_OR_TOKEN...

            Creates (POST /key/generate; the key is printed once, store it now), lists (GET /key/list)
            or revokes (POST /key/delete; a key sk-... or its token, the SHA-256 hash that list shows)
            virtual keys through the control plane's admin API, with the master key from
            TOLLGATE_MASTER_KEY. A revoked key is refused by every sidecar within a second.

              --admin-url URL   control plane admin API   [http://127.0.0.1:4100]
            """;

    public static final String SPEND_HELP = """
            Usage: tollgate spend [--group-by G] [--start DATE] [--end DATE] [--team ID]

            Prints spend per key alias (or per G: key, key_alias, team, user, alias, provider, model or
            day) from GET /global/spend/report, with the master key from TOLLGATE_MASTER_KEY. DATE is
            YYYY-MM-DD or an ISO instant.

              --admin-url URL   control plane admin API   [http://127.0.0.1:4100]
            """;

    public static final String SECRETS_HELP = """
            Usage: tollgate secrets rotate-kek

            Re-encrypts every stored provider credential (every version, every field) under the control
            plane's current key-encryption key, in one transaction, through POST /secrets/rotate-kek
            with the master key from TOLLGATE_MASTER_KEY (admin keys may not). Rotate in three steps:
              1. generate a new key: openssl rand -base64 32
              2. restart the control plane with TOLLGATE_ENCRYPTION_KEY=<new key> and
                 TOLLGATE_ENCRYPTION_KEY_PREVIOUS=<old key> (comma-separate several old keys)
              3. run this command; once it reports 0 values left under old keys, drop
                 TOLLGATE_ENCRYPTION_KEY_PREVIOUS at the next restart.
            Running it again is harmless (it reports the values as already current).

              --admin-url URL   control plane admin API   [http://127.0.0.1:4100]
            """;

    private OperatorCli() {
    }

    public static int secrets(String[] argv, Map<String, String> env, PrintStream out, PrintStream err) {
        Args args;
        try {
            args = Args.parse(List.of(argv), Set.of());
        } catch (IllegalArgumentException e) {
            err.println("tollgate secrets: " + e.getMessage());
            return 2;
        }
        if (args.flags().containsKey("help")) {
            out.print(SECRETS_HELP);
            return 0;
        }
        if (!args.positional().equals(List.of("rotate-kek"))) {
            err.println("tollgate secrets: expected rotate-kek (see --help)");
            return 2;
        }
        return call("secrets", args, env, out, err, api -> {
            JsonNode result = api.post("/secrets/rotate-kek", AdminApi.JSON.createObjectNode());
            out.println("re-encrypted " + result.path("reencrypted").asInt() + " value(s) of "
                    + result.path("credentials").asInt() + " credential(s) under key id " + result.path("key_id").asText()
                    + "; " + result.path("already_current").asInt() + " already were");
            result.path("from_key_ids").fields().forEachRemaining(f -> out.println("  from key id " + f.getKey() + ": "
                    + f.getValue().asInt() + " value(s)"));
            return 0;
        });
    }

    /** Parsed arguments: positional ones in order and {@code --name value} flags. */
    private record Args(List<String> positional, Map<String, String> flags) {
        static Args parse(List<String> args, Set<String> known) {
            List<String> positional = new ArrayList<>();
            Map<String, String> flags = new HashMap<>();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("--")) {
                    positional.add(arg);
                    continue;
                }
                String name = arg.substring(2);
                if (name.equals("help")) {
                    flags.put("help", "true");
                    continue;
                }
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new IllegalArgumentException("--" + name + " needs a value (see --help)");
                }
                if (!known.contains(name) && !name.equals("admin-url")) {
                    throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
                }
                flags.put(name, value);
            }
            return new Args(positional, flags);
        }
    }

    public static int keys(String[] argv, Map<String, String> env, PrintStream out, PrintStream err) {
        Args args;
        try {
            args = Args.parse(List.of(argv), Set.of("alias", "models", "max-budget", "budget-duration", "team", "user",
                    "duration"));
        } catch (IllegalArgumentException e) {
            err.println("tollgate keys: " + e.getMessage());
            return 2;
        }
        if (args.flags().containsKey("help")) {
            out.print(KEYS_HELP);
            return 0;
        }
        String sub = args.positional().isEmpty() ? "" : args.positional().get(0);
        List<String> rest = args.positional().subList(Math.min(1, args.positional().size()), args.positional().size());
        return call("keys", args, env, out, err, api -> switch (sub) {
            case "create" -> create(api, args, out, err);
            case "list" -> list(api, args, out);
            case "revoke" -> revoke(api, rest, out, err);
            default -> {
                err.println("tollgate keys: expected create, list or revoke (see --help)");
                yield 2;
            }
        });
    }

    public static int spend(String[] argv, Map<String, String> env, PrintStream out, PrintStream err) {
        Args args;
        try {
            args = Args.parse(List.of(argv), Set.of("group-by", "start", "end", "team"));
        } catch (IllegalArgumentException e) {
            err.println("tollgate spend: " + e.getMessage());
            return 2;
        }
        if (args.flags().containsKey("help")) {
            out.print(SPEND_HELP);
            return 0;
        }
        return call("spend", args, env, out, err, api -> {
            String groupBy = args.flags().getOrDefault("group-by", "key_alias");
            StringBuilder query = new StringBuilder("/global/spend/report?group_by=").append(encode(groupBy));
            appendParam(query, "start_date", args.flags().get("start"));
            appendParam(query, "end_date", args.flags().get("end"));
            appendParam(query, "team_id", args.flags().get("team"));
            JsonNode report = api.get(query.toString());
            String format = "%-40s %12s %10s %14s%n";
            out.printf(format, groupBy.toUpperCase(java.util.Locale.ROOT), "SPEND_USD", "REQUESTS", "TOTAL_TOKENS");
            for (JsonNode row : report.path("rows")) {
                out.printf(format, row.path(groupBy).asText("(none)"), row.path("spend").asText(),
                        row.path("requests").asText(), row.path("total_tokens").asText());
            }
            out.printf(format, "TOTAL", report.path("total_spend").asText(), report.path("total_requests").asText(), "");
            return 0;
        });
    }

    private static int create(AdminApi api, Args args, PrintStream out, PrintStream err) throws Exception {
        ObjectNode body = AdminApi.JSON.createObjectNode();
        Map<String, String> f = args.flags();
        if (f.containsKey("alias")) {
            body.put("key_alias", f.get("alias"));
        }
        if (f.containsKey("models")) {
            var models = body.putArray("models");
            for (String m : f.get("models").split(",")) {
                if (!m.isBlank()) {
                    models.add(m.trim());
                }
            }
        }
        if (f.containsKey("max-budget")) {
            body.put("max_budget", new java.math.BigDecimal(f.get("max-budget")));
        }
        putIfGiven(body, "budget_duration", f.get("budget-duration"));
        putIfGiven(body, "team_id", f.get("team"));
        putIfGiven(body, "user_id", f.get("user"));
        putIfGiven(body, "duration", f.get("duration"));
        JsonNode created = api.post("/key/generate", body);
        out.println(created.path("key").asText());
        err.println("key " + created.path("key_alias").asText(f.getOrDefault("alias", "")) + " created (token "
                + created.path("token").asText() + "); it is shown only this once");
        return 0;
    }

    private static int list(AdminApi api, Args args, PrintStream out) throws Exception {
        String format = "%-18s %-14s %-24s %-16s %-8s %s%n";
        out.printf(format, "TOKEN", "KEY", "ALIAS", "TEAM", "BLOCKED", "EXPIRES");
        int count = 0;
        for (int page = 1; ; page++) {
            StringBuilder query = new StringBuilder("/key/list?size=100&page=" + page);
            appendParam(query, "team_id", args.flags().get("team"));
            appendParam(query, "key_alias", args.flags().get("alias"));
            JsonNode result = api.get(query.toString());
            for (JsonNode k : result.path("keys")) {
                String token = k.path("token").asText();
                out.printf(format, token.length() > 16 ? token.substring(0, 16) + "…" : token,
                        k.path("key_name").asText(), text(k.path("key_alias")), text(k.path("team_id")),
                        k.path("blocked").asBoolean() ? "yes" : "no", text(k.path("expires")));
                count++;
            }
            if (page >= result.path("total_pages").asInt(1)) {
                break;
            }
        }
        out.println(count + " key(s)");
        return 0;
    }

    private static int revoke(AdminApi api, List<String> keys, PrintStream out, PrintStream err) throws Exception {
        if (keys.isEmpty()) {
            err.println("tollgate keys revoke: name at least one key (sk-...) or token (see --help)");
            return 2;
        }
        ObjectNode body = AdminApi.JSON.createObjectNode();
        var list = body.putArray("keys");
        keys.forEach(list::add);
        JsonNode result = api.post("/key/delete", body);
        out.println("revoked " + result.path("deleted_keys").size() + " key(s)");
        return 0;
    }

    @FunctionalInterface
    private interface Command {
        int run(AdminApi api) throws Exception;
    }

    private static int call(String name, Args args, Map<String, String> env, PrintStream out, PrintStream err,
                            Command command) {
        String masterKey = env.getOrDefault("TOLLGATE_MASTER_KEY", "");
        if (masterKey.isEmpty()) {
            err.println("tollgate " + name + ": set TOLLGATE_MASTER_KEY to the control plane's master key");
            return 2;
        }
        AdminApi api = new AdminApi(args.flags().getOrDefault("admin-url", "http://127.0.0.1:4100"), masterKey);
        try {
            return command.run(api);
        } catch (AdminApi.Refused e) {
            err.println("tollgate " + name + ": the control plane answered " + e.status + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("tollgate " + name + ": cannot reach the control plane at " + api.baseUrl() + " ("
                    + e.getClass().getSimpleName() + "); check --admin-url and that it runs");
            return 2;
        } catch (NumberFormatException e) {
            err.println("tollgate " + name + ": --max-budget expects a number of US dollars");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        } catch (Exception e) {
            err.println("tollgate " + name + ": " + e.getMessage());
            return 2;
        }
    }

    private static void putIfGiven(ObjectNode body, String field, String value) {
        if (value != null) {
            body.put(field, value);
        }
    }

    private static void appendParam(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append('&').append(name).append('=').append(encode(value));
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String text(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? "-" : node.asText();
    }
}
