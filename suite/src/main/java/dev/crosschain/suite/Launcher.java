package dev.crosschain.suite;

import dev.crosschain.postgres.PostgresServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The local run: PostgreSQL (embedded unless {@code --db-url} names one), the four services as
 * processes, the demo scenario, then the services keep running until Ctrl-C.
 *
 * <pre>
 * java -jar suite/target/suite.jar [--db-url jdbc:postgresql://host:5432/postgres] [--db-user U] [--db-password P] [--no-demo]
 * </pre>
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        String dbUrl = null;
        String dbUser = "postgres";
        String dbPassword = "";
        boolean demo = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--db-url" -> dbUrl = value(args, ++i);
                case "--db-user" -> dbUser = value(args, ++i);
                case "--db-password" -> dbPassword = value(args, ++i);
                case "--no-demo" -> demo = false;
                default -> usage("unknown argument " + args[i]);
            }
        }
        Path root = repoRoot();
        PostgresServer db = dbUrl == null ? PostgresServer.embedded() : PostgresServer.external(dbUrl, dbUser, dbPassword);
        System.out.println("Database: " + db);
        Path logs = root.resolve("target/suite-logs");
        Suite suite = Suite.start(db, "", root, logs, Suite.DEFAULT_PORT_BASE);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            suite.close();
            db.close();
            stopped.countDown();
        }, "suite-shutdown"));
        System.out.println("Services running (logs in " + logs + "):");
        for (ServiceSpec spec : ServiceSpec.values()) {
            System.out.printf("  %-20s gRPC localhost:%d  health http://localhost:%d/q/health%n", spec.module(),
                    spec.grpcPort(Suite.DEFAULT_PORT_BASE), spec.httpPort(Suite.DEFAULT_PORT_BASE));
        }
        if (demo) {
            try (Endpoints endpoints = suite.endpoints()) {
                new DemoScenario(endpoints, System.out).play();
            }
        }
        System.out.println("\nServices keep running; press Ctrl-C to stop them.");
        stopped.await();
    }

    /** The checkout: the working directory or its parent, whichever holds the service modules. */
    public static Path repoRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path candidate = here; candidate != null; candidate = candidate.getParent()) {
            if (Files.isDirectory(candidate.resolve("margin-service")) && Files.isDirectory(candidate.resolve("proto"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("run from the repository checkout: no margin-service/ above " + here);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: java -jar suite/target/suite.jar [--db-url JDBC_URL] [--db-user USER] [--db-password PASSWORD] [--no-demo]");
        System.exit(2);
    }
}
