package dev.crosschain.collateral.domain;

import java.math.BigDecimal;

/** An index price in USD per token unit of a canonical asset, and whether pricing-service calls it stale. */
public record IndexQuote(BigDecimal price, boolean stale) {
}
