/**
 * The audit log: one row per management change (who, what, on which target), written in the
 * same transaction as the change. Never holds a key in clear, only its hash.
 */
package dev.tollgate.controlplane.audit;
