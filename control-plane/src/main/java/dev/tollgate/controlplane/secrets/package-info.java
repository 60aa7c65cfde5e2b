/**
 * Encryption at rest of provider credentials: AES-256-GCM under key-encryption keys (KEKs) taken
 * from the control plane's environment, each named by a key id so that several can coexist while
 * the KEK is rotated. Depends on nothing else in the control plane.
 */
package dev.tollgate.controlplane.secrets;
