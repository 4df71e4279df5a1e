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
 */
public final class ChainHealthRules {

    private ChainHealthRules() {
    }

    /** What the ledger knows of a chain's adapter: each instant empty when it never happened. */
    public record Activity(Optional<Instant> lastEvent, Optional<Instant> lastHeartbeat, Optional<Instant> headAdvanced) {
    }

    public static ChainCondition condition(ChainSpec chain, boolean operatorHalted, Activity activity, Instant now) {
        if (operatorHalted) {
            return new ChainCondition(ChainStatus.HALTED, "halted by an operator");
        }
        if (activity.lastEvent().isEmpty()) {
            return new ChainCondition(ChainStatus.HALTED, "no adapter seen yet");
        }
        Instant lastEvent = activity.lastEvent().get();
        Duration silence = age(lastEvent, now);
        if (silence.compareTo(chain.haltAfterSilence()) > 0) {
            return new ChainCondition(ChainStatus.HALTED, "no event for " + silence.toMillis() + " ms (halt after "
                    + chain.haltAfterSilence().toMillis() + " ms)");
        }
        Duration heartbeatAge = age(activity.lastHeartbeat().orElse(lastEvent), now);
        if (heartbeatAge.compareTo(chain.heartbeatLateAfter()) > 0) {
            return new ChainCondition(ChainStatus.DEGRADED, (activity.lastHeartbeat().isEmpty() ? "no heartbeat yet, "
                    : "") + "last heartbeat " + heartbeatAge.toMillis() + " ms ago (late after "
                    + chain.heartbeatLateAfter().toMillis() + " ms)");
        }
        Duration stall = age(activity.headAdvanced().orElse(lastEvent), now);
        if (stall.compareTo(chain.headStallAfter()) > 0) {
            return new ChainCondition(ChainStatus.DEGRADED, "head not advanced for " + stall.toMillis()
                    + " ms (stalled after " + chain.headStallAfter().toMillis() + " ms)");
        }
        return ChainCondition.HEALTHY;
    }

    /** Time since {@code then}; zero when {@code then} is in the future (clock skew between replicas). */
    private static Duration age(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
