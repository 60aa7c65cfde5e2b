/**
 * Budgets and rate limits: the {@link dev.tollgate.controlplane.budget.Limits} of keys, teams and
 * users, their time windows, and the lease ledger that hands sidecars slices of each limit with
 * database-atomic grants. Depends on the store only through a {@link javax.sql.DataSource}.
 */
package dev.tollgate.controlplane.budget;
