-- Per-sidecar tokens created through the admin API (/sidecar/token/new). A token is bound to one
-- sidecar name and, optionally, to teams: a scoped sidecar receives only those teams' keys and the
-- aliases and credentials they may use. Only the SHA-256 of the token is stored; it is shown once.
create table sidecar_tokens (
    id           uuid        primary key,
    sidecar_name text        not null,
    token_hash   text        not null unique,
    -- Empty: unscoped (the sidecar receives every key, as with the shared token).
    team_ids     text[]      not null default '{}',
    created_at   timestamptz not null
);
