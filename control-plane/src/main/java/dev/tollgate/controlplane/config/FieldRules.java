package dev.tollgate.controlplane.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The table behind {@link KnownFields}: for each section of a LiteLLM proxy config, the fields Tollgate
 * uses, ignores (with why) and refuses (with what to do instead). A field no table names is ignored as
 * unknown. When a field becomes implemented, move it to {@code used}.
 */
final class FieldRules {

    enum Support {
        USED,
        IGNORED,
        REFUSED
    }

    record Rule(Support support, String note) {
    }

    static final Rule USED_RULE = new Rule(Support.USED, "");
    static final Rule UNKNOWN = ignored("not a field Tollgate knows (ignored)");
    static final Rule DESCRIPTIVE = ignored("descriptive only; Tollgate does not read it");

    /** Provider prefixes the sidecar serves (its ProviderCatalog); keep in step with it. */
    static final List<String> PROVIDERS = List.of("openai", "azure", "anthropic", "bedrock", "gemini", "vertex_ai",
            "groq", "mistral", "deepseek", "together_ai", "openrouter", "fireworks_ai", "hosted_vllm", "ollama",
            "ollama_chat", "mock");

    static final Map<String, Rule> TOP = table(
            used("model_list", "router_settings", "litellm_settings", "general_settings", "environment_variables",
                    "tollgate", "credential_list"),
            Map.of(
                    "include", refused("splitting the config over files is not supported; copy the included "
                            + "files' model_list entries into this file"),
                    "guardrails", refused("guardrails change or block requests, and Tollgate cannot run LiteLLM's")));

    static final Map<String, Rule> MODEL_ENTRY = table(
            used("model_name", "litellm_params", "model_info"),
            Map.of("rpm", ignored("put per-deployment limits in litellm_params.rpm"),
                    "tpm", ignored("put per-deployment limits in litellm_params.tpm")));

    /** Deployment params the control plane or a sidecar adapter reads. */
    private static final Set<String> PARAMS_USED = Set.of("model", "api_key", "api_base", "api_version",
            "organization", "timeout", "stream_timeout", "stream_idle_timeout", "rpm", "tpm", "max_parallel_requests", "weight", "order",
            "input_cost_per_token", "output_cost_per_token", "drop_params", "aws_access_key_id",
            "aws_secret_access_key", "aws_session_token", "aws_region_name", "vertex_project", "vertex_location",
            "azure_ad_token", "anthropic_beta", "input_type", "litellm_credential_name",
            // Tollgate's strict mode (README "Strict mode"): where the provider key may live.
            "exposure");

    /** Values LiteLLM merges into every request of a deployment. */
    private static final Set<String> REQUEST_DEFAULTS = Set.of("temperature", "top_p", "max_tokens",
            "max_completion_tokens", "stop", "seed", "frequency_penalty", "presence_penalty", "n", "response_format",
            "tool_choice", "tools", "user", "logit_bias", "reasoning_effort", "extra_body", "extra_headers");

    private static final Map<String, Rule> PARAMS_OTHER = table(Set.of(), Map.ofEntries(
            Map.entry("max_retries", ignored("per-deployment retries are not read; use router_settings.num_retries")),
            Map.entry("tags", ignored("tag-based routing is not implemented")),
            Map.entry("region_name", ignored("region-based routing is not implemented")),
            Map.entry("metadata", DESCRIPTIVE),
            Map.entry("custom_llm_provider", refused("write the provider as the prefix of model, e.g. "
                    + "model: openai/<model>")),
            Map.entry("aws_profile_name", refused("AWS profiles are not read; set aws_access_key_id and "
                    + "aws_secret_access_key")),
            Map.entry("aws_web_identity_token", refused("web-identity federation is not supported; set "
                    + "aws_access_key_id and aws_secret_access_key")),
            Map.entry("aws_bedrock_runtime_endpoint", refused("set the endpoint as api_base instead, or calls "
                    + "would go to the public Bedrock endpoint")),
            Map.entry("input_cost_per_second", refused("only per-token prices are supported; without one, spend "
                    + "and budgets would read zero")),
            Map.entry("output_cost_per_second", refused("only per-token prices are supported; without one, spend "
                    + "and budgets would read zero"))));

