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
