/**
 * Checks that the deployment files under {@code deploy/} (Dockerfiles, compose, Kubernetes,
 * systemd) agree with the code: flags, defaults and environment variables are read from the
 * control plane's and sidecar's {@code Main} help texts, health routes from their sources, jar
 * names from their POMs, launcher subcommands from {@code ./tollgate}. Each check returns its
 * problems as a list, so a test can also feed it a drifted file and expect a complaint.
 */
package dev.tollgate.deploy;
