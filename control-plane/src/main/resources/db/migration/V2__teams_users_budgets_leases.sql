-- Budgets, rate limits, teams, users, budget/rate leases and the audit log.
-- Money is integer micro-dollars (1e-6 USD) everywhere; NULL limits mean "no limit".
-- budget_anchor fixes the budget windows: [anchor + k*duration, anchor + (k+1)*duration), so a
-- window boundary is the same for every control-plane replica and survives restarts.

create table teams (
    id                    text primary key,
    team_alias            text,
    models                text[]      not null default '{}',
    max_budget_micros     bigint,
    soft_budget_micros    bigint,
    budget_duration       text,
    budget_anchor         timestamptz not null,
    rpm_limit             bigint,
    tpm_limit             bigint,
    max_parallel_requests bigint,
    metadata              jsonb       not null default '{}'::jsonb,
    blocked               boolean     not null default false,
    created_at            timestamptz not null,
    updated_at            timestamptz not null
);

create table users (
    id                    text primary key,
    user_email            text,
    user_role             text,
    models                text[]      not null default '{}',
    max_budget_micros     bigint,
    soft_budget_micros    bigint,
    budget_duration       text,
    budget_anchor         timestamptz not null,
    rpm_limit             bigint,
    tpm_limit             bigint,
    max_parallel_requests bigint,
    metadata              jsonb       not null default '{}'::jsonb,
    created_at            timestamptz not null,
    updated_at            timestamptz not null
);

alter table virtual_keys
    add column team_id               text references teams (id) on delete cascade,
    add column user_id               text references users (id) on delete cascade,
    add column max_budget_micros     bigint,
    add column soft_budget_micros    bigint,
    add column budget_duration       text,
    add column budget_anchor         timestamptz,
    add column rpm_limit             bigint,
    add column tpm_limit             bigint,
    add column max_parallel_requests bigint,
    -- {"<alias>": {"max_budget_micros": n, "budget_duration": "1d"}}
    add column model_max_budget      jsonb not null default '{}'::jsonb,
    -- {"<name the app sends>": "<alias>"}
    add column aliases               jsonb not null default '{}'::jsonb,
    add column updated_at            timestamptz;
update virtual_keys set budget_anchor = created_at, updated_at = created_at;
alter table virtual_keys alter column budget_anchor set not null, alter column updated_at set not null;
create index virtual_keys_team on virtual_keys (team_id);
create index virtual_keys_user on virtual_keys (user_id);

-- Who the key belonged to when the request ran: spend by team and user without a join.
alter table usage_records add column team_id text, add column user_id text;
create index usage_records_team_time on usage_records (team_id, started_at) where team_id is not null;
create index usage_records_user_time on usage_records (user_id, started_at) where user_id is not null;
create index usage_records_time on usage_records (started_at);

-- One row per limited entity, allowance kind and window: how much of the limit has been handed
-- to sidecars as leases (allocated) and how much they reported settled (consumed). Grants are a
-- conditional UPDATE on this row (allocated + grant <= limit_amount), so replicas grant safely.
-- lease_kind: 1 budget (micro-dollars), 2 requests, 3 tokens.
create table lease_windows (
    entity_kind  text        not null,
    entity_id    text        not null,
    lease_kind   smallint    not null,
    window_start timestamptz not null,
    window_end   timestamptz,
    limit_amount bigint      not null,
    allocated    bigint      not null default 0,
    consumed     bigint      not null default 0,
    primary key (entity_kind, entity_id, lease_kind, window_start)
);
create index lease_windows_end on lease_windows (window_end);

-- One row per lease a sidecar holds (the sidecar picks the id). granted and consumed are
-- cumulative; a released lease gave its unconsumed rest back to allocated.
create table leases (
    id           uuid primary key,
    entity_kind  text        not null,
    entity_id    text        not null,
    lease_kind   smallint    not null,
    window_start timestamptz not null,
    sidecar_name text        not null,
    granted      bigint      not null default 0,
    consumed     bigint      not null default 0,
    released     boolean     not null default false,
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    foreign key (entity_kind, entity_id, lease_kind, window_start)
        references lease_windows (entity_kind, entity_id, lease_kind, window_start) on delete cascade
);
create index leases_window on leases (entity_kind, entity_id, lease_kind, window_start);

-- Every management change: who, what, on which target. Keys appear only as their hash.
create table audit_log (
    id          bigserial primary key,
    at          timestamptz not null,
    actor       text        not null,
    action      text        not null,
    target_type text        not null,
    target_id   text        not null,
    details     jsonb       not null default '{}'::jsonb
);
create index audit_log_target on audit_log (target_type, target_id, at);
