package dev.crosschain.collateral.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A chain's status from what its adapter last did. HALTED when an operator halts it or when no event arrived for
 * {@code haltAfterSilence}; DEGRADED when the last heartbeat is older than {@code heartbeatLateAfter} or the
 * stored head has not advanced for {@code headStallAfter}; else HEALTHY.
 *
 * <p>A chain whose adapter was never seen is HALTED ("no adapter seen yet"): nothing is known of its head, so its
 * collateral must not count; it can hold no deposits either (they arrive only through an adapter), so a new chain
 * loses nothing by it. A chain that had events but never a heartbeat measures heartbeat lateness from its last
 * event, and head progress from its last event when the head never advanced (no header yet).
 *
 * <p>Hysteresis ({@link #judge}): a chain that was DEGRADED, or HALTED by silence, is HEALTHY again only once its
 * cause has been clear for a recovery period, the limit it crossed times a configured factor
 * ({@code collateral.health.recovery-factor}), counted from the first judgement that found it clear; until then it
 * stays DEGRADED ("recovering"). With a factor of at least 1
 * a chain whose heartbeats (or head) arrive right at the limit stays DEGRADED instead of flapping: the next lateness
 * comes before the cause has been clear for as long as the limit. Getting worse is never delayed, and an operator's
 * halt and its lifting take effect at once (lifting drops any hold); a chain never seen before is HEALTHY at its first
 * event.
 */
public final class ChainHealthRules {

    private ChainHealthRules() {
    }

    /** What the ledger knows of a chain's adapter: each instant empty when it never happened. */
    public record Activity(Optional<Instant> lastEvent, Optional<Instant> lastHeartbeat, Optional<Instant> headAdvanced) {
    }

    /**
     * A chain that was unhealthy and is not yet trusted again: its last cause, how long it must stay clear, and the
     * first instant it was judged clear (empty while the cause holds).
     */
    public record Held(ChainCondition cause, Duration recovery, Optional<Instant> clearSince) {
    }

    /** The condition to show, and what to remember for the next judgement (empty: nothing held). */
    public record Judged(ChainCondition condition, Optional<Held> held) {
    }

    /**
     * The chain's condition now with hysteresis: {@link #condition} when that is not HEALTHY (or the chain is halted
     * by an operator or never seen), else DEGRADED while the previous judgement's {@code held} cause has not been
     * clear for its recovery period. {@code recoveryFactor} times the crossed limit is the recovery period (0: none).
     */
    public static Judged judge(ChainSpec chain, boolean operatorHalted, Activity activity, Optional<Held> held,
                               double recoveryFactor, Instant now) {
        Raw raw = raw(chain, operatorHalted, activity, now);
        if (raw.limit().isEmpty()) {
            return new Judged(raw.condition(), Optional.empty()); // operator halt, never seen: no hysteresis
        }
        if (raw.condition().status() != ChainStatus.HEALTHY) {
            Duration recovery = Duration.ofMillis(Math.round(raw.limit().get().toMillis() * recoveryFactor));
            return new Judged(raw.condition(), Optional.of(new Held(raw.condition(), recovery, Optional.empty())));
        }
        if (held.isEmpty()) {
            return new Judged(ChainCondition.HEALTHY, Optional.empty());
        }
        Instant clearSince = held.get().clearSince().orElse(now);
        Duration clear = age(clearSince, now);
        Duration recovery = held.get().recovery();
        // Strictly longer than the period: a cause clear for exactly its limit is a heartbeat right at the limit.
        if (clear.compareTo(recovery) > 0) {
            return new Judged(ChainCondition.HEALTHY, Optional.empty());
        }
        return new Judged(new ChainCondition(ChainStatus.DEGRADED, "recovering: clear for " + clear.toMillis() + " ms of "
                + recovery.toMillis() + " ms after " + held.get().cause().reason()),
                Optional.of(new Held(held.get().cause(), recovery, Optional.of(clearSince))));
    }

    /** The condition now without hysteresis. */
    public static ChainCondition condition(ChainSpec chain, boolean operatorHalted, Activity activity, Instant now) {
        return raw(chain, operatorHalted, activity, now).condition();
    }

    /** A condition and the chain's limit it measures (empty when no limit applies: operator halt, never seen). */
    private record Raw(ChainCondition condition, Optional<Duration> limit) {
    }

    private static Raw raw(ChainSpec chain, boolean operatorHalted, Activity activity, Instant now) {
        if (operatorHalted) {
            return new Raw(new ChainCondition(ChainStatus.HALTED, "halted by an operator"), Optional.empty());
        }
        if (activity.lastEvent().isEmpty()) {
            return new Raw(new ChainCondition(ChainStatus.HALTED, "no adapter seen yet"), Optional.empty());
        }
        Instant lastEvent = activity.lastEvent().get();
        Duration silence = age(lastEvent, now);
        if (silence.compareTo(chain.haltAfterSilence()) > 0) {
            // Back from silence, it must be clear as long as a heartbeat may be late.
            return new Raw(new ChainCondition(ChainStatus.HALTED, "no event for " + silence.toMillis() + " ms (halt after "
                    + chain.haltAfterSilence().toMillis() + " ms)"), Optional.of(chain.heartbeatLateAfter()));
        }
        Duration heartbeatAge = age(activity.lastHeartbeat().orElse(lastEvent), now);
        if (heartbeatAge.compareTo(chain.heartbeatLateAfter()) > 0) {
            return new Raw(new ChainCondition(ChainStatus.DEGRADED, (activity.lastHeartbeat().isEmpty() ? "no heartbeat yet, "
                    : "") + "last heartbeat " + heartbeatAge.toMillis() + " ms ago (late after "
                    + chain.heartbeatLateAfter().toMillis() + " ms)"), Optional.of(chain.heartbeatLateAfter()));
        }
        Duration stall = age(activity.headAdvanced().orElse(lastEvent), now);
        if (stall.compareTo(chain.headStallAfter()) > 0) {
            return new Raw(new ChainCondition(ChainStatus.DEGRADED, "head not advanced for " + stall.toMillis()
                    + " ms (stalled after " + chain.headStallAfter().toMillis() + " ms)"), Optional.of(chain.headStallAfter()));
        }
        return new Raw(ChainCondition.HEALTHY, Optional.of(chain.heartbeatLateAfter()));
    }

    /** Time since {@code then}; zero when {@code then} is in the future (clock skew between replicas). */
    private static Duration age(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
