package dev.crosschain.postgres;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} a fresh database of its own on a real PostgreSQL
 * ({@link PostgresServer#forTests()}), committing without waiting for the disk
 * ({@link PostgresServer#commitWithoutWaitingForDisk}), dropped when the tests stop. With the init argument
 * {@value #REACTIVE}{@code =true} it also configures the reactive client's URL for a service
 * that has one (a service without it would warn about an unknown key).
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String REACTIVE = "reactive";

    private PostgresServer server;
    private String database;
    private boolean reactive;

    @Override
    public void init(Map<String, String> initArgs) {
        reactive = Boolean.parseBoolean(initArgs.getOrDefault(REACTIVE, "false"));
    }

    @Override
    public Map<String, String> start() {
        server = PostgresServer.forTests();
        database = server.createFreshDatabase("test");
        // Tests prove what commits do, not that they outlive a server crash; the flush wait made every small
        // transaction cost a disk flush (2.7-4.3 ms on the build machine).
        server.commitWithoutWaitingForDisk(database);
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", server.jdbcUrl(database));
        config.put("quarkus.datasource.username", server.user());
        config.put("quarkus.datasource.password", server.password());
        if (reactive) {
            config.put("quarkus.datasource.reactive.url", server.reactiveUrl(database));
        }
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.dropDatabase(database);
            server.close();
        }
    }
}
