package dev.crosschain.collateral.domain;

/** A chain's status and why (empty when HEALTHY). */
public record ChainCondition(ChainStatus status, String reason) {

    public static final ChainCondition HEALTHY = new ChainCondition(ChainStatus.HEALTHY, "");
}