    /** Params from which the control plane mints short-lived credentials, by the provider that reads them. */
    private static final Map<String, String> MINTING_PARAMS = Map.of(
            "aws_role_name", "bedrock", "aws_session_name", "bedrock", "aws_sts_endpoint", "bedrock",
            "tenant_id", "azure", "client_id", "azure", "client_secret", "azure", "azure_authority_host", "azure",
            "vertex_credentials", "vertex_ai");

    /** The built-in mock provider's own params, which LiteLLM reads for any provider. */
    private static final Set<String> MOCK_PARAMS = Set.of("mock_response", "mock_latency_ms", "mock_chunk_delay_ms");

    static final Set<String> MODEL_INFO_PRICES = Set.of("input_cost_per_token", "output_cost_per_token");

    static final Map<String, Rule> MODEL_INFO = table(
            used("input_cost_per_token", "output_cost_per_token"),
            Map.of("id", ignored("deployment ids are <model_name>#<position>; this id is not used"),
                    "mode", ignored("descriptive only; the route a request uses decides the operation"),
                    "base_model", ignored("prices come from input_cost_per_token/output_cost_per_token, not from a "
                            + "model price map")));

    static final Map<String, Rule> GENERAL = table(
            used("master_key", "database_url", "allow_requests_on_db_unavailable"),
            Map.ofEntries(
                    Map.entry("allowed_routes", refused("route restrictions are not implemented; the sidecar serves "
                            + "its fixed routes to any valid key")),
                    Map.entry("admin_only_routes", refused("route restrictions are not implemented")),
                    Map.entry("custom_auth", refused("custom Python auth cannot run in Tollgate")),
                    Map.entry("enable_jwt_auth", refused("JWT auth is not implemented; apps use virtual keys")),
                    Map.entry("litellm_jwtauth", refused("JWT auth is not implemented; apps use virtual keys")),
                    Map.entry("allowed_ips", refused("IP allow-lists are not implemented; sidecars listen on "
                            + "loopback")),
                    Map.entry("enforce_user_param", refused("requiring the user param is not implemented")),
                    Map.entry("enforced_params", refused("required request params are not implemented")),
                    Map.entry("key_management_system", refused("secret managers are not read; os.environ/ "
                            + "references resolve in the control plane's environment only")),
                    Map.entry("key_management_settings", refused("secret managers are not read")),
                    Map.entry("litellm_key_header_name", refused("the virtual key is read from Authorization "
                            + "(or x-api-key) only")),
                    Map.entry("pass_through_endpoints", refused("pass-through routes are not served")),
                    Map.entry("alerting", ignored("Tollgate sends no alerts; scrape the sidecar's /metrics")),
                    Map.entry("alerting_threshold", ignored("Tollgate sends no alerts")),
                    Map.entry("alerting_args", ignored("Tollgate sends no alerts")),
                    Map.entry("spend_report_frequency", ignored("Tollgate sends no spend reports; see /spend/logs")),
                    Map.entry("database_connection_pool_limit", ignored("the pool size is fixed (8)")),
                    Map.entry("database_connection_timeout", ignored("the connection timeout is fixed (5 s)")),
                    Map.entry("proxy_batch_write_at", ignored("usage is written as sidecars report it")),
                    Map.entry("store_model_in_db", ignored("config deployments are always stored in PostgreSQL")),
                    Map.entry("disable_spend_logs", ignored("Tollgate always keeps one usage row per request")),
                    Map.entry("background_health_checks", ignored("background health checks are not run")),
                    Map.entry("health_check_interval", ignored("background health checks are not run")),
                    Map.entry("max_parallel_requests", ignored("there is no proxy-wide concurrency limit")),
                    Map.entry("global_max_parallel_requests", ignored("there is no proxy-wide concurrency limit"))));

    static final Map<String, Rule> ROUTER = table(RoutingSettingsParser.ROUTER_FIELDS, Map.of());

