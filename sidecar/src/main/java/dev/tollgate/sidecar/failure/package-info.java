/**
 * The gateway's error catalogue: every error a client can receive, as a value with its HTTP
 * status and OpenAI envelope fields. Depends on nothing else in the sidecar.
 */
package dev.tollgate.sidecar.failure;
