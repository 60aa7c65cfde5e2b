package dev.tollgate.controlplane;

import dev.tollgate.controlplane.admin.AdminServer;
import dev.tollgate.controlplane.admin.KeyRoutes;
import dev.tollgate.controlplane.admin.SpendRoutes;
import dev.tollgate.controlplane.config.ConfigLoader;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.policy.CredentialVault;
import dev.tollgate.controlplane.policy.DeploymentRepository;
import dev.tollgate.controlplane.policy.PolicyCompiler;
import dev.tollgate.controlplane.policy.PolicyPublisher;
import dev.tollgate.controlplane.policy.RouterSettingsCompiler;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.stream.ControlStreamService;
import dev.tollgate.controlplane.usage.UsageRepository;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code tollgate control-plane}: wires the database, config, admin API and control stream by hand.
 */
public final class Main {

    static final String HELP = """
            Usage: tollgate control-plane --config FILE [flags]

            Runs the Tollgate control plane: loads a LiteLLM-shaped config.yaml into PostgreSQL,
            serves the admin API (keys) and the gRPC control stream that pushes policy to sidecars
            and receives their usage.

            Flags:
              --config FILE        config.yaml (model_list, router_settings, litellm_settings, general_settings, tollgate.*)  [required]
              --admin-port N       admin HTTP API port                                   [4100]
              --admin-host ADDR    admin HTTP API bind address                           [0.0.0.0]
              --grpc-port N        sidecar control-stream port                           [4101]
              --grpc-host ADDR     control-stream bind address [0.0.0.0 with a sidecar token, else 127.0.0.1]
              --data-dir DIR       folder for the embedded PostgreSQL's files            [.tollgate/control-plane]
              --help               this text

            Environment:
              TOLLGATE_MASTER_KEY    admin master key (overrides general_settings.master_key)
              TOLLGATE_SIDECAR_TOKEN token sidecars must present (overrides tollgate.sidecar_token)
              TOLLGATE_DB_URL        JDBC URL of an external PostgreSQL; without it an embedded one runs
              TOLLGATE_DB_USER, TOLLGATE_DB_PASSWORD  credentials for TOLLGATE_DB_URL
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Logging.configure();
        Flags flags;
        try {
            flags = Flags.parse(args,
                    Set.of("config", "admin-port", "admin-host", "grpc-port", "grpc-host", "data-dir"), Set.of("help"));
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate control-plane: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (flags.has("help")) {
            System.out.print(HELP);
            return;
        }
        try {
            run(flags, System.getenv());
        } catch (StartupException | ConfigLoader.ConfigException | IllegalArgumentException e) {
            System.err.println("tollgate control-plane: cannot start: " + e.getMessage());
            System.exit(1);
        }
    }

    /** A start-up failure whose message says what to fix. */
    static final class StartupException extends RuntimeException {
        StartupException(String message) {
            super(message);
        }
    }

    static void run(Flags flags, Map<String, String> env) throws Exception {
        System.Logger log = System.getLogger(Main.class.getName());
        if (!flags.has("config")) {
            throw new StartupException("--config FILE is required (see --help)");
        }
        GatewayConfig config = ConfigLoader.load(Path.of(flags.get("config", "")));
        config.warnings().forEach(w -> log.log(System.Logger.Level.WARNING, w));

        String masterKey = env.containsKey("TOLLGATE_MASTER_KEY") && !env.get("TOLLGATE_MASTER_KEY").isEmpty()
                ? env.get("TOLLGATE_MASTER_KEY")
                : config.masterKey().resolve(env).orElseThrow(() -> new StartupException(
                "general_settings.master_key refers to " + config.masterKey().describe()
                        + ", which is not set in this process"));
        if (masterKey.isEmpty()) {
            throw new StartupException("no master key: set general_settings.master_key in the config or TOLLGATE_MASTER_KEY");
        }
        Optional<String> sidecarToken = Optional.ofNullable(env.get("TOLLGATE_SIDECAR_TOKEN"))
                .filter(t -> !t.isEmpty())
                .or(() -> config.sidecarToken().resolve(env).filter(t -> !t.isEmpty()));

        Path dataDir = Path.of(flags.get("data-dir", ".tollgate/control-plane"));
        Database db = Database.open(Optional.ofNullable(env.get("TOLLGATE_DB_URL")).filter(u -> !u.isEmpty()),
                dataDir, env.get("TOLLGATE_DB_USER"), env.get("TOLLGATE_DB_PASSWORD"));
        log.log(System.Logger.Level.INFO, db.isEmbedded()
                ? "using embedded PostgreSQL in " + dataDir.resolve("postgres") : "using PostgreSQL at TOLLGATE_DB_URL");

        CredentialVault vault = new CredentialVault(env);
        DeploymentRepository deployments = new DeploymentRepository(db.dataSource());
        List<String> ids = deployments.replaceConfigDeployments(config.deployments());
        for (int i = 0; i < ids.size(); i++) {
            CredentialRef ref = config.deployments().get(i).credential();
            vault.put(ids.get(i), ref);
            vault.putParams(ids.get(i), config.deployments().get(i).secretParams());
            if (ref instanceof CredentialRef.Env e && e.resolve(env).isEmpty()) {
                log.log(System.Logger.Level.WARNING, "deployment " + ids.get(i) + ": api_key refers to environment variable "
                        + e.name() + ", which is not set in the control-plane process; its calls will fail until it is");
            }
        }
        KeyRepository keys = new KeyRepository(db.dataSource());
        PolicyPublisher publisher = new PolicyPublisher(db.dataSource(), new PolicyCompiler(deployments, keys, vault,
                RouterSettingsCompiler.compile(config.routing())));
        publisher.publish();

        UsageRepository usage = new UsageRepository(db.dataSource());
        ControlStreamService controlStream = new ControlStreamService(publisher, usage, sidecarToken);
        String grpcHost = flags.get("grpc-host", sidecarToken.isPresent() ? "0.0.0.0" : "127.0.0.1");
        if (sidecarToken.isEmpty()) {
            log.log(System.Logger.Level.WARNING, "no sidecar token (TOLLGATE_SIDECAR_TOKEN or tollgate.sidecar_token): "
                    + "any process that reaches the control stream receives provider credentials; it listens on "
                    + grpcHost + " only");
        }
        Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress(grpcHost, flags.port("grpc-port", 4101)))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .addService(controlStream)
                .build()
                .start();

        AdminServer admin = new AdminServer(flags.get("admin-host", "0.0.0.0"), flags.port("admin-port", 4100),
                KeyHashing.sha256Hex(masterKey), new KeyRoutes(keys, publisher, Clock.systemUTC()),
                new SpendRoutes(usage, keys), () -> true)
                .start();
        log.log(System.Logger.Level.INFO, "control plane ready: admin API on port " + admin.port()
                + ", control stream on " + grpcHost + ":" + grpc.getPort() + ", " + config.deployments().size()
                + " deployment(s)");

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.log(System.Logger.Level.INFO, "control plane stopping");
            admin.close();
            grpc.shutdown();
            try {
                grpc.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            grpc.shutdownNow();
            db.close();
            stopped.countDown();
        }, "tollgate-shutdown"));
        stopped.await();
    }
}
