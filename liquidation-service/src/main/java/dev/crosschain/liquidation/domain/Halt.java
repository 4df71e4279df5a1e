package dev.crosschain.liquidation.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * The operator halt of one scope.
 *
 * @param underlying the underlying whose auctions it covers, or {@link #GLOBAL} for every auction
 */
public record Halt(String underlying, HaltLevel level, String changedBy, String reason, Instant changedAt) {

    /** The global scope's key (no underlying symbol is empty). */
    public static final String GLOBAL = "";

    public Halt {
        Objects.requireNonNull(underlying, "underlying");
        Objects.requireNonNull(level, "level");
    }

    public boolean global() {
        return underlying.isEmpty();
    }

    /** The scope as operators read it: GLOBAL or the underlying. */
    public String scope() {
        return global() ? "GLOBAL" : underlying;
    }
}
