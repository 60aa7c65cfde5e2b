/**
 * Strict mode on the sidecar side: provider calls whose request carries a control-plane placeholder
 * (an {@code exposure: control-plane} deployment) go over the control plane's {@code ProviderRelay}
 * instead of to the provider. Depends on the generated protocol and {@code java.net.http} only.
 */
package dev.tollgate.sidecar.relay;
