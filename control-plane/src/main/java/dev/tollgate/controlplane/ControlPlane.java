package dev.tollgate.controlplane;

import dev.tollgate.controlplane.admin.AdminKeyRoutes;
import dev.tollgate.controlplane.admin.AdminServer;
import dev.tollgate.controlplane.admin.CredentialRoutes;
import dev.tollgate.controlplane.admin.ModelRoutes;
import dev.tollgate.controlplane.admin.SecretsRoutes;
import dev.tollgate.controlplane.adminkeys.AdminKeyRecord;
import dev.tollgate.controlplane.adminkeys.AdminKeyRepository;
import dev.tollgate.controlplane.credentials.CredentialCatalog;
import dev.tollgate.controlplane.credentials.CredentialRepository;
import dev.tollgate.controlplane.secrets.KeyRing;
import dev.tollgate.controlplane.admin.AuditRoutes;
import dev.tollgate.controlplane.admin.DoctorRoutes;
import dev.tollgate.controlplane.admin.Changes;
import dev.tollgate.controlplane.admin.KeyRoutes;
import dev.tollgate.controlplane.admin.SpendRoutes;
import dev.tollgate.controlplane.admin.SidecarTokenRoutes;
import dev.tollgate.controlplane.admin.TeamRoutes;
import dev.tollgate.controlplane.admin.UserRoutes;
import dev.tollgate.controlplane.audit.AuditLog;
import dev.tollgate.controlplane.budget.BudgetWindow;
import dev.tollgate.controlplane.budget.LeaseLedger;
import dev.tollgate.controlplane.budget.Limits;
import dev.tollgate.controlplane.cloud.CredentialMinting;
import dev.tollgate.controlplane.cloud.MintingLoop;
import dev.tollgate.controlplane.cloud.MintingSetup;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.doctor.Doctor;
import dev.tollgate.controlplane.health.Readiness;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.policy.CredentialVault;
import dev.tollgate.controlplane.policy.StrictPlaceholders;
import dev.tollgate.controlplane.policy.DeploymentRepository;
import dev.tollgate.controlplane.policy.PolicyChangeListener;
import dev.tollgate.controlplane.policy.PolicyCompiler;
import dev.tollgate.controlplane.policy.PolicyPublisher;
import dev.tollgate.controlplane.policy.PriceMap;
import dev.tollgate.controlplane.policy.RouterSettingsCompiler;
import dev.tollgate.controlplane.config.SidecarEntry;
import dev.tollgate.controlplane.relay.RelayService;
import dev.tollgate.controlplane.sidecars.ConfiguredSidecar;
import dev.tollgate.controlplane.sidecars.SidecarAuthenticator;
import dev.tollgate.controlplane.sidecars.SidecarScope;
import dev.tollgate.controlplane.sidecars.SidecarTokenRepository;
import dev.tollgate.controlplane.stream.ControlStreamService;
import dev.tollgate.controlplane.teams.TeamRepository;
import dev.tollgate.controlplane.telemetry.ControlPlaneMetrics;
import dev.tollgate.controlplane.telemetry.TraceExport;
import dev.tollgate.controlplane.transport.GrpcTls;
import dev.tollgate.controlplane.usage.SpendQueries;
import dev.tollgate.controlplane.usage.UsageRepository;
import dev.tollgate.controlplane.users.UserRepository;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * A running control plane on a migrated database: config seeded, policy published, admin API and
 * control stream listening. {@link Main} starts one from flags; tests start one on a test
 * database with their own clock. Thread-safe.
 */
