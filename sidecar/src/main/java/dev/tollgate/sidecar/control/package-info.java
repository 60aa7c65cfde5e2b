/**
 * The sidecar's end of the control stream: hello, snapshot install and ack, usage upload,
 * reconnect with backoff. Depends on {@code policy} and {@code usage}.
 */
package dev.tollgate.sidecar.control;
