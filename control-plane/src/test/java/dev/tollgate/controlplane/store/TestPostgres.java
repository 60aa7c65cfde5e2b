package dev.tollgate.controlplane.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One real PostgreSQL server per test JVM (a Testcontainers container where Docker runs, else
 * zonky's embedded binaries), started on first use; each caller gets its own empty database on
 * it, migrated by {@link Database#open} exactly as in production, so test classes never see
 * each other's rows. Thread-safe.
 */
public final class TestPostgres {

    /** Database names only need to be unique on this JVM's own server, so a counter does. */
    private static final AtomicInteger NEXT_DATABASE = new AtomicInteger();

    private TestPostgres() {
    }

    /** A freshly created, migrated database; close it when the test class is done. */
    public static Database newDatabase() {
        Server server = Server.INSTANCE;
        String name = "t_" + NEXT_DATABASE.incrementAndGet();
        try (Connection c = DriverManager.getConnection(server.url("postgres"), server.user(), server.password());
             Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
        }
        try {
            return Database.open(Optional.of(server.url(name)), Path.of("unused-with-a-jdbc-url"),
                    server.user(), server.password());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empties the given tables, for test classes whose tests must not see each other's rows. */
    public static void truncate(DataSource db, String... tables) {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("truncate " + String.join(", ", tables));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot truncate " + String.join(", ", tables), e);
        }
    }

    /** Where the shared server listens; the holder idiom makes start-up lazy and once per JVM. */
    private record Server(String host, int port, String user, String password) {

        static final Server INSTANCE = start();

        String url(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        private static Server start() {
            if (DockerClientFactory.instance().isDockerAvailable()) {
                PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
                container.start();
                // Testcontainers' Ryuk removes the container when the JVM exits.
                return new Server(container.getHost(), container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT),
                        container.getUsername(), container.getPassword());
            }
            try {
                EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        embedded.close();
                    } catch (IOException e) {
                        System.err.println("embedded PostgreSQL did not stop cleanly: " + e.getMessage());
                    }
                }, "test-postgres-stop"));
                return new Server("localhost", embedded.getPort(), "postgres", "");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
        }
    }
}
