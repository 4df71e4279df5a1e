package dev.crosschain.margin.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A position in one instrument: signed quantity (positive long) and average entry price (USD per unit).
 * Immutable; {@link #trade} gives the position after a trade and the PnL it realizes.
 */
public record Position(String instrument, BigDecimal quantity, BigDecimal averageEntryPrice) {

    public Position {
        if (quantity.signum() == 0) {
            averageEntryPrice = BigDecimal.ZERO;
        }
    }

    public static Position flat(String instrument) {
        return new Position(instrument, BigDecimal.ZERO, BigDecimal.ZERO);
    }

    public boolean isFlat() {
        return quantity.signum() == 0;
    }

    /** The position after trading {@code signedQuantity} at {@code price}, and the PnL that realizes. */
    public Change trade(BigDecimal signedQuantity, BigDecimal price) {
        if (signedQuantity.signum() == 0) {
            return new Change(this, Decimals.usd(BigDecimal.ZERO));
        }
        if (isFlat() || quantity.signum() == signedQuantity.signum()) {
            // increase: weighted average entry
            BigDecimal newQty = quantity.add(signedQuantity);
            BigDecimal cost = quantity.multiply(averageEntryPrice).add(signedQuantity.multiply(price));
            BigDecimal entry = cost.divide(newQty, Decimals.PRICE_SCALE, RoundingMode.HALF_EVEN).stripTrailingZeros();
            return new Change(new Position(instrument, newQty, entry), Decimals.usd(BigDecimal.ZERO));
        }
        // reduce, close or flip: the closed part realizes (price - entry) per unit, signed by the old side
        BigDecimal closed = quantity.abs().min(signedQuantity.abs());
        BigDecimal realized = Decimals.usd(closed.multiply(price.subtract(averageEntryPrice)).multiply(BigDecimal.valueOf(quantity.signum())));
        BigDecimal newQty = quantity.add(signedQuantity);
        BigDecimal entry;
        if (newQty.signum() == 0) {
            entry = BigDecimal.ZERO;
        } else if (newQty.signum() == quantity.signum()) {
            entry = averageEntryPrice; // reduced: entry unchanged
        } else {
            entry = price; // flipped: the remainder opens at the fill price
        }
        return new Change(new Position(instrument, newQty, entry), realized);
    }

    /** A position after a trade and the USD PnL realized by it. */
    public record Change(Position after, BigDecimal realizedPnl) {
    }
}
