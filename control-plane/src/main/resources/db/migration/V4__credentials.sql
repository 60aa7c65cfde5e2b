-- Named provider credentials (LiteLLM's /credentials and credential_list), their values sealed with
-- AES-256-GCM under a key-encryption key (KEK) that lives only in the control plane's environment.
-- current_version names the version sidecars are given; older versions are deleted once the
-- snapshot carrying the new one has been pushed.
create table credentials (
    name            text primary key,
    info            jsonb       not null default '{}'::jsonb,
    current_version integer     not null,
    created_at      timestamptz not null,
    updated_at      timestamptz not null
);

-- One row per field of a credential version. Never a value in clear: nonce (96 bits, random per
-- value) and ciphertext (with the GCM tag) under the KEK named by key_id (first 8 hex digits of the
-- SHA-256 of the KEK); hint is the last 4 characters, the only part an API response shows.
create table credential_values (
    name       text     not null references credentials (name) on delete cascade,
    version    integer  not null,
    field      text     not null,
    key_id     text     not null,
    nonce      bytea    not null,
    ciphertext bytea    not null,
    hint       text     not null,
    primary key (name, version, field)
);

-- Admin API keys with a role (admin, viewer), so dashboards need not hold the master key. Only the
-- SHA-256 of the key text is kept, as for virtual keys.
create table admin_keys (
    id         uuid primary key,
    key_hash   text        not null unique,
    key_hint   text        not null,
    key_alias  text,
    role       text        not null check (role in ('admin', 'viewer')),
    created_at timestamptz not null
);
