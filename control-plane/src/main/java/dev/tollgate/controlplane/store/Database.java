package dev.tollgate.controlplane.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The control plane's PostgreSQL: the server at a JDBC URL, or an embedded one (real PostgreSQL
 * binaries, data kept in a folder) when no URL is given. Migrated with Flyway on open.
 * Thread-safe: hands out pooled connections.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource pool;
    private final EmbeddedPostgres embedded;
    private final String url;
    private final Properties credentials;

    private Database(HikariDataSource pool, EmbeddedPostgres embedded, String url, Properties credentials) {
        this.pool = pool;
        this.embedded = embedded;
        this.url = url;
        this.credentials = credentials;
    }

    /** Connects to {@code jdbcUrl}, or starts an embedded server in {@code dataDir} when it is empty. */
    public static Database open(Optional<String> jdbcUrl, Path dataDir, String user, String password) throws IOException {
        EmbeddedPostgres embedded = null;
        String url;
        if (jdbcUrl.isPresent()) {
            url = jdbcUrl.get();
        } else {
            Path pgData = dataDir.resolve("postgres");
            Files.createDirectories(pgData);
            embedded = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .start();
            url = embedded.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "";
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null && !user.isEmpty()) {
            config.setUsername(user);
        }
        if (password != null && !password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(8);
        config.setPoolName("tollgate");
        // Usage ingest is one JDBC batch per upload; the driver then sends it as multi-row INSERTs.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        // Fail fast at start with the database's own message rather than after a 30 s wait.
        config.setInitializationFailTimeout(10_000);
        config.setConnectionTimeout(5_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw new IOException("cannot connect to PostgreSQL at " + redact(url) + ": " + e.getMessage(), e);
        }
        Properties credentials = new Properties();
        if (user != null && !user.isEmpty()) {
            credentials.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            credentials.setProperty("password", password);
        }
        Database db = new Database(pool, embedded, url, credentials);
        db.migrate();
        return db;
    }

    private void migrate() {
        // Safe with several replicas starting at once: Flyway's PostgreSQL support holds an advisory
        // lock while it migrates, so one replica migrates and the others then find the work done.
        // Each migration runs in its own transaction (PostgreSQL's DDL is transactional), so a
        // failed one is rolled back and never recorded as applied.
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            close();
            throw new IllegalStateException("database migration failed; the control plane will not start: "
                    + e.getMessage(), e);
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    /**
     * A new connection outside the pool, for work that holds one for good (LISTEN): the caller
     * closes it.
     */
    public Connection openDedicated(String applicationName) throws SQLException {
        Properties properties = new Properties();
        properties.putAll(credentials);
        // Names the session in pg_stat_activity, so an operator can tell what holds it.
        properties.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(url, properties);
    }

    /** Whether this database is the embedded one (for the start-up banner). */
    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                System.getLogger(Database.class.getName())
                        .log(System.Logger.Level.WARNING, "embedded PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }
    }

    /** Drops a password from a JDBC URL before it is shown anywhere. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****").replaceAll("//([^:/@]+):[^@/]*@", "//$1:****@");
    }
}
