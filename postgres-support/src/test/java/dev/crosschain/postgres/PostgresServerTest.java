package dev.crosschain.postgres;

import org.junit.jupiter.api.Test;

import java.sql.DriverManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresServerTest {

    @Test
    void freshDatabaseIsUsableAndDropped() throws Exception {
        try (PostgresServer server = PostgresServer.forTests()) {
            String db = server.createFreshDatabase("unit");
            try (var c = DriverManager.getConnection(server.jdbcUrl(db), server.user(), server.password());
                 var rs = c.createStatement().executeQuery("SELECT current_database()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(db);
            }
            server.dropDatabase(db);
            try (var c = DriverManager.getConnection(server.jdbcUrl("postgres"), server.user(), server.password());
                 var rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + db + "'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void aTestDatabaseCommitsWithoutWaitingForTheDisk() throws Exception {
        try (PostgresServer server = PostgresServer.forTests()) {
            String db = server.createFreshDatabase("unit");
            try {
                String serverSetting = synchronousCommit(server, "postgres");
                server.commitWithoutWaitingForDisk(db);
                assertThat(synchronousCommit(server, db)).isEqualTo("off");
                assertThat(synchronousCommit(server, "postgres")).as("another database's setting").isEqualTo(serverSetting);
            } finally {
                server.dropDatabase(db);
            }
        }
    }

    private static String synchronousCommit(PostgresServer server, String database) throws Exception {
        try (var c = DriverManager.getConnection(server.jdbcUrl(database), server.user(), server.password());
             var rs = c.createStatement().executeQuery("SHOW synchronous_commit")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void embeddedServerStartsWhenAskedFor() throws Exception {
        try (PostgresServer server = PostgresServer.embedded()) {
            assertThat(server.isEmbedded()).isTrue();
            String db = server.createFreshDatabase("embedded");
            try (var c = DriverManager.getConnection(server.jdbcUrl(db), server.user(), server.password())) {
                assertThat(c.isValid(2)).isTrue();
            }
        }
    }

    @Test
    void jdbcUrlIsParsedAndUnsafeNamesRefused() {
        assertThat(JdbcUrl.parse("jdbc:postgresql://db.internal:6543/margin?sslmode=require"))
                .isEqualTo(new JdbcUrl("db.internal", 6543, "margin"));
        assertThat(JdbcUrl.parse("jdbc:postgresql://localhost/x").port()).isEqualTo(5432);
        assertThatThrownBy(() -> JdbcUrl.parse("postgres://x")).isInstanceOf(IllegalArgumentException.class);
        try (PostgresServer server = PostgresServer.external("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            assertThatThrownBy(() -> server.createDatabase("x; DROP DATABASE test"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
