/**
 * The policy the sidecar serves from: an immutable snapshot indexed by key hash and alias, held
 * behind an atomic reference. Depends only on the generated protocol.
 */
package dev.tollgate.sidecar.policy;
