package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.ChainCondition;
import dev.crosschain.collateral.domain.ChainHealthRules;
import dev.crosschain.collateral.domain.ChainRegistry;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.store.ChainStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The status of every registered chain now, by {@link ChainHealthRules} from the adapter activity stored in the
 * database (so every replica agrees) and the registry's operator halts. The activity is read at most every
 * {@link #CACHE_FOR}: valuations ask for it on every view. The read happens outside the judging monitor and
 * one at a time: while one caller refreshes an expired cache, the others judge on the activity read before (at most
 * one refresh older), so a slow database or an exhausted pool stalls one valuation, not every one.
 *
 * <p>With hysteresis ({@link ChainHealthRules#judge}, {@code collateral.health.recovery-factor}): what a chain's last
 * judgement held against it (DEGRADED or silent) is remembered here, in memory, until its cause has been clear for the
 * recovery period. Each replica remembers what it judged (its monitor judges every second), so replicas agree on a
 * recovery to within a look; a restarted replica starts with nothing held.
 */
@ApplicationScoped
public class ChainHealth {

    static final Duration CACHE_FOR = Duration.ofMillis(250);
    private static final ChainHealthRules.Activity NEVER_SEEN =
            new ChainHealthRules.Activity(Optional.empty(), Optional.empty(), Optional.empty());

    private final Registry registry;
    private final ChainStore store;
    private final double recoveryFactor;
    /** What each chain's last judgement held against it; absent when nothing is held. */
    private final Map<String, ChainHealthRules.Held> held = new ConcurrentHashMap<>();
    private volatile Clock clock = Clock.systemUTC();
    private volatile Snapshot cached = Snapshot.NONE;
    /** Held while the activity is read: one read at a time. */
    private final java.util.concurrent.locks.ReentrantLock refreshing = new java.util.concurrent.locks.ReentrantLock();

    public ChainHealth(Registry registry, ChainStore store, CollateralConfig config) {
        this.registry = registry;
        this.store = store;
        this.recoveryFactor = config.health().recoveryFactor();
    }

    /** Condition per chain id, for every chain of the registry. */
    public Map<String, ChainCondition> current() {
        Map<String, ChainHealthRules.Activity> activity = activity(clock.instant());
        return judge(activity);
    }

    /** Serialised: each judgement moves what is held. */
    private synchronized Map<String, ChainCondition> judge(Map<String, ChainHealthRules.Activity> activity) {
        Instant now = clock.instant();
        ChainRegistry chains = registry.current();
        Map<String, ChainCondition> conditions = new TreeMap<>();
        for (ChainSpec chain : chains.chains()) {
            ChainHealthRules.Judged judged = ChainHealthRules.judge(chain, chains.halted(chain.id()),
                    activity.getOrDefault(chain.id(), NEVER_SEEN), Optional.ofNullable(held.get(chain.id())), recoveryFactor, now);
            judged.held().ifPresentOrElse(h -> held.put(chain.id(), h), () -> held.remove(chain.id()));
            conditions.put(chain.id(), judged.condition());
        }
        held.keySet().retainAll(conditions.keySet());
        return Collections.unmodifiableMap(conditions);
    }

    /**
     * As {@link #current()}, but judged on activity read now: the cache may be up to {@link #CACHE_FOR} older than
     * a chain's first events, so a HALTED from it is confirmed with this before a refusal or hold rests on it.
     */
    public Map<String, ChainCondition> fresh() {
        refreshing.lock();
        try {
            refresh(clock.instant());
            return judge(cached.activity());
        } finally {
            refreshing.unlock();
        }
    }

    /** The stored activity per chain (cached), for ListChains. */
    public Map<String, ChainHealthRules.Activity> activity() {
        return activity(clock.instant());
    }

    /**
     * The cached activity, refreshed when older than {@link #CACHE_FOR}. Only the first read waits for another
     * caller's refresh: afterwards a caller that finds one running uses what the last one read.
     */
    private Map<String, ChainHealthRules.Activity> activity(Instant now) {
        Snapshot seen = cached;
        if (!seen.expiredAt(now)) {
            return seen.activity();
        }
        if (seen.readAt().equals(Instant.MIN)) {
            refreshing.lock();
        } else if (!refreshing.tryLock()) {
            return seen.activity();
        }
        try {
            if (cached.expiredAt(now)) { // another caller may have refreshed while this one waited
                refresh(now);
            }
            return cached.activity();
        } finally {
            refreshing.unlock();
        }
    }

    /** Reads the activity; call holding {@link #refreshing}. */
    private void refresh(Instant now) {
        cached = new Snapshot(store.activity(), now);
    }

    /** The activity as read at {@code readAt} ({@link Instant#MIN}: never read). */
    private record Snapshot(Map<String, ChainHealthRules.Activity> activity, Instant readAt) {

        static final Snapshot NONE = new Snapshot(Map.of(), Instant.MIN);

        boolean expiredAt(Instant now) {
            return Duration.between(readAt, now).compareTo(CACHE_FOR) >= 0 || now.isBefore(readAt);
        }
    }

    /** Tests: judge against this clock (the cache is dropped). */
    public synchronized void useClock(Clock clock) {
        this.clock = clock;
        this.cached = Snapshot.NONE;
    }

    /** Tests: forget what is held against every chain (as a restarted replica). */
    public synchronized void forgetHolds() {
        held.clear();
    }
}
