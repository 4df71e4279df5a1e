package dev.crosschain.margin.domain;

import java.math.BigDecimal;

/** Direction of a trade. */
public enum Side {
    BUY, SELL;

    /** The signed quantity of a trade of {@code quantity} (positive) units on this side. */
    public BigDecimal signed(BigDecimal quantity) {
        return this == BUY ? quantity : quantity.negate();
    }
}
