/**
 * The sidecar's HTTP/1.1 client for provider calls: a {@link java.net.http.HttpClient} whose
 * {@code send} runs the whole exchange on the calling (virtual) thread over a pooled keep-alive
 * {@code Socket} or {@code SSLSocket}, with no selector thread and no future hand-offs. Depends on
 * the JDK only; the provider adapters see it as a plain {@code HttpClient}.
 */
package dev.tollgate.sidecar.upstream;
