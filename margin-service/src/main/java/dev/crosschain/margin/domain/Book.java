package dev.crosschain.margin.domain;

import java.math.BigDecimal;

/**
 * How trades and transfers change a position and the account's realized cash, per instrument kind.
 *
 * <p>Perpetuals and futures: a reducing trade realizes {@code closed * (price - entry) * sign}; the
 * open part is carried as unrealized PnL.
 *
 * <p>Options: the premium is cash. A buy pays {@code qty * price} and a sell receives it at the fill,
 * booked into realized PnL; the position is then valued at {@code qty * mark} in equity. (Realizing
 * only on reduction while also counting {@code qty * mark} would credit a buyer with the premium he
 * just paid.) Over a round trip both conventions realize the same {@code qty * (exit - entry)}.
 */
public final class Book {

    private Book() {
    }

    /** The effect of an executed trade of {@code signedQuantity} at {@code price}. */
    public static Position.Change fill(Instrument instrument, Position current, BigDecimal signedQuantity, BigDecimal price) {
        Position.Change change = current.trade(signedQuantity, price);
        if (instrument.linear()) {
            return change;
        }
        return new Position.Change(change.after(), Decimals.usd(signedQuantity.multiply(price).negate()));
    }

    /**
     * The effect of receiving {@code signedQuantity} by transfer at the source's entry {@code price}.
     * Perpetuals and futures merge as if filled at that price (realizing against an opposite position);
     * options move without cash (the source's premium stays with the source).
     */
    public static Position.Change receive(Instrument instrument, Position current, BigDecimal signedQuantity, BigDecimal price) {
        Position.Change change = current.trade(signedQuantity, price);
        if (instrument.linear()) {
            return change;
        }
        return new Position.Change(change.after(), Decimals.usd(BigDecimal.ZERO));
    }
}
