package dev.tollgate.controlplane.cloud;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.ControlPlane;
import dev.tollgate.controlplane.config.ConfigLoader;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.testing.AdminClient;
import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.controlplane.testing.TestDatabase;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A control plane started from a YAML config on a fresh test database with the test's clock, every
 * snapshot it publishes and every log line (debug level on) kept, and a check that no secret shows
 * in any of them, in {@code /health} or in PostgreSQL.
 */
final class MintingHarness implements AutoCloseable {

    static final String MASTER_KEY = "sk-master-minting-test";

    final Database db;
    final ControlPlane plane;
    final AdminClient admin;
    final List<PolicySnapshot> snapshots = new CopyOnWriteArrayList<>();
    private final List<String> logLines = new CopyOnWriteArrayList<>();
    private final List<String> healthBodies = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Level rootLevel = root.getLevel();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringWriter text = new StringWriter();
            text.append(record.getLoggerName()).append(": ").append(new java.util.logging.SimpleFormatter()
                    .formatMessage(record));
            if (record.getThrown() != null) {
                record.getThrown().printStackTrace(new PrintWriter(text));
            }
            logLines.add(text.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    MintingHarness(TestClock clock, String yaml, Map<String, String> env) throws Exception {
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        root.setLevel(Level.FINE);
        Path file = Files.createTempFile("minting", ".yaml");
        Files.writeString(file, yaml);
        GatewayConfig config = ConfigLoader.load(file);
        db = TestDatabase.fresh();
        plane = ControlPlane.start(new ControlPlane.Settings(config, MASTER_KEY, Optional.empty(), "127.0.0.1", 0,
                "127.0.0.1", 0, env), db.dataSource(), clock);
        plane.publisher().subscribe(snapshots::add);
        admin = new AdminClient(plane.adminPort(), MASTER_KEY);
    }

    /** The deployment of {@code alias} in the current snapshot. */
    Deployment deployment(String alias) {
        return plane.publisher().current().getAliasesList().stream().filter(a -> a.getName().equals(alias))
                .findFirst().orElseThrow().getDeployments(0);
    }

    long version() {
        return plane.publisher().current().getVersion();
    }

    /** The "minted credential" check of the deployment of {@code alias} in {@code GET /health}. */
    JsonNode mintCheck(String alias) throws Exception {
        JsonNode report = admin.get("/health").ok();
        healthBodies.add(report.toString());
        for (JsonNode d : report.path("deployments")) {
            if (d.path("model_name").asText().equals(alias)) {
                for (JsonNode check : d.path("checks")) {
                    if (check.path("check").asText().equals("minted credential")) {
                        return check;
                    }
                }
            }
        }
        throw new AssertionError("no minted credential check for " + alias + " in " + report);
    }

    String logs() {
        return String.join("\n", logLines);
    }

    /** No secret in any published snapshot's non-credential place, in logs, in /health, or in the database. */
    void assertNeverLeaked(List<String> secrets) throws Exception {
        StringBuilder database = new StringBuilder();
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("select d::text from deployments d")) {
            while (rs.next()) {
                database.append(rs.getString(1)).append('\n');
            }
        }
        String logs = logs();
        for (String secret : secrets) {
            for (PolicySnapshot s : snapshots) {
                assertFalse(s.toString().contains(secret), "snapshot " + s.getVersion() + " holds a long-lived secret");
            }
            assertFalse(logs.contains(secret), "a log line holds a long-lived secret");
            healthBodies.forEach(h -> assertFalse(h.contains(secret), "/health holds a long-lived secret: " + h));
            assertFalse(database.toString().contains(secret), "PostgreSQL holds a long-lived secret");
        }
    }

    /** Minted tokens go to sidecars in snapshots only: never in logs, /health or the database. */
    void assertNotLoggedOrStored(List<String> tokens) throws Exception {
        List<String> others = new java.util.ArrayList<>(List.of(logs()));
        others.addAll(healthBodies);
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("select d::text from deployments d")) {
            while (rs.next()) {
                others.add(rs.getString(1));
            }
        }
        for (String token : tokens) {
            others.forEach(text -> assertFalse(text.contains(token), "a minted token outside a snapshot: " + token));
        }
    }

    @Override
    public void close() {
        plane.close();
        db.close();
        root.removeHandler(capture);
        root.setLevel(rootLevel);
    }
}
