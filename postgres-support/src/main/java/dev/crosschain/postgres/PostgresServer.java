package dev.crosschain.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL server that hands out databases: one given by URL, the machine's on
 * 127.0.0.1:5432, or an embedded one started from the binaries inside the zonky jar.
 *
 * <p>Each service owns its own database, so callers ask for one database per service.
 */
public final class PostgresServer implements AutoCloseable {

    /** Environment variable naming a server for tests: {@code jdbc:postgresql://host:port/db}. */
    public static final String TEST_URL_ENV = "CROSSCHAIN_TEST_DB_URL";

    private static final Pattern SAFE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final String LOCAL_HOST = "127.0.0.1";
    private static final int LOCAL_PORT = 5432;

    private final String host;
    private final int port;
    private final String adminDatabase;
    private final String user;
    private final String password;
    private final EmbeddedPostgres embedded;

    private PostgresServer(String host, int port, String adminDatabase, String user, String password,
                           EmbeddedPostgres embedded) {
        this.host = host;
        this.port = port;
        this.adminDatabase = adminDatabase;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    /**
     * The server for tests: {@value #TEST_URL_ENV} if set, else the machine's PostgreSQL on
     * 127.0.0.1:5432 if it answers, else an embedded one.
     */
    public static PostgresServer forTests() {
        String url = System.getenv(TEST_URL_ENV);
        if (url != null && !url.isBlank()) {
            return external(url, envOr("CROSSCHAIN_TEST_DB_USER", "postgres"), envOr("CROSSCHAIN_TEST_DB_PASSWORD", ""));
        }
        if (localServerAnswers()) {
            return new PostgresServer(LOCAL_HOST, LOCAL_PORT, "postgres", "postgres", "", null);
        }
        return embedded();
    }

    /** A server given by a JDBC URL whose database is used only to create the services' databases. */
    public static PostgresServer external(String jdbcUrl, String user, String password) {
        JdbcUrl parsed = JdbcUrl.parse(jdbcUrl);
        return new PostgresServer(parsed.host(), parsed.port(), parsed.database(), user, password, null);
    }

    /** Starts an embedded PostgreSQL on a free port; {@link #close()} stops it. */
    public static PostgresServer embedded() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            return new PostgresServer("localhost", pg.getPort(), "postgres", "postgres", "", pg);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** JDBC URL of a database on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** Reactive-client URL of a database on this server (Quarkus {@code quarkus.datasource.reactive.url}). */
    public String reactiveUrl(String database) {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    /** Creates a database named {@code prefix_<random>} and returns its name. */
    public String createFreshDatabase(String prefix) {
        String name = (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12))
                .toLowerCase(Locale.ROOT);
        createDatabase(name);
        return name;
    }

    /** Creates a database unless it exists. */
    public void createDatabase(String name) {
        requireSafe(name);
        try (Connection c = admin(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on " + host + ":" + port, e);
        }
    }

    /**
     * New sessions of the database commit without waiting for their WAL to reach the disk
     * ({@code synchronous_commit = off}). For test databases only: a server crash may lose the last commits, which a
     * test never outlives anyway; atomicity, isolation and what other sessions see are unchanged. On a disk where a
     * flush takes milliseconds, that wait is most of a small transaction's time.
     */
    public void commitWithoutWaitingForDisk(String database) {
        requireSafe(database);
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + database + " SET synchronous_commit = off");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set synchronous_commit of database " + database, e);
        }
    }

    /** Drops a database, closing its connections. */
    public void dropDatabase(String name) {
        requireSafe(name);
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop database " + name, e);
        }
    }

    private Connection admin() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(adminDatabase), user, password);
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public String toString() {
        return (embedded != null ? "embedded PostgreSQL on " : "PostgreSQL on ") + host + ":" + port;
    }

    private static boolean localServerAnswers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOCAL_HOST, LOCAL_PORT), 500);
        } catch (IOException e) {
            return false;
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + LOCAL_HOST + ":" + LOCAL_PORT + "/postgres",
                "postgres", "")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void requireSafe(String name) {
        if (!SAFE_NAME.matcher(Objects.requireNonNull(name)).matches()) {
            throw new IllegalArgumentException("not a safe database name: " + name);
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }
}
