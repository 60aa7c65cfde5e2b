package dev.tollgate.sidecar.control;

import io.grpc.ChannelCredentials;
import io.grpc.EquivalentAddressGroup;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The control-plane replicas a sidecar may use, from {@code --control-plane}: one {@code HOST:PORT}
 * (a DNS name with several addresses fails over through gRPC's own DNS resolver) or a
 * comma-separated list, tried in the order given. A list is served to the channel by a resolver of
 * its own, so gRPC's {@code pick_first} connects to the first replica that answers and, when that
 * connection ends, starts again from the top on the next stream. Immutable.
 */
public record ControlPlaneAddresses(List<HostPort> replicas) {

    /** One replica's address. */
    public record HostPort(String host, int port) {
        public HostPort {
            Objects.requireNonNull(host, "host");
            if (host.isEmpty()) {
                throw new IllegalArgumentException("--control-plane: empty host (expected: HOST:PORT)");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("--control-plane: port " + port + " (expected: 1-65535)");
            }
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private static final String SCHEME = "tollgate-replicas";

    public ControlPlaneAddresses {
        replicas = List.copyOf(replicas);
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("--control-plane: no address (expected: HOST:PORT[,HOST:PORT...])");
        }
    }

    /** Parses {@code "a:4101"} or {@code "a:4101,b:4101"}; IPv6 hosts go in brackets. */
    public static ControlPlaneAddresses parse(String flag) {
        List<HostPort> out = new ArrayList<>();
        for (String part : flag.split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("--control-plane: '" + entry + "' (expected: HOST:PORT)");
            }
            String host = entry.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(entry.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--control-plane: '" + entry + "' has no numeric port (expected: HOST:PORT)");
            }
            out.add(new HostPort(host, port));
        }
        return new ControlPlaneAddresses(out);
    }

    /** A plaintext channel builder aimed at these replicas (see {@link #channelBuilder(ChannelCredentials)}). */
    public ManagedChannelBuilder<?> channelBuilder() {
        return channelBuilder(InsecureChannelCredentials.create());
    }

    /**
     * A channel builder aimed at these replicas: gRPC's DNS resolver for a single address, the
     * list's own resolver for several. Under TLS the server certificate is checked against the
     * first replica's host name (a list's replicas share one certificate, or one name in it).
     */
    public ManagedChannelBuilder<?> channelBuilder(ChannelCredentials credentials) {
        if (replicas.size() == 1) {
            return Grpc.newChannelBuilder(replicas.get(0).toString(), credentials);
        }
        NameResolverRegistry registry = new NameResolverRegistry();
        registry.register(new Provider(replicas));
        return Grpc.newChannelBuilder(SCHEME + ":///replicas", credentials, registry);
    }

    @Override
    public String toString() {
        return String.join(",", replicas.stream().map(HostPort::toString).toList());
    }

    /** Serves the fixed list, resolving each host again on every refresh (a replica's IP may move). */
    private static final class Provider extends NameResolverProvider {
        private final List<HostPort> replicas;

        Provider(List<HostPort> replicas) {
            this.replicas = replicas;
        }

        @Override
        public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
            if (!SCHEME.equals(targetUri.getScheme())) {
                return null;
            }
            return new NameResolver() {
                private Listener2 listener;

                @Override
                public String getServiceAuthority() {
                    // The authority TLS checks the server certificate against.
                    return replicas.get(0).toString();
                }

                @Override
                public void start(Listener2 listener) {
                    this.listener = listener;
                    resolve();
                }

                @Override
                public void refresh() {
                    resolve();
                }

                private void resolve() {
                    List<EquivalentAddressGroup> groups = new ArrayList<>();
                    List<String> unknown = new ArrayList<>();
                    for (HostPort r : replicas) {
                        try {
                            List<SocketAddress> addresses = new ArrayList<>();
                            for (InetAddress ip : InetAddress.getAllByName(r.host())) {
                                addresses.add(new InetSocketAddress(ip, r.port()));
                            }
                            groups.add(new EquivalentAddressGroup(addresses));
                        } catch (UnknownHostException e) {
                            unknown.add(r.host());
                        }
                    }
                    if (groups.isEmpty()) {
                        listener.onError(Status.UNAVAILABLE.withDescription("cannot resolve " + unknown));
                        return;
                    }
                    listener.onResult(ResolutionResult.newBuilder()
                            .setAddressesOrError(StatusOr.fromValue(groups))
                            .build());
                }

                @Override
                public void shutdown() {
                }
            };
        }

        @Override
        public String getDefaultScheme() {
            return SCHEME;
        }

        @Override
        protected boolean isAvailable() {
            return true;
        }

        @Override
        protected int priority() {
            return 5;
        }
    }
}
