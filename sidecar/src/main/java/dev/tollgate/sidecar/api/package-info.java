/**
 * The sidecar's HTTP API: routes, virtual-key authentication, the chat completions flow, and
 * the one error writer. Depends on {@code policy}, {@code provider}, {@code failure}, {@code usage}.
 */
package dev.tollgate.sidecar.api;
