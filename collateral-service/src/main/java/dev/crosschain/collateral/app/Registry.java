package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.ChainDraft;
import dev.crosschain.collateral.domain.ChainRegistry;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.Violation;
import dev.crosschain.collateral.store.RegistryJson;
import dev.crosschain.collateral.store.RegistryStore;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The chain registry in force. Read {@link #current()} at each use, never keep it: it can change while the service
 * runs. The database holds the registry (one row per revision); at start the versioned registry file is offered
 * to it, then this replica follows the database: at once after its own changes, and by polling the latest revision
 * (every {@code collateral.registry.poll-interval}) for the changes of other replicas.
 */
@ApplicationScoped
@Startup
public class Registry {

    private static final Logger LOG = Logger.getLogger(Registry.class);
    private static final String CLASSPATH = "classpath:";

    private final RegistryStore store;
    private final ScheduledExecutorService poller;
    private volatile ChainRegistry current;

    public Registry(CollateralConfig config, RegistryStore store) {
        this.store = store;
        String source = config.registry().file();
        RegistryFile file = load(source);
        RegistryStore.FileOutcome outcome = store.applyFile(file.version(), file.chains(), source);
        if (outcome.applied()) {
            LOG.infof("registry file %s version %d applied as registry revision %d", source, file.version(), outcome.revision());
        } else {
            LOG.infof("registry file %s version %d ignored: the registry has file version %d applied (revision %d)",
                    source, file.version(), outcome.storedFileVersion(), outcome.revision());
        }
        this.current = snapshot(store.latest());
        long every = Math.max(10, config.registry().pollInterval().toMillis());
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "registry-poll");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
        // An adapter batch that met a newer registry than this replica's: reload now rather than at the next poll.
        RegistryStore.onStale(() -> {
            try {
                poller.execute(this::poll);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // shutting down
            }
        });
    }

    /** The registry now: an immutable snapshot (a volatile read: it is on the hot path). */
    public ChainRegistry current() {
        return current;
    }

    /** Loads the database's latest revision if it is newer than the one in force. */
    public void refresh() {
        if (store.latestRevision() > current.revision()) {
            install(snapshot(store.latest()));
        }
    }

    /** Adds or replaces a chain; the change is in force in this replica when this returns. */
    public RegistryStore.Applied upsertChain(String changeId, String actor, long expectedRevision, ChainDraft chain, String reason) {
        ChainSpec spec = chain.toSpec("chain");
        RegistryStore.Applied applied = store.upsertChain(changeId, actor, expectedRevision, spec, reason);
        refresh();
        if (!applied.replayed()) {
            LOG.infof("registry revision %d: %s upserted chain %s (change %s): %s", applied.revision(), actor, spec.id(), changeId, reason);
        }
        return applied;
    }

    /** Halts a chain or lifts the halt; in force in this replica when this returns. */
    public RegistryStore.Applied setChainHalt(String changeId, String actor, String chainId, boolean halted, String reason) {
        RegistryStore.Applied applied = store.setChainHalt(changeId, actor, chainId, halted, reason);
        refresh();
        if (!applied.replayed()) {
            LOG.warnf("registry revision %d: %s %s chain %s (change %s): %s", applied.revision(), actor,
                    halted ? "halted" : "lifted the halt of", chainId, changeId, reason);
        }
        return applied;
    }

    /** Audited changes below {@code beforeRevision}, newest first. */
    public List<RegistryStore.Change> changes(long beforeRevision, int limit) {
        return store.changes(beforeRevision, limit);
    }

    @PreDestroy
    void stop() {
        poller.shutdownNow();
    }

    private void poll() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // Keep the registry in force; the next poll tries again.
            LOG.warnf("registry poll failed: %s", e.getMessage());
        }
    }

    /** Installs a newer snapshot; never goes back (a slow poll racing this replica's own change). */
    private synchronized void install(ChainRegistry next) {
        if (next.revision() > current.revision()) {
            current = next;
            LOG.infof("registry revision %d in force (%d chains, halted: %s)", next.revision(), next.chains().size(), next.haltedChains());
        }
    }

    private static ChainRegistry snapshot(RegistryStore.Revision revision) {
        List<ChainSpec> chains = new ArrayList<>();
        for (int i = 0; i < revision.chains().size(); i++) {
            chains.add(revision.chains().get(i).toSpec("registry revision " + revision.revision() + " chains[" + i + "]"));
        }
        return new ChainRegistry(revision.revision(), chains, revision.halted());
    }

    /** The registry file's version and checked chains. */
    public record RegistryFile(long version, List<ChainSpec> chains) {
    }

    /** Reads and checks a registry file; a bad one fails with a message naming the file and every broken field. */
    static RegistryFile load(String source) {
        String text;
        try {
            text = read(source);
        } catch (IOException e) {
            throw new IllegalStateException("registry file " + source + " cannot be read: " + e.getMessage(), e);
        }
        return parse(source, text);
    }

    static RegistryFile parse(String source, String text) {
        RegistryJson.FileContent content;
        try {
            content = RegistryJson.parseFile(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("registry file " + source + " is not a registry: " + e.getMessage(), e);
        }
        if (content.version() < 1) {
            throw new IllegalStateException("registry file " + source + ": version must be >= 1, got " + content.version());
        }
        List<Violation> violations = new ArrayList<>();
        List<ChainSpec> chains = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < content.chains().size(); i++) {
            try {
                ChainSpec spec = content.chains().get(i).toSpec("chains[" + i + "]");
                Integer first = seen.putIfAbsent(spec.id(), i);
                if (first != null) {
                    violations.add(new Violation("chains[" + i + "].chain_id", spec.id() + " is listed twice (first at chains[" + first + "])"));
                }
                chains.add(spec);
            } catch (InvalidInputException e) {
                violations.addAll(e.violations());
            }
        }
        if (!violations.isEmpty()) {
            StringBuilder message = new StringBuilder("registry file " + source + " is refused:");
            violations.forEach(v -> message.append("\n  ").append(v.field()).append(": ").append(v.description()));
            throw new IllegalStateException(message.toString());
        }
        return new RegistryFile(content.version(), chains);
    }

    private static String read(String source) throws IOException {
        if (source.startsWith(CLASSPATH)) {
            String resource = source.substring(CLASSPATH.length());
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("no classpath resource " + resource);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return Files.readString(Path.of(source), StandardCharsets.UTF_8);
    }
}
