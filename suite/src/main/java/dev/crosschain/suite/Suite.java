package dev.crosschain.suite;

import dev.crosschain.postgres.PostgresServer;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The four services running as processes against one PostgreSQL server, each with its own
 * database. Closing stops them in reverse order.
 */
public final class Suite implements AutoCloseable {

    /** Ports of the local run: 8101..8104 (HTTP) and 9101..9104 (gRPC). */
    public static final int DEFAULT_PORT_BASE = 8000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final List<ServiceProcess> processes = new ArrayList<>();
    /** How each started service was launched, to start it again after {@link #killAndRestart}. */
    private final Map<ServiceSpec, Launch> launches = new HashMap<>();
    private final int portBase;
    private final SuiteCredentials credentials = SuiteCredentials.random();

    private Suite(int portBase) {
        this.portBase = portBase;
    }

    /**
     * Creates each service's database (named {@code databasePrefix + service}, reused if present)
     * and starts the services in dependency order, each awaited until ready.
     */
    public static Suite start(PostgresServer db, String databasePrefix, Path repoRoot, Path logDir, int portBase)
            throws IOException, InterruptedException {
        return start(db, databasePrefix, repoRoot, logDir, portBase, List.of(ServiceSpec.values()));
    }

    /**
     * As {@link #start(PostgresServer, String, Path, Path, int)}, only the given services (each with its
     * upstream services among them, in dependency order), e.g. pricing-service alone for a load test.
     */
    public static Suite start(PostgresServer db, String databasePrefix, Path repoRoot, Path logDir, int portBase,
                              List<ServiceSpec> services) throws IOException, InterruptedException {
        return start(db, databasePrefix, repoRoot, logDir, portBase, services, Map.of());
    }

    /** As above, with settings added to every service's environment (e.g. a short adapter lease for a test). */
    public static Suite start(PostgresServer db, String databasePrefix, Path repoRoot, Path logDir, int portBase,
                              List<ServiceSpec> services, Map<String, String> extraEnvironment) throws IOException, InterruptedException {
        return start(db, databasePrefix, repoRoot, logDir, portBase, services, extraEnvironment, List.of());
    }

    /**
     * Another process of a service the suite starts, on the same database, upstream services and credentials: its own
     * ports ({@code portBase} in place of the suite's), log directory, and {@code overrides} on top of the settings.
     */
    public record Replica(ServiceSpec spec, int portBase, Path logDir, Map<String, String> overrides) {

        private Map<String, String> environment(Map<String, String> serviceEnvironment) {
            Map<String, String> env = new HashMap<>(serviceEnvironment);
            env.put("QUARKUS_HTTP_PORT", Integer.toString(spec.httpPort(portBase)));
            env.put("QUARKUS_GRPC_SERVER_PORT", Integer.toString(spec.grpcPort(portBase)));
            env.putAll(overrides);
            return env;
        }
    }

    /**
     * As above, plus {@code replicas}: each is started together with its service (both awaited ready before the services
     * downstream start), and stopped with the suite.
     */
    public static Suite start(PostgresServer db, String databasePrefix, Path repoRoot, Path logDir, int portBase,
                              List<ServiceSpec> services, Map<String, String> extraEnvironment, List<Replica> replicas)
            throws IOException, InterruptedException {
        Suite suite = new Suite(portBase);
        try {
            for (ServiceSpec spec : services) {
                requireFree(spec.httpPort(portBase), spec);
                requireFree(spec.grpcPort(portBase), spec);
            }
            for (Replica replica : replicas) {
                if (!services.contains(replica.spec())) {
                    throw new IllegalArgumentException("a replica of " + replica.spec().module() + ", which is not started");
                }
                requireFree(replica.spec().httpPort(replica.portBase()), replica.spec());
                requireFree(replica.spec().grpcPort(replica.portBase()), replica.spec());
            }
            // Declaration order of ServiceSpec is dependency order: upstream services first.
            for (ServiceSpec spec : services) {
                String database = databasePrefix + spec.database();
                db.createDatabase(database);
                Map<String, String> env = environment(spec, db, database, portBase, suite.credentials);
                env.putAll(extraEnvironment);
                int first = suite.processes.size();
                suite.processes.add(ServiceProcess.start(spec, repoRoot, logDir, env, spec.httpPort(portBase)));
                suite.launches.put(spec, new Launch(repoRoot, logDir, env));
                for (Replica replica : replicas) {
                    if (replica.spec() == spec) {
                        suite.processes.add(ServiceProcess.start(spec, repoRoot, replica.logDir(), replica.environment(env),
                                spec.httpPort(replica.portBase())));
                    }
                }
                for (ServiceProcess process : suite.processes.subList(first, suite.processes.size())) {
                    process.awaitReady(START_TIMEOUT);
                }
            }
            return suite;
        } catch (IOException | InterruptedException | RuntimeException e) {
            suite.close();
            throw e;
        }
    }

