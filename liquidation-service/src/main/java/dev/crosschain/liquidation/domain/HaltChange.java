package dev.crosschain.liquidation.domain;

import java.time.Instant;

/** One recorded SetHalt: the scope's level before and after, who, why and when. {@code seq} orders them. */
public record HaltChange(long seq, String underlying, HaltLevel level, HaltLevel previousLevel, String changedBy,
                         String reason, Instant changedAt) {
}
