/**
 * Usage records: the durable spool that keeps them until the control plane acknowledges them.
 * Depends only on the generated protocol.
 */
package dev.tollgate.sidecar.usage;
