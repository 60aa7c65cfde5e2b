package dev.tollgate.controlplane;

import dev.tollgate.controlplane.config.ConfigLoader;
import dev.tollgate.controlplane.config.DatabaseUrl;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.transport.GrpcTls;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

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
              --grpc-tls-cert FILE  serve the control stream over TLS with this certificate chain (PEM)
              --grpc-tls-key FILE  private key of --grpc-tls-cert (PEM, unencrypted PKCS#8)
              --grpc-tls-client-ca FILE  require mutual TLS: sidecars present a client certificate signed
                                   by a CA in FILE (PEM). TLS files are read at start only
              --data-dir DIR       folder for the embedded PostgreSQL's files            [.tollgate/control-plane]
              --drain-timeout S    on SIGTERM, seconds for sidecars to move and received usage to be stored  [10]
              --check-config FILE  only check FILE: print its aliases, deployments and the environment
                                   variables it reads (missing ones marked); exit 1 if the control plane
                                   would not start with it (./tollgate config check FILE)
              --print-config       print the effective configuration (flags, environment, config file;
                                   secrets masked; where each value came from) and exit
              --help               this text

            Every flag but --check-config, --print-config and --help can also be set as TOLLGATE_<FLAG>
            (upper case, - as _), and all of them but --config in the config file's tollgate: section
            (tollgate.admin_port, ...): flag, then environment, then config file, then default.

            Environment:
              TOLLGATE_MASTER_KEY    admin master key (overrides general_settings.master_key)
              TOLLGATE_SIDECAR_TOKEN token sidecars must present (overrides tollgate.sidecar_token)
              TOLLGATE_GRPC_TLS_CERT, TOLLGATE_GRPC_TLS_KEY, TOLLGATE_GRPC_TLS_CLIENT_CA  files of the three
                                     --grpc-tls-* flags (a flag wins over its variable)
              TOLLGATE_DB_URL        PostgreSQL URL (jdbc:postgresql:// or postgresql://); overrides
                                     general_settings.database_url; without either an embedded one runs
              TOLLGATE_DB_USER, TOLLGATE_DB_PASSWORD  credentials for TOLLGATE_DB_URL
              TOLLGATE_ENCRYPTION_KEY  key-encryption key for credentials stored through /credentials,
                                     32 random bytes in base64 (openssl rand -base64 32); without it
                                     POST /credentials is refused
              TOLLGATE_ENCRYPTION_KEY_PREVIOUS  older keys (comma-separated), only to decrypt values
                                     not yet re-encrypted (./tollgate secrets rotate-kek)
              OTEL_EXPORTER_OTLP_ENDPOINT  OTLP collector (e.g. http://localhost:4317); traces are off without it
              OTEL_EXPORTER_OTLP_PROTOCOL  grpc (default) or http/protobuf (then e.g. http://localhost:4318)
              TOLLGATE_CONFIG, TOLLGATE_ADMIN_PORT, TOLLGATE_ADMIN_HOST, TOLLGATE_GRPC_PORT
              TOLLGATE_GRPC_HOST, TOLLGATE_DATA_DIR, TOLLGATE_DRAIN_TIMEOUT
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("keys") || args[0].equals("spend"))) {
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            System.exit(args[0].equals("keys")
                    ? dev.tollgate.controlplane.operator.OperatorCli.keys(rest, System.getenv(), System.out, System.err)
                    : dev.tollgate.controlplane.operator.OperatorCli.spend(rest, System.getenv(), System.out, System.err));
            return;
        }
        if (args.length > 0 && args[0].equals("secrets")) {
            System.exit(dev.tollgate.controlplane.operator.OperatorCli.secrets(
                    java.util.Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err));
            return;
        }
        if (args.length > 0 && args[0].equals("doctor")) {
            System.exit(doctor(java.util.Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        Logging.configure();
        Flags flags;
        try {
            flags = Flags.parse(args, Set.of("config", "admin-port", "admin-host", "grpc-port", "grpc-host", "data-dir",
                    "drain-timeout", "check-config", "grpc-tls-cert", "grpc-tls-key", "grpc-tls-client-ca"),
                    Set.of("help", "print-config"), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate control-plane: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (flags.has("help")) {
            System.out.print(HELP);
            return;
        }
        if (flags.has("print-config")) {
            try {
                PrintConfig.print(resolve(flags, System.getenv()), System.out);
            } catch (StartupException | ConfigLoader.ConfigException | IllegalArgumentException
                     | java.io.IOException e) {
                System.err.println("tollgate control-plane: cannot start: " + e.getMessage());
                System.exit(1);
            }
            return;
        }
        if (flags.has("check-config")) {
            System.exit(ConfigCheck.run(Path.of(flags.get("check-config", "")), System.getenv(), System.out));
            return;
        }
        try {
            run(flags, System.getenv());
        } catch (StartupException | ConfigLoader.ConfigException | IllegalArgumentException e) {
            System.err.println("tollgate control-plane: cannot start: " + e.getMessage());
            System.exit(1);
        } catch (IllegalStateException | java.io.IOException e) {
            // A failed migration (rolled back by Flyway, never marked done) or an unreachable
            // database: one line that says which, not a stack trace.
            System.err.println("tollgate control-plane: cannot start: " + e.getMessage());
            System.exit(1);
        }
    }

    static final String DOCTOR_HELP = """
            Usage: tollgate doctor [--admin-url URL] [--deep]

            Asks the control plane (GET /health with the master key from TOLLGATE_MASTER_KEY) to check
            every alias end to end and prints one row per deployment: provider prefix, environment
            variables, api_base reachable, credential accepted (list models), model listed, sidecars
            holding the current policy. Exit code 0 when healthy, 1 when a check failed, 2 when the
            control plane could not be asked.

              --admin-url URL   control plane admin API   [http://127.0.0.1:4100]
              --deep            also make a 1-token completion per deployment (OpenAI family, Anthropic)
            """;

    private static int doctor(String[] args) {
        Flags flags;
        try {
            flags = Flags.parse(args, Set.of("admin-url"), Set.of("help", "deep"));
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate doctor: " + e.getMessage());
            return 2;
        }
        if (flags.has("help")) {
            System.out.print(DOCTOR_HELP);
            return 0;
        }
        String masterKey = System.getenv("TOLLGATE_MASTER_KEY");
        if (masterKey == null || masterKey.isEmpty()) {
            System.err.println("tollgate doctor: set TOLLGATE_MASTER_KEY to the control plane's master key");
            return 2;
        }
        return dev.tollgate.controlplane.doctor.DoctorCli.run(flags.get("admin-url", "http://127.0.0.1:4100"),
                masterKey, flags.has("deep"), System.out);
    }

    /** A start-up failure whose message says what to fix. */
    static final class StartupException extends RuntimeException {
        StartupException(String message) {
            super(message);
        }
    }

    /**
     * Everything a start resolves from flags, config file and environment, before it touches anything;
     * {@code sources} says where each flag-like setting came from (for --print-config).
     */
    record Effective(GatewayConfig config, Map<String, String> env, String masterKey, String masterKeySource,
                     Optional<String> sidecarToken, String adminHost, int adminPort, String grpcHost, int grpcPort,
                     Path dataDir, DatabaseChoice database, java.time.Duration drainTimeout,
                     Map<String, String> sources, Optional<GrpcTls> grpcTls) {
    }

    /** A flag-like setting's text and where it came from. */
    private record Setting(String text, String source) {
    }

    /** The flag, else TOLLGATE_FLAG_NAME, else the config file's {@code tollgate.flag_name}, else the default. */
    private static Setting setting(Flags flags, GatewayConfig config, String flag, String fallback) {
        Optional<String> given = flags.value(flag);
        if (given.isPresent()) {
            return new Setting(given.get(), flags.source(flag, ""));
        }
        String field = flag.replace('-', '_');
        String fromFile = config.server().process().get(field);
        return fromFile != null ? new Setting(fromFile, "config tollgate." + field) : new Setting(fallback, "default");
    }

    static Effective resolve(Flags flags, Map<String, String> processEnv) throws java.io.IOException {
        System.Logger log = System.getLogger(Main.class.getName());
        if (!flags.has("config")) {
            throw new StartupException("--config FILE is required (see --help)");
        }
        GatewayConfig config = ConfigLoader.load(Path.of(flags.get("config", "")));
        config.warnings().forEach(w -> log.log(System.Logger.Level.WARNING, w));
        Map<String, String> env = config.server().effectiveEnvironment(processEnv);

        boolean fromEnv = env.containsKey("TOLLGATE_MASTER_KEY") && !env.get("TOLLGATE_MASTER_KEY").isEmpty();
        String masterKey = fromEnv
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
        Setting adminHost = setting(flags, config, "admin-host", "0.0.0.0");
        Setting adminPort = setting(flags, config, "admin-port", "4100");
        Setting grpcHost = setting(flags, config, "grpc-host",
                sidecarToken.isPresent() || !config.sidecars().isEmpty() ? "0.0.0.0" : "127.0.0.1");
        Setting grpcPort = setting(flags, config, "grpc-port", "4101");
        Setting dataDir = setting(flags, config, "data-dir", ".tollgate/control-plane");
        Setting drain = setting(flags, config, "drain-timeout",
                Long.toString(ControlPlane.Settings.DEFAULT_DRAIN.toSeconds()));
        Map<String, String> sources = new java.util.TreeMap<>(Map.of("admin-host", adminHost.source(),
                "admin-port", adminPort.source(), "grpc-host", grpcHost.source(), "grpc-port", grpcPort.source(),
                "data-dir", dataDir.source(), "drain-timeout", drain.source(), "config", flags.source("config", "")));
        return new Effective(config, env, masterKey,
                fromEnv ? "TOLLGATE_MASTER_KEY" : "general_settings.master_key (" + config.masterKey().describe() + ")",
                sidecarToken, adminHost.text(), Flags.port(adminPort.text(), adminPort.source()), grpcHost.text(),
                Flags.port(grpcPort.text(), grpcPort.source()), Path.of(dataDir.text()), DatabaseChoice.of(config, env),
                Flags.seconds(drain.text(), drain.source()), sources,
                GrpcTls.of(tlsFile(flags, config, env, "grpc-tls-cert"), tlsFile(flags, config, env, "grpc-tls-key"),
                        tlsFile(flags, config, env, "grpc-tls-client-ca")));
    }

    /**
     * A TLS file setting: as {@link #setting} (flag, TOLLGATE_ variable, {@code tollgate.*}), else the
     * variable in the effective environment (which includes the config's environment_variables).
     */
    private static Optional<String> tlsFile(Flags flags, GatewayConfig config, Map<String, String> env, String flag) {
        String text = setting(flags, config, flag, "").text();
        if (!text.isEmpty()) {
            return Optional.of(text);
        }
        String variable = "TOLLGATE_" + flag.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        return Optional.ofNullable(env.get(variable)).filter(v -> !v.isEmpty());
    }

    static void run(Flags flags, Map<String, String> processEnv) throws Exception {
        System.Logger log = System.getLogger(Main.class.getName());
        Effective effective = resolve(flags, processEnv);
        GatewayConfig config = effective.config();
        Map<String, String> env = effective.env();
        String masterKey = effective.masterKey();
        Optional<String> sidecarToken = effective.sidecarToken();
        Path dataDir = effective.dataDir();
        DatabaseChoice database = effective.database();
        Database db = Database.open(database.url().map(DatabaseUrl::jdbcUrl), dataDir, database.user(),
                database.password());
        log.log(System.Logger.Level.INFO, db.isEmbedded()
                ? "using embedded PostgreSQL in " + dataDir.resolve("postgres") : "using PostgreSQL " + database.describe());

        String grpcHost = effective.grpcHost();
        if (sidecarToken.isEmpty() && config.sidecars().isEmpty()) {
            log.log(System.Logger.Level.WARNING, "no sidecar token (TOLLGATE_SIDECAR_TOKEN, tollgate.sidecar_token or tollgate.sidecars): "
                    + "until a token is created with /sidecar/token/new, "
                    + "any process that reaches the control stream receives provider credentials; it listens on "
                    + grpcHost + " only");
        }
        ControlPlane plane;
        try {
            plane = ControlPlane.start(new ControlPlane.Settings(config, masterKey, sidecarToken,
                    effective.adminHost(), effective.adminPort(), grpcHost, effective.grpcPort(), env,
                    effective.drainTimeout(), effective.grpcTls()), db.dataSource(),
                    () -> db.openDedicated("tollgate-policy-listener"), Clock.systemUTC());
        } catch (Exception e) {
            db.close();
            throw e;
        }
        log.log(System.Logger.Level.INFO, "control plane ready: admin API on port " + plane.adminPort()
 + ", control stream on " + grpcHost + ":" + plane.grpcPort() + " ("
                + effective.grpcTls().map(GrpcTls::describe).orElse("plaintext") + "), " + config.deployments().size()
                + " deployment(s)");

        CountDownLatch stopped = new CountDownLatch(1);
        // Our hook owns the stop sequence (the admin server's Helidon hook is off): drain the streams,
        // then release the database, then close the log so every line of the sequence is written.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            plane.close();
            db.close();
            log.log(System.Logger.Level.INFO, "database released; exiting");
            Logging.finish();
            stopped.countDown();
            // A JVM ended by SIGTERM exits with 143 even after a clean stop, which systemd and
            // others count as a failure; the stop is complete, so say so.
            Runtime.getRuntime().halt(0);
        }, "tollgate-shutdown"));
        stopped.await();
    }
}
