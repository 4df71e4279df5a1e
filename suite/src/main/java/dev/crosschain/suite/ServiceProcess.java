package dev.crosschain.suite;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A packaged service running as its own JVM process, with its output in a log file. */
public final class ServiceProcess implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final ServiceSpec spec;
    private final Process process;
    private final Path log;
    private final int httpPort;

    private ServiceProcess(ServiceSpec spec, Process process, Path log, int httpPort) {
        this.spec = spec;
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** Starts {@code java -jar <module>/target/quarkus-app/quarkus-run.jar} with the given environment. */
    public static ServiceProcess start(ServiceSpec spec, Path repoRoot, Path logDir, Map<String, String> env, int httpPort)
            throws IOException {
        Path jar = repoRoot.resolve(spec.module()).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the services first (mvn -B -DskipTests package)");
        }
        Files.createDirectories(logDir);
        Path log = logDir.resolve(spec.module() + ".log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "-Xmx384m", "-XX:+UseSerialGC", "-jar", jar.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return new ServiceProcess(spec, builder.start(), log, httpPort);
    }

    /** Waits until /q/health/ready answers 200, failing early if the process dies. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(spec.module() + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // The port opens a few seconds after the JVM starts.
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException(spec.module() + " not ready after " + timeout + "; see " + log);
    }

    public ServiceSpec spec() {
        return spec;
    }

    /** SIGKILL, awaited: the service gets no chance to finish anything. */
    public void kill() throws InterruptedException {
        if (!process.destroyForcibly().waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(spec.module() + " did not die within 30 s of SIGKILL");
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
