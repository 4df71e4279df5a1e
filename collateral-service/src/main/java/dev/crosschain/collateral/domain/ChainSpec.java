package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A chain in the registry: its finality rule, expected block time, liquidation latency, the weight of pending
 * deposits in valuation, the stranded-collateral add-on while DEGRADED, the thresholds that make it DEGRADED
 * (late heartbeat, stalled head) or HALTED (silence), and its assets by symbol. A broken rule throws
 * {@link InvalidSpecException} naming the field as the wire does ("confirmations", "halt_after_silence_ms").
 */
public record ChainSpec(String id, FinalityRule finalityRule, int confirmations, Duration blockTime,
                        Duration liquidationLatency, BigDecimal pendingWeight, BigDecimal degradedAddon,
                        Duration heartbeatLateAfter, Duration headStallAfter, Duration haltAfterSilence,
                        Map<String, AssetSpec> assets) {

    public static final int MAX_CONFIRMATIONS = 10_000;
    /** Chain ids: 1 to 32 characters of a-z 0-9 -. */
    public static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[a-z0-9-]{1,32}");

    public ChainSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(finalityRule, "finalityRule");
        if (!ID.matcher(id).matches()) {
            throw new InvalidSpecException("chain_id", "chain id must be 1 to 32 characters of a-z 0-9 -, got '" + id + "'");
        }
        if (finalityRule == FinalityRule.CONFIRMATIONS && (confirmations < 1 || confirmations > MAX_CONFIRMATIONS)) {
            throw new InvalidSpecException("confirmations", id + ": confirmations must be in [1, " + MAX_CONFIRMATIONS + "], got " + confirmations);
        }
        if (finalityRule == FinalityRule.CHECKPOINT && confirmations != 0) {
            throw new InvalidSpecException("confirmations", id + ": a checkpoint chain has no confirmations, got " + confirmations);
        }
        requirePositive("block_time_ms", id + ": block time", blockTime);
        if (liquidationLatency == null || liquidationLatency.isNegative()) {
            throw new InvalidSpecException("liquidation_latency_seconds", id + ": liquidation latency must be >= 0");
        }
        AssetSpec.requireFraction("pending_weight", id + ": pending weight", pendingWeight);
        AssetSpec.requireFraction("degraded_addon", id + ": degraded add-on", degradedAddon);
        requirePositive("heartbeat_late_after_ms", id + ": heartbeat-late-after", heartbeatLateAfter);
        requirePositive("head_stall_after_ms", id + ": head-stall-after", headStallAfter);
        requirePositive("halt_after_silence_ms", id + ": halt-after-silence", haltAfterSilence);
        if (haltAfterSilence.compareTo(heartbeatLateAfter) <= 0 || haltAfterSilence.compareTo(headStallAfter) <= 0) {
            throw new InvalidSpecException("halt_after_silence_ms", id + ": halt-after-silence must exceed heartbeat-late-after and head-stall-after");
        }
        assets = Collections.unmodifiableMap(new TreeMap<>(assets));
        for (Map.Entry<String, AssetSpec> e : assets.entrySet()) {
            if (!e.getKey().equals(e.getValue().symbol())) {
                throw new InvalidSpecException("assets", id + ": asset listed as " + e.getKey() + " is " + e.getValue().symbol());
            }
        }
    }

    public Optional<AssetSpec> asset(String symbol) {
        return Optional.ofNullable(assets.get(symbol));
    }

    /**
     * True when a deposit in the block at {@code blockHeight} is final with the chain's head at {@code headHeight}
     * (confirmations rule). A checkpoint chain answers from its checkpoint, not from the head: see
     * {@link #isFinal(long, long, long)}.
     */
    public boolean isFinal(long blockHeight, long headHeight) {
        return isFinal(blockHeight, headHeight, -1);
    }

    /** Finality under the chain's rule, given the head and the finalized checkpoint height (-1 when none). */
    public boolean isFinal(long blockHeight, long headHeight, long checkpointHeight) {
        return finalThrough(headHeight, checkpointHeight) >= blockHeight;
    }

    /** The greatest final block height (negative when none) under the chain's rule. */
    public long finalThrough(long headHeight, long checkpointHeight) {
        return finalityRule == FinalityRule.CONFIRMATIONS
                ? Finality.finalThrough(confirmations, headHeight)
                : Math.min(checkpointHeight, headHeight);
    }

    private static void requirePositive(String field, String what, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new InvalidSpecException(field, what + " must be positive, got " + d);
        }
    }
}
