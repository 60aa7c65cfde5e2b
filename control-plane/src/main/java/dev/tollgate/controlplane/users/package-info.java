/**
 * Users (LiteLLM internal users): a person or service owning keys, with its own budget, rate
 * limits and allowed aliases, in PostgreSQL. Depends on {@code budget} for limits.
 */
package dev.tollgate.controlplane.users;