    static final Map<String, Rule> LITELLM = table(
            // Routing fields are read by the router's parser (RoutingSettings).
            used("num_retries", "request_timeout", "fallbacks", "default_fallbacks", "context_window_fallbacks",
                    "content_policy_fallbacks", "allowed_fails", "cooldown_time", "drop_params",
                    // Already so in Tollgate: prompts and keys are never logged.
                    "turn_off_message_logging", "redact_user_api_key_info",
                    // Checked entry by entry (KnownFields.callbacks).
                    "callbacks"),
            Map.ofEntries(
                    Map.entry("success_callback", ignored("logging callbacks do not run; Tollgate exports "
                            + "OpenTelemetry traces and keeps a usage row per request")),
                    Map.entry("failure_callback", ignored("logging callbacks do not run; Tollgate exports "
                            + "OpenTelemetry traces and keeps a usage row per request")),
                    Map.entry("service_callback", ignored("logging callbacks do not run")),
                    Map.entry("set_verbose", ignored("log levels are not set from the config")),
                    Map.entry("json_logs", ignored("logs are one plain line per event")),
                    Map.entry("cache", ignored("there is no response cache; every request reaches the provider")),
                    Map.entry("cache_params", ignored("there is no response cache")),
                    Map.entry("modify_params", ignored("requests are not rewritten to fit a provider")),
                    Map.entry("max_budget", refused("a proxy-wide budget is not enforced; remove it and set budgets "
                            + "on keys or teams through the admin API")),
                    Map.entry("budget_duration", refused("a proxy-wide budget is not enforced; remove it and set "
                            + "budgets on keys or teams through the admin API"))));

    /** Callbacks that only log or export; anything else may change requests. */
    static final Set<String> LOGGING_CALLBACKS = Set.of("langfuse", "langfuse_otel", "langsmith", "lunary", "helicone",
            "otel", "opentelemetry", "prometheus", "datadog", "datadog_llm_observability", "s3", "s3_v2", "gcs_bucket",
            "gcs_pubsub", "azure_storage", "sqs", "dynamodb", "sentry", "slack", "arize", "arize_phoenix",
            "braintrust", "mlflow", "openmeter", "logfire", "athina", "wandb", "weights_biases", "supabase",
            "traceloop", "greenscale", "posthog", "generic", "generic_api", "custom_callback_api", "langtrace",
            "literalai", "opik", "humanloop", "deepeval", "agentops", "levo", "cloudzero", "focus");

    private FieldRules() {
    }

    /** How a {@code litellm_params} field of a deployment on {@code provider} is treated. */
    static Rule litellmParam(String name, String provider) {
        if (PARAMS_USED.contains(name)) {
            return USED_RULE;
        }
        if (MINTING_PARAMS.containsKey(name)) {
            String owner = MINTING_PARAMS.get(name);
            return provider.equals(owner) ? USED_RULE : refused("only " + owner + " deployments mint short-lived "
                    + "credentials from " + name + "; this deployment would not use it");
        }
        if (MOCK_PARAMS.contains(name)) {
            return provider.equals("mock") ? USED_RULE : refused("LiteLLM answers with the mock without calling the "
                    + "provider, Tollgate would call it; use model: mock/<name> for a mocked deployment");
        }
        if (name.equals("max_tokens") && provider.equals("anthropic")) {
            return USED_RULE; // the Anthropic adapter's default max_tokens
        }
        if (REQUEST_DEFAULTS.contains(name)) {
            return ignored("request defaults in litellm_params are not merged into requests; send " + name
                    + " in the request");
        }
        return PARAMS_OTHER.getOrDefault(name, ignored("not a deployment param Tollgate reads (ignored)"));
    }

    static Rule ignored(String note) {
        return new Rule(Support.IGNORED, note);
    }

    static Rule refused(String note) {
        return new Rule(Support.REFUSED, note);
    }

    private static Set<String> used(String... names) {
        return Set.of(names);
    }

    private static Map<String, Rule> table(Set<String> used, Map<String, Rule> others) {
        Map<String, Rule> all = new HashMap<>(others);
        used.forEach(name -> all.put(name, USED_RULE));
        return Map.copyOf(all);
    }
}
