package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.ChainCondition;
import dev.crosschain.collateral.domain.ChainStatusChange;
import dev.crosschain.collateral.store.BalanceStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches every chain's status ({@link ChainHealth}) and acts when one changes: logs it (WARN when worse, INFO
 * when better) and announces the accounts holding a balance on the chain through {@link LedgerChanges}, so
 * WatchCollateral streams send views valued under the new status. A status changes with time alone (a heartbeat
 * that does not come), with no ledger change to announce it: hence a timer, every {@link #EVERY_MS} ms.
 *
 * <p>Each replica runs its own monitor: statuses come from the shared database, and each replica announces to
 * its own watchers. The first look is the baseline: it is logged but announces nothing (a stream opened since
 * starts with a view valued now). Also exports the gauge {@code collateral_chain_status{chain}}: 0 healthy,
 * 1 degraded, 2 halted.
 */
@ApplicationScoped
@Startup
public class ChainMonitor {

    private static final Logger LOG = Logger.getLogger(ChainMonitor.class);
    /** How often the statuses are judged; a second is well under the shortest registry threshold. */
    static final long EVERY_MS = 1000;
    static final String GAUGE = "collateral.chain.status";

    private final ChainHealth health;
    private final BalanceStore balances;
    private final LedgerChanges changes;
    private final MeterRegistry meters;
    private final ScheduledExecutorService timer;
    /** The conditions of the last look; null before the first. */
    private Map<String, ChainCondition> previous;
    /** Gauge value per chain id; a chain gone from the registry reads NaN. */
    private final Map<String, Integer> codes = new ConcurrentHashMap<>();

    public ChainMonitor(ChainHealth health, BalanceStore balances, LedgerChanges changes, MeterRegistry meters) {
        this.health = health;
        this.balances = balances;
        this.changes = changes;
        this.meters = meters;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chain-monitor");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, EVERY_MS, EVERY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Judges every chain now, logs and announces the ones whose status or cause changed since the last look, and
     * returns the conditions judged. Serialised: the timer and a test may call it at once, and each change must
     * be announced once.
     */
    public synchronized Map<String, ChainCondition> check() {
        Map<String, ChainCondition> now = health.current();
        for (Map.Entry<String, ChainCondition> e : now.entrySet()) {
            gauge(e.getKey()).put(e.getKey(), ChainStatusChange.code(e.getValue().status()));
        }
        codes.keySet().retainAll(now.keySet());
        if (previous == null) {
            now.forEach((chain, condition) -> {
                if (!condition.equals(ChainCondition.HEALTHY)) {
                    LOG.infof("chain %s starts %s: %s", chain, condition.status(), condition.reason());
                }
            });
        } else {
            for (ChainStatusChange change : ChainStatusChange.between(previous, now)) {
                announce(change);
            }
        }
        previous = now;
        return now;
    }

    private void announce(ChainStatusChange change) {
        String from = change.before().map(c -> c.status() + (c.reason().isEmpty() ? "" : " (" + c.reason() + ")"))
                .orElse("not registered");
        String to = change.after().status() + (change.after().reason().isEmpty() ? "" : " (" + change.after().reason() + ")");
        // Read the accounts after the status is in force: an account funded meanwhile is either listed here or
        // announced by its own ledger change, whose view is valued under the new status either way.
        List<String> accounts = balances.accountsOn(change.chainId());
        if (change.worse()) {
            LOG.warnf("chain %s: %s -> %s; re-valuing %d accounts", change.chainId(), from, to, accounts.size());
        } else {
            LOG.infof("chain %s: %s -> %s; re-valuing %d accounts", change.chainId(), from, to, accounts.size());
        }
        changes.publish(accounts);
    }

    /** Registers the chain's gauge on first sight; returns the map it reads. */
    private Map<String, Integer> gauge(String chain) {
        if (!codes.containsKey(chain)) {
            Gauge.builder(GAUGE, codes, m -> {
                        Integer code = m.get(chain);
                        return code == null ? Double.NaN : code;
                    })
                    .tag("chain", chain)
                    .description("Chain status: 0 healthy, 1 degraded, 2 halted")
                    .register(meters);
        }
        return codes;
    }

    private void tick() {
        try {
            check();
        } catch (RuntimeException e) {
            // A database hiccup: keep the last statuses, the next tick judges again.
            LOG.warnf("chain status check failed: %s", e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