public final class ControlPlane implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlPlane.class.getName());
    /** Largest provider request a sidecar may relay (strict mode): gRPC's 4 MiB default is too small for images. */
    private static final int RELAY_MAX_REQUEST_BYTES = 64 * 1024 * 1024;

    /** What a control plane is started with, parsed once. */
    /** @param drainTimeout how long {@link #close()} lets sidecars move away and in-flight work finish */
    public record Settings(GatewayConfig config, String masterKey, Optional<String> sidecarToken, String adminHost,
                           int adminPort, String grpcHost, int grpcPort, Map<String, String> env,
                           Duration drainTimeout, Optional<GrpcTls> grpcTls) {
        public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);

        public Settings {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(masterKey, "masterKey");
            Objects.requireNonNull(grpcTls, "grpcTls");
            env = Map.copyOf(env);
            if (drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout: " + drainTimeout + " (expected: >= 0)");
            }
        }

        /** A plaintext control stream with the default drain. */
        public Settings(GatewayConfig config, String masterKey, Optional<String> sidecarToken, String adminHost,
                        int adminPort, String grpcHost, int grpcPort, Map<String, String> env) {
            this(config, masterKey, sidecarToken, adminHost, adminPort, grpcHost, grpcPort, env, DEFAULT_DRAIN);
        }

        /** A plaintext control stream. */
        public Settings(GatewayConfig config, String masterKey, Optional<String> sidecarToken, String adminHost,
                        int adminPort, String grpcHost, int grpcPort, Map<String, String> env, Duration drainTimeout) {
            this(config, masterKey, sidecarToken, adminHost, adminPort, grpcHost, grpcPort, env, drainTimeout,
                    Optional.empty());
        }
    }

    private final AdminServer admin;
    private final Server grpc;
    private final PolicyPublisher publisher;

    private final PolicyChangeListener listener;
    private final Optional<TraceExport> traces;
    private final Readiness readiness;
    private final ControlStreamService streams;
    private final Duration drainTimeout;
    private final CredentialMinting minting;
    private final MintingLoop mintingLoop;

    private ControlPlane(AdminServer admin, Server grpc, PolicyPublisher publisher, PolicyChangeListener listener,
                         Optional<TraceExport> traces, Readiness readiness, ControlStreamService streams,
                         Duration drainTimeout, CredentialMinting minting, MintingLoop mintingLoop) {
        this.admin = admin;
        this.grpc = grpc;
        this.publisher = publisher;
        this.listener = listener;
        this.traces = traces;
        this.readiness = readiness;
        this.streams = streams;
        this.drainTimeout = drainTimeout;
        this.minting = minting;
        this.mintingLoop = mintingLoop;
    }

    /** Starts on {@code db}; the policy-change listener borrows one of its connections for good. */
    public static ControlPlane start(Settings settings, DataSource db, Clock clock) throws SQLException, IOException {
        return start(settings, db, db::getConnection, clock);
    }

    /**
     * Starts on {@code db}, with the policy-change listener (which learns of changes made through
     * other replicas) on connections from {@code listenerConnections}.
     */
    public static ControlPlane start(Settings settings, DataSource db,
                                     PolicyChangeListener.ConnectionSource listenerConnections, Clock clock)
            throws SQLException, IOException {
        GatewayConfig config = settings.config();
        CredentialVault vault = new CredentialVault(settings.env());
        DeploymentRepository deployments = new DeploymentRepository(db);
        KeyRing ring = KeyRing.fromEnvironment(settings.env());
        CredentialCatalog credentials = new CredentialCatalog(new CredentialRepository(db), ring,
                config.credentials(), settings.env());
        requireNamedCredentials(config, credentials);
        LOG.log(System.Logger.Level.INFO, ring.currentKeyId().map(id -> "credentials are encrypted at rest under key id "
                + id + " (" + KeyRing.CURRENT_VARIABLE + ")").orElse(KeyRing.CURRENT_VARIABLE + " is not set:"
                + " POST /credentials is refused until it is (openssl rand -base64 32)"));
        List<String> ids = deployments.replaceConfigDeployments(config.deployments());
        for (int i = 0; i < ids.size(); i++) {
            CredentialRef ref = config.deployments().get(i).credential();
            vault.put(ids.get(i), ref);
            vault.putParams(ids.get(i), config.deployments().get(i).secretParams());
            if (ref instanceof CredentialRef.Env e && e.resolve(settings.env()).isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "deployment " + ids.get(i) + ": api_key refers to environment"
                        + " variable " + e.name() + ", which is not set in the control-plane process; its calls will"
                        + " fail until it is");
            }
        }
        // Minted once before the first snapshot, so sidecars start with the tokens; the loop retries failures.
        CredentialMinting minting = MintingSetup.forDeployments(config.deployments(), ids, vault, settings.env(), clock);
        minting.runDue();
        KeyRepository keys = new KeyRepository(db);
        TeamRepository teams = new TeamRepository(db);
        UserRepository users = new UserRepository(db);
        PriceMap prices = PriceMap.bundled();
        warnUnpriced(config, prices);
        PolicyPublisher publisher = new PolicyPublisher(db,
                new PolicyCompiler(deployments, keys, teams, users, vault, prices,
                        RouterSettingsCompiler.compile(config.routing()), minting, Optional.of(credentials)));
        publisher.publish();
        MintingLoop mintingLoop = new MintingLoop(minting, clock, publisher::republishLocally).start();

        Optional<TraceExport> traces = TraceExport.create(
                Optional.ofNullable(settings.env().get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
                        .or(() -> Optional.ofNullable(settings.env().get("OTEL_EXPORTER_OTLP_ENDPOINT"))),
                "http/protobuf".equals(settings.env().get("OTEL_EXPORTER_OTLP_PROTOCOL"))
                        ? TraceExport.Protocol.HTTP_PROTOBUF : TraceExport.Protocol.GRPC);
        LOG.log(System.Logger.Level.INFO, traces.isPresent() ? "exporting a trace per request over OTLP"
                : "traces off: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4317) to export them");
        AtomicReference<ControlStreamService> streams = new AtomicReference<>();
        SpendQueries spend = new SpendQueries(db);
        ControlPlaneMetrics metrics = new ControlPlaneMetrics(() -> publisher.current().getVersion(),
                () -> streams.get() == null ? Map.of() : streams.get().ackedVersions(), traces,
                () -> budgetsRemaining(spend, clock));
        UsageRepository usage = new UsageRepository(db, records -> {
            metrics.stored(records);
            traces.ifPresent(t -> t.offer(records));
        });
        LeaseLedger leases = new LeaseLedger(db, (kind, id) -> limitsOf(keys, teams, users, kind, id),
                (kind, id, window) -> spendOf(spend, kind, id, window), clock);
        SidecarTokenRepository sidecarTokens = new SidecarTokenRepository(db);
        SidecarAuthenticator sidecarAuth = new SidecarAuthenticator(settings.sidecarToken(),
                configuredSidecars(config, settings.env()), sidecarTokens);
        ControlStreamService controlStream = new ControlStreamService(publisher, usage, leases, sidecarAuth);
        streams.set(controlStream);
        InetSocketAddress grpcAddress = new InetSocketAddress(settings.grpcHost(), settings.grpcPort());
        NettyServerBuilder grpcBuilder = settings.grpcTls()
                .map(tls -> NettyServerBuilder.forAddress(grpcAddress, tls.credentials()))
                .orElseGet(() -> NettyServerBuilder.forAddress(grpcAddress));
        settings.grpcTls().flatMap(GrpcTls::interceptor).ifPresent(grpcBuilder::intercept);
        Server grpc = grpcBuilder
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .addService(controlStream)
                .addService(new RelayService(publisher::current, vault, relayAdmission(sidecarAuth, publisher),
                        HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .executor(Executors.newVirtualThreadPerTaskExecutor())
                        .build()))
                // Strict mode relays request bodies (images, documents) in one message.
                .maxInboundMessageSize(RELAY_MAX_REQUEST_BYTES)
                .build()
                .start();

        // Probes reach every replica every few seconds: one database round trip per second at most.
        Readiness readiness = new Readiness(db, clock, Duration.ofSeconds(1), Duration.ofSeconds(2));
        AuditLog audit = new AuditLog(clock);
        Changes changes = new Changes(db, audit, publisher);
        KeyRoutes keyRoutes = new KeyRoutes(keys, teams, users, spend, changes, clock);
        AdminKeyRepository adminKeys = new AdminKeyRepository(db);
        AdminServer admin = new AdminServer(settings.adminHost(), settings.adminPort(),
                KeyHashing.sha256Hex(settings.masterKey()),
                hash -> adminKeys.findByHash(hash).map(AdminKeyRecord::role), new AdminServer.Routes(keyRoutes,
                new TeamRoutes(teams, keys, spend, changes, keyRoutes, clock),
                new UserRoutes(users, keys, spend, changes, keyRoutes, clock),
                new SpendRoutes(spend, keys), new AuditRoutes(audit, db), metrics::scrape,
                // The doctor probes providers from here, so strict deployments' real keys are put back for it.
                new DoctorRoutes(new Doctor(() -> StrictPlaceholders.revealed(publisher.current(), vault),
                        controlStream::ackedVersions,
                        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), minting::status)),
                new SidecarTokenRoutes(sidecarTokens, teams, changes, clock),
                new CredentialRoutes(credentials, deployments, changes, clock),
                new AdminKeyRoutes(adminKeys, changes, clock),
                new ModelRoutes(deployments, credentials, changes), new SecretsRoutes(credentials, changes)),
                readiness::state, readiness::isShuttingDown);
        try {
            admin.start();
        } catch (RuntimeException e) {
            mintingLoop.close();
            grpc.shutdownNow();
            traces.ifPresent(TraceExport::close);
            throw e;
        }
        // Started last, so nothing is left running when a start fails; a change made on another
        // replica since our publish() is caught up on when it begins (it reads policy_head first).
        PolicyChangeListener listener = new PolicyChangeListener(listenerConnections, publisher,
                Duration.ofSeconds(5)).start();
        return new ControlPlane(admin, grpc, publisher, listener, traces, readiness, controlStream,
                settings.drainTimeout(), minting, mintingLoop);
    }

    /** The short-lived credentials this replica mints, and their state. */
    public CredentialMinting minting() {
        return minting;
    }

    /**
     * Runs one round of credential minting now (what is due by the clock) and republishes on
     * change; the background loop does the same on its own. For tests that move their clock.
     */
    public void refreshMintedCredentials() {
        mintingLoop.tick();
    }

    /**
     * A relay request is admitted as a hello would be (token, bound name), and only for a
     * deployment the sidecar's scope holds: a team-scoped sidecar cannot have another team's
     * strict credential used for it.
     */
    private static RelayService.Admission relayAdmission(SidecarAuthenticator auth, PolicyPublisher publisher) {
        dev.tollgate.controlplane.policy.ScopedSnapshots scoped = new dev.tollgate.controlplane.policy.ScopedSnapshots();
        return request -> {
            dev.tollgate.controlplane.sidecars.Admission admission;
            try {
                admission = auth.admit(request.getSidecarName(), request.getSidecarToken());
            } catch (SQLException e) {
                return Optional.of(io.grpc.Status.UNAVAILABLE.withDescription(
                        "the control plane cannot reach its database to check the sidecar token; retry"));
            }
            return switch (admission) {
                case dev.tollgate.controlplane.sidecars.Admission.UnknownToken u ->
                        Optional.of(io.grpc.Status.UNAUTHENTICATED.withDescription(u.description()));
                case dev.tollgate.controlplane.sidecars.Admission.WrongName w ->
                        Optional.of(io.grpc.Status.PERMISSION_DENIED.withDescription(w.description()));
                case dev.tollgate.controlplane.sidecars.Admission.Admitted a -> {
                    java.util.Set<String> teams = a.identity().scope().teams();
                    boolean inScope = teams.isEmpty() || scoped.forTeams(publisher.current(), teams).getAliasesList()
                            .stream().flatMap(alias -> alias.getDeploymentsList().stream())
                            .anyMatch(d -> d.getId().equals(request.getDeploymentId()));
                    yield inScope ? Optional.empty() : Optional.of(io.grpc.Status.PERMISSION_DENIED.withDescription(
                            "deployment '" + request.getDeploymentId() + "' is outside this sidecar's scope ("
                                    + a.identity().scope() + ")"));
                }
            };
        };
    }

    /** {@code tollgate.sidecars} with their tokens resolved; an unset variable stops the start. */
    private static List<ConfiguredSidecar> configuredSidecars(GatewayConfig config, Map<String, String> env) {
        List<ConfiguredSidecar> out = new java.util.ArrayList<>();
        for (SidecarEntry entry : config.sidecars()) {
            String token = entry.token().resolve(env).filter(t -> !t.isEmpty()).orElseThrow(() ->
                    new IllegalArgumentException("tollgate.sidecars[" + entry.name() + "].token refers to "
                            + entry.token().describe() + ", which is not set in the control-plane process"));
            out.add(new ConfiguredSidecar(entry.name(), token, new SidecarScope(new java.util.HashSet<>(entry.teams()))));
        }
        return out;
    }

    /**
     * Refuses to start when a deployment's {@code litellm_credential_name} names neither a
     * {@code credential_list} entry nor a credential stored through the API.
     */
    private static void requireNamedCredentials(GatewayConfig config, CredentialCatalog credentials)
            throws SQLException {
        for (int i = 0; i < config.deployments().size(); i++) {
            ModelDeployment d = config.deployments().get(i);
            String name = d.params().get("litellm_credential_name");
            if (name != null && credentials.configCredential(name).isEmpty()
                    && credentials.repository().find(name).isEmpty()) {
                throw new IllegalArgumentException("model_list[" + i + "] (" + d.alias() + ").litellm_params"
                        + ".litellm_credential_name: no credential " + name + " (add it to credential_list, or create it"
                        + " with POST /credentials on a running control plane before adding this deployment)");
            }
        }
    }

    /** The current limits of a lease subject's entity, from the database (so every replica agrees). */
    private static Optional<Limits> limitsOf(KeyRepository keys, TeamRepository teams, UserRepository users,
                                             String kind, String id) throws SQLException {
        switch (kind) {
            case "team":
                return teams.find(id).map(t -> t.limits());
            case "user":
                return users.find(id).map(u -> u.limits());
            case "key": {
                Optional<java.util.UUID> key = uuid(id);
                return key.isEmpty() ? Optional.empty() : keys.findById(key.get()).map(k -> k.limits());
            }
            case "key_model": {
                int slash = id.indexOf('/');
                Optional<java.util.UUID> key = uuid(id.substring(0, Math.max(0, slash)));
                String alias = id.substring(slash + 1);
                return key.isEmpty() ? Optional.empty()
                        : keys.findById(key.get()).flatMap(k -> Optional.ofNullable(k.modelMaxBudget().get(alias)));
            }
            default:
                return Optional.empty();
        }
    }

    private static java.util.List<ControlPlaneMetrics.BudgetRemaining> budgetsRemaining(SpendQueries spend, Clock clock)
            throws SQLException {
        java.util.List<ControlPlaneMetrics.BudgetRemaining> all = new java.util.ArrayList<>();
        java.time.Instant now = clock.instant();
        for (SpendQueries.BudgetHolder holder : SpendQueries.BudgetHolder.values()) {
            for (SpendQueries.BudgetRemaining b : spend.budgetsRemaining(holder, now)) {
                all.add(new ControlPlaneMetrics.BudgetRemaining(holder.label, b.id(), b.label(), b.remainingMicros()));
            }
        }
        return all;
    }

    private static long spendOf(SpendQueries spend, String kind, String id, BudgetWindow w) throws SQLException {
        return switch (kind) {
            case "key" -> spend.spendMicros(SpendQueries.Owner.KEY, id, w.start(), w.end());
            case "team" -> spend.spendMicros(SpendQueries.Owner.TEAM, id, w.start(), w.end());
            case "user" -> spend.spendMicros(SpendQueries.Owner.USER, id, w.start(), w.end());
            case "key_model" -> {
                int slash = id.indexOf('/');
                Optional<java.util.UUID> key = uuid(id.substring(0, Math.max(0, slash)));
                yield key.isEmpty() ? 0 : spend.spendMicros(key.get(), id.substring(slash + 1), w.start(), w.end());
            }
            default -> 0;
        };
    }

    private static Optional<java.util.UUID> uuid(String text) {
        try {
            return Optional.of(java.util.UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Says at start which deployments cost nothing because neither the config nor the price map prices them. */
    private static void warnUnpriced(GatewayConfig config, PriceMap prices) {
        for (ModelDeployment d : config.deployments()) {
            boolean configured = d.params().containsKey("input_cost_per_token")
                    || d.params().containsKey("output_cost_per_token");
            if (!configured && !d.provider().equals("mock") && prices.lookup(d.provider(), d.model(), d.params()).isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "alias " + d.alias() + ": " + d.provider() + "/" + d.model()
                        + " is not in the model price map (taken " + prices.taken() + "); its calls cost 0 until"
                        + " litellm_params sets input_cost_per_token and output_cost_per_token");
            }
        }
    }

    public int adminPort() {
        return admin.port();
    }

    public int grpcPort() {
        return grpc.getPort();
    }

    public PolicyPublisher publisher() {
        return publisher;
    }

    /**
     * Shuts down gracefully, within the drain timeout: readiness and admin routes answer 503, the
     * control stream takes no new sidecars, each connected sidecar is told to reconnect elsewhere at
     * once ({@code go_away}); a sidecar half-closes after it, so usage batches it sent before are
     * stored and acknowledged (and pending lease grants sent) before its stream ends. Streams still
     * open at the bound are cut; their sidecars reconnect with backoff and resend unacknowledged usage.
     */
    @Override
    public void close() {
        readiness.shuttingDown();
        mintingLoop.close();
        grpc.shutdown();
        int told = streams.goAway("control plane shutting down");
        LOG.log(System.Logger.Level.INFO, "control plane stopping: readiness 503; told " + told
                + " sidecar(s) to reconnect to another replica; waiting up to " + drainTimeout.toMillis() + " ms");
        try {
            if (!grpc.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "drain bound passed with " + streams.connected().size()
                        + " control stream(s) open: cutting them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        grpc.shutdownNow();
        listener.close();
        admin.close();
        traces.ifPresent(TraceExport::close);
        LOG.log(System.Logger.Level.INFO, "control plane stopped");
    }
}
