package dev.tollgate.sidecar;

import dev.tollgate.proto.control.v1.Hello;
import dev.tollgate.sidecar.api.ApiServer;
import dev.tollgate.sidecar.control.ControlClient;
import dev.tollgate.sidecar.control.ControlPlaneAddresses;
import dev.tollgate.sidecar.limits.LeaseBook;
import dev.tollgate.sidecar.limits.Limiter;
import dev.tollgate.sidecar.policy.PolicyHolder;
import dev.tollgate.sidecar.provider.Providers;
import dev.tollgate.sidecar.provider.ProviderCatalog;
import dev.tollgate.sidecar.relay.RelayingHttpClient;
import dev.tollgate.sidecar.routing.Router;
import dev.tollgate.sidecar.telemetry.Metrics;
import dev.tollgate.sidecar.shutdown.Drain;
import dev.tollgate.sidecar.upstream.UpstreamHttpClient;
import dev.tollgate.sidecar.usage.UsageSpool;
import io.grpc.ManagedChannel;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code tollgate sidecar}: wires the policy holder, control stream, providers and HTTP API by hand. */
public final class Main {

    static final String HELP = """
            Usage: tollgate sidecar [flags]

            Runs a Tollgate sidecar: an OpenAI-compatible endpoint on loopback for one app. It takes
            its policy (aliases, virtual keys, provider credentials) from the control plane over one
            gRPC stream, calls providers itself, and reports usage back (spooled to disk until
            acknowledged).

            Flags:
              --port N               HTTP port                                         [4000]
              --listen ADDR          bind address; anything but loopback must be explicit  [127.0.0.1]
              --control-plane H:P[,H:P...]  control plane gRPC address(es): replicas tried in order,
                                     the next one on disconnect (or one DNS name with several
                                     addresses)                                    [127.0.0.1:4101]
              --data-dir DIR         folder for the usage spool                        [.tollgate/sidecar]
              --name NAME            this sidecar's name in the control plane          [host name]
              --log-format F         one line per request: text, json or off           [text]
              --drain-timeout S      on SIGTERM, seconds in-flight requests and streams may take  [20]
              --detailed-debug       log every provider call: request (secrets redacted), status, error body
              --print-config         print the effective configuration (secrets masked, with where
                                     each value came from) and exit
              --help                 this text

            Every flag but --print-config and --help can also be set as TOLLGATE_<FLAG> (upper case,
            - as _; a switch as =true); a flag on the command line wins over the environment.

            Environment:
              TOLLGATE_SIDECAR_TOKEN  token presented to the control plane
              TOLLGATE_PORT, TOLLGATE_LISTEN, TOLLGATE_CONTROL_PLANE, TOLLGATE_DATA_DIR
              TOLLGATE_NAME, TOLLGATE_LOG_FORMAT, TOLLGATE_DRAIN_TIMEOUT, TOLLGATE_DETAILED_DEBUG
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Logging.configure();
        Flags flags;
        try {
            flags = Flags.parse(args, Set.of("port", "listen", "control-plane", "data-dir", "name", "log-format",
                    "drain-timeout"), Set.of("help", "detailed-debug", "print-config"), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate sidecar: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (flags.has("help")) {
            System.out.print(HELP);
            return;
        }
        if (flags.has("print-config")) {
            try {
                printConfig(flags, System.getenv(), System.out);
            } catch (IllegalArgumentException e) {
                System.err.println("tollgate sidecar: cannot start: " + e.getMessage());
                System.exit(1);
            }
            return;
        }
        RunningSidecar sidecar;
        try {
            sidecar = start(SidecarSettings.resolve(flags, System.getenv()));
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate sidecar: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        // Our own hook owns the stop sequence (Helidon's is switched off): drain, stop, flush, then
        // close the log last so every line of it is written.
        Thread hook = new Thread(() -> {
            sidecar.stop();
            Logging.finish();
            // A JVM ended by SIGTERM exits with 143 even after a clean stop, which systemd and
            // others count as a failure; the stop is complete, so say so.
            Runtime.getRuntime().halt(0);
        }, "tollgate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        sidecar.awaitStopped();
    }

    /** The configuration a start would use, with where each value came from; the token masked. Starts nothing. */
    static void printConfig(Flags flags, Map<String, String> env, java.io.PrintStream out)
            throws java.net.UnknownHostException {
        SidecarSettings s = SidecarSettings.resolve(flags, env);
        out.println("# tollgate sidecar: effective configuration (secrets masked; source in brackets)");
        out.println("listen:         " + s.listen() + ":" + s.port() + "  [" + flags.source("listen", "default")
                + ", " + flags.source("port", "default") + "]");
        out.println("control_plane:  " + s.controlPlane() + (s.controlPlane().replicas().size() > 1
                ? " (tried in this order, the next on disconnect)" : "") + "  [" + flags.source("control-plane", "default") + "]");
        out.println("data_dir:       " + s.dataDir() + "  [" + flags.source("data-dir", "default") + "]");
        out.println("name:           " + s.name() + "  [" + flags.source("name", "default: host name") + "]");
        out.println("log_format:     " + flags.get("log-format", "text") + "  [" + flags.source("log-format", "default") + "]");
        out.println("drain_timeout:  " + s.drainTimeout().toMillis() / 1000.0 + " s  ["
                + flags.source("drain-timeout", "default") + "]");
        out.println("detailed_debug: " + flags.has("detailed-debug") + "  [" + flags.source("detailed-debug", "default") + "]");
        out.println("sidecar_token:  " + (s.token().isEmpty() ? "(not set: TOLLGATE_SIDECAR_TOKEN)"
                : "**** (" + s.token().length() + " characters, from TOLLGATE_SIDECAR_TOKEN)"));
    }

    /** Starts a sidecar; {@link RunningSidecar#stop()} drains and stops it (the SIGTERM hook calls it). */
    static RunningSidecar start(SidecarSettings settings) throws Exception {
        System.Logger log = System.getLogger(Main.class.getName());
        if (!InetAddress.getByName(settings.listen()).isLoopbackAddress()) {
            log.log(System.Logger.Level.WARNING, "listening on " + settings.listen() + ", not loopback: every request "
                    + "still needs a virtual key, but the endpoint is reachable from other hosts");
        }
        ControlPlaneAddresses controlPlane = settings.controlPlane();
        String name = settings.name();
        Clock clock = Clock.systemUTC();
        PolicyHolder policies = new PolicyHolder();
        UsageSpool spool = new UsageSpool(settings.dataDir().resolve("usage.spool"));
        // Provider calls run on the request's own virtual thread over pooled keep-alive sockets.
        HttpClient http = UpstreamHttpClient.withDefaultTls(UpstreamHttpClient.Settings.defaults());
        // With several replicas, pick_first (gRPC's default) connects to the first that answers; when
        // that stream ends, the control client's next attempt starts again from the first.
        ManagedChannel channel = controlPlane.channelBuilder()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .build();
        // Strict (exposure: control-plane) deployments' calls go through the control plane on the same channel.
        Providers providers = ProviderCatalog.standard(new RelayingHttpClient(http, channel, name, settings.token()));
        LeaseBook leases = new LeaseBook(clock);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "tollgate-control");
            t.setDaemon(true);
            return t;
        });
        ControlClient control = new ControlClient(channel, controlPlane.toString(), Hello.newBuilder()
                .setSidecarName(name)
                .setSidecarToken(settings.token())
                .setBuild("0.1.0")
                .build(), policies, spool, scheduler, clock, leases);
        control.start();
        leases.start(scheduler);

        Metrics metrics = new Metrics();
        metrics.gauge("tollgate_usage_spool_depth", "Usage records waiting for the control plane's acknowledgement.",
                spool::depth);
        Drain drain = new Drain();
        metrics.gauge("tollgate_requests_in_flight", "Requests this sidecar is serving now.", drain::inFlight);
        ApiServer api = new ApiServer(settings.listen(), settings.port(), policies, Router.standard(providers, clock),
                spool::append, clock, name, new Limiter(leases), metrics, settings.logFormat(), settings.debug(), drain)
                .start();
        log.log(System.Logger.Level.INFO, "sidecar '" + name + "' listening on http://" + settings.listen() + ":"
                + api.port() + "/v1 (control plane " + controlPlane + ")");
        return new RunningSidecar(api, drain, control, spool, settings.drainTimeout());
    }
}
