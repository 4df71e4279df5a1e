package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.util.Objects;

/** One slice of a marginal haircut schedule: counted USD from {@code fromUsd} up to the next tier, cut at {@code haircut}. */
public record HaircutTier(BigDecimal fromUsd, BigDecimal haircut) {

    public HaircutTier {
        Objects.requireNonNull(fromUsd, "fromUsd");
        Objects.requireNonNull(haircut, "haircut");
    }
}