    /** A port held by an earlier run would answer our readiness probe for a service that failed to bind. */
    private static void requireFree(int port, ServiceSpec spec) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(port));
        } catch (BindException inUse) {
            throw new IllegalStateException("port " + port + " of " + spec.module()
                    + " is in use: is another run of the suite still up?", inUse);
        }
    }

    private static Map<String, String> environment(ServiceSpec spec, PostgresServer db, String database, int portBase,
                                                   SuiteCredentials credentials) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(spec.httpPort(portBase)));
        env.put("QUARKUS_GRPC_SERVER_PORT", Integer.toString(spec.grpcPort(portBase)));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl(database));
        if (spec.reactiveDatabase()) {
            env.put("QUARKUS_DATASOURCE_REACTIVE_URL", db.reactiveUrl(database));
        }
        env.put("QUARKUS_DATASOURCE_USERNAME", db.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", db.password());
        for (String client : spec.clients()) {
            String prefix = "QUARKUS_GRPC_CLIENTS_" + client.toUpperCase(Locale.ROOT) + "_";
            env.put(prefix + "HOST", "localhost");
            env.put(prefix + "PORT", Integer.toString(ServiceSpec.byClientName(client).grpcPort(portBase)));
        }
        if (spec == ServiceSpec.COLLATERAL) {
            env.putAll(credentials.collateralEnvironment());
        }
        if (spec == ServiceSpec.LIQUIDATION) {
            env.put("LIQUIDATION_COLLATERAL_TOKEN", credentials.liquidationToken());
            // The demo's scripted ETH fall (3000 -> 2625, 12.5 %) comes within seconds: under the default 10 % breaker
            // its auction would wait out the 60 s window. The breaker stays on, with room for the demo's move.
            env.put("LIQUIDATION_BREAKER_MAX_MOVE", "0.25");
            // every replica the suite starts runs this release, so the fund's legs are never settled without it
            env.put("LIQUIDATION_INSURANCE_FUND_ENABLED", "true");
            // likewise: no older replica fills a bid above the buffer bound
            env.put("LIQUIDATION_AUCTION_BUFFER_BOUND_ENABLED", "true");
            // and none reads a re-based buffer level without its base
            env.put("LIQUIDATION_CURVE_REBASE_BUFFER_ENABLED", "true");
        }
        if (spec == ServiceSpec.MARGIN) {
            env.put("MARGIN_COLLATERAL_TOKEN", credentials.marginToken());
        }
        return env;
    }

    private record Launch(Path repoRoot, Path logDir, Map<String, String> env) {
    }

    /**
     * Kills a started service at once (SIGKILL: no shutdown, in-flight transactions cut off), then starts it again
     * on the same database, ports and credentials and awaits it ready; its log goes to {@code logDir/restart-<n>}.
     */
    public void killAndRestart(ServiceSpec spec, int n) throws IOException, InterruptedException {
        Launch launch = launches.get(spec);
        if (launch == null) {
            throw new IllegalArgumentException(spec.module() + " was not started by this suite");
        }
        for (int i = 0; i < processes.size(); i++) {
            if (processes.get(i).spec() == spec) {
                processes.get(i).kill();
                ServiceProcess process = ServiceProcess.start(spec, launch.repoRoot(), launch.logDir().resolve("restart-" + n),
                        launch.env(), spec.httpPort(portBase));
                processes.set(i, process);
                process.awaitReady(START_TIMEOUT);
                return;
            }
        }
    }

    public Endpoints endpoints() {
        return new Endpoints("localhost", portBase, credentials);
    }

    /** Channels to a replica started with the suite: only the stub of its service reaches a service. */
    public Endpoints endpoints(Replica replica) {
        return new Endpoints("localhost", replica.portBase(), credentials);
    }

    /**
     * Stops the services also when this JVM is stopped by a signal (Ctrl-C, SIGTERM, a timeout): a driver's
     * try-with-resources does not run then, and the service processes would outlive it holding their ports. Close
     * the returned handle before the suite when the run ends normally.
     */
    public StopOnExit stopOnExit() {
        Thread hook = new Thread(this::close, "suite-stop-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already stopping: the hook stops the services
            }
        };
    }

    /** A registered {@link #stopOnExit()}; closing it unregisters it. */
    public interface StopOnExit extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    public synchronized void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        processes.clear();
    }
}
