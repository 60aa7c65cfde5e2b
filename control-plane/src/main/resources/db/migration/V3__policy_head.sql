-- The newest policy version announced by a management change on any replica. A replica that
-- holds an older snapshot recompiles (NOTIFY tollgate_policy wakes it; a periodic read of this
-- row is the safety net). Recompiles triggered by this row never write it, so replicas that
-- catch up do not wake each other again.
create table policy_head (
    id      smallint primary key default 1 check (id = 1),
    version bigint   not null
);
insert into policy_head (id, version) values (1, 0);
