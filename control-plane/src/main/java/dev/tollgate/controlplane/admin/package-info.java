/**
 * The admin HTTP API: master-key check, LiteLLM-shaped key routes, health, and the one place
 * that turns refusals into the OpenAI error envelope. Depends on {@code keys} and {@code policy}.
 */
package dev.tollgate.controlplane.admin;
