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
import dev.tollgate.sidecar.provider.UpstreamDebug;
import dev.tollgate.sidecar.relay.RelayingHttpClient;
import dev.tollgate.sidecar.routing.Router;
import dev.tollgate.sidecar.telemetry.Metrics;
import dev.tollgate.sidecar.telemetry.RequestObserver;
import dev.tollgate.sidecar.usage.UsageSpool;
import io.grpc.ManagedChannel;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
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
              --detailed-debug       log every provider call: request (secrets redacted), status, error body
              --print-config         print the effective configuration (secrets masked) and exit
              --help                 this text

            Environment:
              TOLLGATE_SIDECAR_TOKEN  token presented to the control plane
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Logging.configure();
        Flags flags;
        try {
            flags = Flags.parse(args, Set.of("port", "listen", "control-plane", "data-dir", "name", "log-format"),
                    Set.of("help", "detailed-debug", "print-config"));
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
        try {
            run(flags, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate sidecar: cannot start: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The configuration a start would use; the sidecar token only as its length. Starts nothing. */
    static void printConfig(Flags flags, Map<String, String> env, java.io.PrintStream out)
            throws java.net.UnknownHostException {
        ControlPlaneAddresses controlPlane = ControlPlaneAddresses.parse(flags.get("control-plane", "127.0.0.1:4101"));
        String token = env.getOrDefault("TOLLGATE_SIDECAR_TOKEN", "");
        out.println("# tollgate sidecar: effective configuration (secrets masked)");
        out.println("listen:         " + flags.get("listen", "127.0.0.1") + ":" + flags.port("port", 4000));
        out.println("control_plane:  " + controlPlane + (controlPlane.replicas().size() > 1
                ? " (tried in this order, the next on disconnect)" : ""));
        out.println("data_dir:       " + Path.of(flags.get("data-dir", ".tollgate/sidecar")));
        out.println("name:           " + flags.get("name", InetAddress.getLocalHost().getHostName()));
        out.println("log_format:     " + flags.get("log-format", "text"));
        out.println("sidecar_token:  " + (token.isEmpty() ? "(not set: TOLLGATE_SIDECAR_TOKEN)"
                : "**** (" + token.length() + " characters, from TOLLGATE_SIDECAR_TOKEN)"));
    }

    static void run(Flags flags, Map<String, String> env) throws Exception {
        System.Logger log = System.getLogger(Main.class.getName());
        String listen = flags.get("listen", "127.0.0.1");
        if (!InetAddress.getByName(listen).isLoopbackAddress()) {
            log.log(System.Logger.Level.WARNING, "listening on " + listen + ", not loopback: every request still needs a "
                    + "virtual key, but the endpoint is reachable from other hosts");
        }
        ControlPlaneAddresses controlPlane = ControlPlaneAddresses.parse(flags.get("control-plane", "127.0.0.1:4101"));
        String name = flags.get("name", InetAddress.getLocalHost().getHostName());
        Path dataDir = Path.of(flags.get("data-dir", ".tollgate/sidecar"));

        Clock clock = Clock.systemUTC();
        PolicyHolder policies = new PolicyHolder();
        UsageSpool spool = new UsageSpool(dataDir.resolve("usage.spool"));
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        // With several replicas, pick_first (gRPC's default) connects to the first that answers; when
        // that stream ends, the control client's next attempt starts again from the first.
        ManagedChannel channel = controlPlane.channelBuilder()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .build();
        String sidecarToken = env.getOrDefault("TOLLGATE_SIDECAR_TOKEN", "");
        // Strict (exposure: control-plane) deployments' calls go through the control plane on the same channel.
        Providers providers = ProviderCatalog.standard(new RelayingHttpClient(http, channel, name, sidecarToken));
        LeaseBook leases = new LeaseBook(clock);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "tollgate-control");
            t.setDaemon(true);
            return t;
        });
        ControlClient control = new ControlClient(channel, controlPlane.toString(), Hello.newBuilder()
                .setSidecarName(name)
                .setSidecarToken(sidecarToken)
                .setBuild("0.1.0")
                .build(), policies, spool, scheduler, clock, leases);
        control.start();
        leases.start(scheduler);

        RequestObserver.LogFormat logFormat = switch (flags.get("log-format", "text")) {
            case "text" -> RequestObserver.LogFormat.TEXT;
            case "json" -> RequestObserver.LogFormat.JSON;
            case "off" -> RequestObserver.LogFormat.OFF;
            default -> throw new IllegalArgumentException("--log-format: '" + flags.get("log-format", "")
                    + "' (expected: text, json or off)");
        };
        Metrics metrics = new Metrics();
        metrics.gauge("tollgate_usage_spool_depth", "Usage records waiting for the control plane's acknowledgement.",
                spool::depth);
        ApiServer api = new ApiServer(listen, flags.port("port", 4000), policies, Router.standard(providers, clock),
                spool::append, clock, name, new Limiter(leases), metrics, logFormat,
                flags.has("detailed-debug") ? UpstreamDebug.Mode.ALWAYS : UpstreamDebug.Mode.WHEN_KEY_ALLOWS).start();
        log.log(System.Logger.Level.INFO, "sidecar '" + name + "' listening on http://" + listen + ":" + api.port()
                + "/v1 (control plane " + controlPlane + ")");

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.log(System.Logger.Level.INFO, "sidecar stopping: finishing requests, flushing usage");
            api.close();
            try {
                control.drain(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            control.close();
            try {
                spool.close();
            } catch (java.io.IOException e) {
                log.log(System.Logger.Level.WARNING, "closing the usage spool: " + e.getMessage());
            }
            stopped.countDown();
        }, "tollgate-shutdown"));
        stopped.await();
    }
}
