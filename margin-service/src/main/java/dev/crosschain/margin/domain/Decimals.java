package dev.crosschain.margin.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Decimal strings from and to the wire; USD figures at scale 8, HALF_EVEN. */
public final class Decimals {

    /** Scale of every USD figure. */
    public static final int USD_SCALE = 8;
    /** Scale of average entry prices (a weighted average does not terminate in general). */
    public static final int PRICE_SCALE = 12;

    private Decimals() {
    }

    /** Any decimal, or an {@link InvalidInputException} naming {@code field}. */
    public static BigDecimal parse(String text, String field, String reason) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(reason, field, "required decimal string is empty");
        }
        String trimmed = text.trim();
        if (!trimmed.matches("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)")) {
            throw new InvalidInputException(reason, field, "not a plain decimal number: " + text);
        }
        return new BigDecimal(trimmed);
    }

    /** A strictly positive decimal. */
    public static BigDecimal positive(String text, String field, String reason) {
        BigDecimal value = parse(text, field, reason);
        if (value.signum() <= 0) {
            throw new InvalidInputException(reason, field, "must be positive, got " + text);
        }
        return value;
    }

    /** A non-zero decimal of either sign. */
    public static BigDecimal nonZero(String text, String field, String reason) {
        BigDecimal value = parse(text, field, reason);
        if (value.signum() == 0) {
            throw new InvalidInputException(reason, field, "must not be zero");
        }
        return value;
    }

    /** USD rounding: scale 8, HALF_EVEN. */
    public static BigDecimal usd(BigDecimal value) {
        return value.setScale(USD_SCALE, RoundingMode.HALF_EVEN);
    }

    /**
     * A requirement figure (group loss, scan loss, contingency, ES, IM) rounded UP to the cent, at the USD scale: a
     * requirement is never rounded in the account's favour. It is first rounded to the micro-dollar, which removes
     * the double arithmetic's noise (90,000 x 0.16 = 14,400.000000000002 is 14,400.00, not 14,400.01) while keeping
     * every real fraction of a cent.
     */
    public static BigDecimal requirement(BigDecimal usd) {
        return usd(usd.setScale(6, RoundingMode.HALF_EVEN).setScale(2, RoundingMode.CEILING));
    }

    /** Plain string without trailing zeros ("1.5", "0", "-2"). */
    public static String plain(BigDecimal value) {
        if (value.signum() == 0) {
            return "0";
        }
        return value.stripTrailingZeros().toPlainString();
    }

    /** Canonical form for hashing and comparing payloads. */
    public static String canonical(BigDecimal value) {
        return plain(value);
    }
}
