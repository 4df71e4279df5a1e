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

/**
 * The status of every registered chain now, by {@link ChainHealthRules} from the adapter activity stored in the
 * database (so every replica agrees) and the registry's operator halts. The activity is read at most every
 * {@link #CACHE_FOR}: valuations ask for it on every view.
 */
@ApplicationScoped
public class ChainHealth {

    static final Duration CACHE_FOR = Duration.ofMillis(250);
    private static final ChainHealthRules.Activity NEVER_SEEN =
            new ChainHealthRules.Activity(Optional.empty(), Optional.empty(), Optional.empty());

    private final Registry registry;
    private final ChainStore store;
    private volatile Clock clock = Clock.systemUTC();
    private volatile Map<String, ChainHealthRules.Activity> cached = Map.of();
    private volatile Instant cachedAt = Instant.MIN;

    public ChainHealth(Registry registry, ChainStore store) {
        this.registry = registry;
        this.store = store;
    }

    /** Condition per chain id, for every chain of the registry. */
    public Map<String, ChainCondition> current() {
        Instant now = clock.instant();
        Map<String, ChainHealthRules.Activity> activity = activity(now);
        ChainRegistry chains = registry.current();
        Map<String, ChainCondition> conditions = new TreeMap<>();
        for (ChainSpec chain : chains.chains()) {
            conditions.put(chain.id(), ChainHealthRules.condition(chain, chains.halted(chain.id()),
                    activity.getOrDefault(chain.id(), NEVER_SEEN), now));
        }
        return Collections.unmodifiableMap(conditions);
    }

    /**
     * As {@link #current()}, but judged on activity read now: the cache may be up to {@link #CACHE_FOR} older than
     * a chain's first events, so a HALTED from it is confirmed with this before a refusal or hold rests on it.
     */
    public Map<String, ChainCondition> fresh() {
        cachedAt = Instant.MIN;
        return current();
    }

    /** The stored activity per chain (cached), for ListChains. */
    public Map<String, ChainHealthRules.Activity> activity() {
        return activity(clock.instant());
    }

    private Map<String, ChainHealthRules.Activity> activity(Instant now) {
        if (Duration.between(cachedAt, now).compareTo(CACHE_FOR) >= 0 || now.isBefore(cachedAt)) {
            cached = store.activity();
            cachedAt = now;
        }
        return cached;
    }

    /** Tests: judge against this clock (the cache is dropped). */
    public void useClock(Clock clock) {
        this.clock = clock;
        this.cachedAt = Instant.MIN;
    }
}
