package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A token on one chain: its symbol there, the canonical priced asset, its decimals and its flat haircuts
 * (fractions of market value) for initial and maintenance margin.
 */
public record AssetSpec(String symbol, String canonical, int decimals, BigDecimal haircutIm, BigDecimal haircutMm) {

    public AssetSpec {
        Objects.requireNonNull(symbol, "symbol");
        Objects.requireNonNull(canonical, "canonical");
        if (symbol.isBlank() || canonical.isBlank()) {
            throw new IllegalArgumentException("asset symbol and canonical asset are required");
        }
        if (decimals < 0 || decimals > 36) {
            throw new IllegalArgumentException(symbol + ": decimals must be in [0, 36], got " + decimals);
        }
        requireFraction(symbol + " haircut-im", haircutIm);
        requireFraction(symbol + " haircut-mm", haircutMm);
        if (haircutMm.compareTo(haircutIm) > 0) {
            throw new IllegalArgumentException(symbol + ": MM haircut " + haircutMm + " exceeds IM haircut " + haircutIm);
        }
    }

    private static void requireFraction(String what, BigDecimal value) {
        Objects.requireNonNull(value, what);
        if (value.signum() < 0 || value.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException(what + " must be in [0, 1], got " + value);
        }
    }
}
