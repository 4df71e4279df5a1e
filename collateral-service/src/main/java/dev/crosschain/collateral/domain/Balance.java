package dev.crosschain.collateral.domain;

import java.math.BigDecimal;

/** An account's balance of one asset on one chain, token units. */
public record Balance(String chainId, String asset, BigDecimal pending, BigDecimal available, BigDecimal locked) {
}
