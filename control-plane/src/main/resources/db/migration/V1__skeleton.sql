-- Aliases and their deployments. Credentials are never stored here in clear:
-- credential_ref says where the control plane resolves them ("os.environ/NAME", "literal", "none").
create table deployments (
    id             text primary key,
    alias          text        not null,
    position       integer     not null,
    provider       text        not null,
    model          text        not null,
    api_base       text        not null default '',
    credential_ref text        not null default 'none',
    params         jsonb       not null default '{}'::jsonb,
    source         text        not null default 'config',
    updated_at     timestamptz not null default now()
);
create index deployments_alias on deployments (alias, position);

-- Virtual keys: only the SHA-256 of the key text is kept.
create table virtual_keys (
    id         uuid primary key,
    key_hash   text        not null unique,
    key_alias  text,
    key_hint   text        not null,
    models     text[]      not null default '{}',
    metadata   jsonb       not null default '{}'::jsonb,
    blocked    boolean     not null default false,
    expires_at timestamptz,
    created_at timestamptz not null default now()
);

-- One row per proxied request; the sidecar's record id makes delivery idempotent.
create table usage_records (
    id                text primary key,
    key_id            uuid,
    alias             text        not null,
    deployment_id     text        not null default '',
    provider          text        not null default '',
    model             text        not null default '',
    prompt_tokens     bigint      not null default 0,
    completion_tokens bigint      not null default 0,
    cached_tokens     bigint      not null default 0,
    cost_micros       bigint      not null default 0,
    latency_ms        bigint      not null default 0,
    ttft_ms           bigint      not null default 0,
    http_status       integer     not null,
    error_type        text        not null default '',
    attempts          integer     not null default 1,
    stream            boolean     not null default false,
    sidecar_name      text        not null default '',
    trace_id          text        not null default '',
    span_id           text        not null default '',
    started_at        timestamptz not null,
    received_at       timestamptz not null default now()
);
create index usage_records_key_time on usage_records (key_id, started_at);

-- Policy versions handed to sidecars; a sequence so that versions only grow, across restarts too.
create sequence policy_version_seq;
