package dev.crosschain.collateral.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A chain whose condition changed between two looks of the status monitor: its status, or the cause given for it.
 *
 * <p>Causes are compared without their numbers: a reason such as "last heartbeat 61000 ms ago" grows at every look
 * while nothing changed, and announcing it every second would re-value every watcher of the chain for nothing.
 */
public record ChainStatusChange(String chainId, Optional<ChainCondition> before, ChainCondition after) {

    /** True when the chain got worse (HEALTHY < DEGRADED < HALTED); a chain first seen is worse unless HEALTHY. */
    public boolean worse() {
        ChainStatus from = before.map(ChainCondition::status).orElse(ChainStatus.HEALTHY);
        return after.status().ordinal() > from.ordinal();
    }

    /** True when the chain got better. */
    public boolean recovered() {
        return before.isPresent() && after.status().ordinal() < before.get().status().ordinal();
    }

    /**
     * The chains of {@code now} whose condition differs from {@code previous} (a chain absent from
     * {@code previous} is new and changed), in the order of {@code now}.
     */
    public static List<ChainStatusChange> between(Map<String, ChainCondition> previous, Map<String, ChainCondition> now) {
        List<ChainStatusChange> changes = new ArrayList<>();
        for (Map.Entry<String, ChainCondition> e : now.entrySet()) {
            ChainCondition before = previous.get(e.getKey());
            if (before == null || !sameCondition(before, e.getValue())) {
                changes.add(new ChainStatusChange(e.getKey(), Optional.ofNullable(before), e.getValue()));
            }
        }
        return changes;
    }

    /** Same status and the same cause (the reason with its numbers left out). */
    static boolean sameCondition(ChainCondition a, ChainCondition b) {
        return a.status() == b.status() && cause(a.reason()).equals(cause(b.reason()));
    }

    /** The reason with every run of digits replaced by "#". */
    static String cause(String reason) {
        return reason.replaceAll("[0-9]+", "#");
    }

    /** The gauge value of a status: 0 healthy, 1 degraded, 2 halted. */
    public static int code(ChainStatus status) {
        return switch (status) {
            case HEALTHY -> 0;
            case DEGRADED -> 1;
            case HALTED -> 2;
        };
    }
}
