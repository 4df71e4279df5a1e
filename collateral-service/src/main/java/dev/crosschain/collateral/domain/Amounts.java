package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Token amounts and USD values: parsing from the wire, formatting for it. */
public final class Amounts {

    /** USD values are carried at this scale. */
    public static final int USD_SCALE = 8;
    public static final RoundingMode USD_ROUNDING = RoundingMode.HALF_EVEN;
    public static final String INVALID_AMOUNT = "INVALID_AMOUNT";

    private Amounts() {
    }

    /**
     * Amount text is at most this long: enough for {@link #MAX_INTEGER_DIGITS} integer digits and the most decimals a
     * token has ({@link AssetSpec#MAX_DECIMALS}) with some trailing zeros; bounds the parsing and what is echoed.
     */
    public static final int MAX_AMOUNT_TEXT = 80;
    /**
     * At most this many digits before the decimal point (10^30 token units is beyond any supply): an unbounded
     * NUMERIC would take ~131,000 digits and overflow sums; PostgreSQL would refuse beyond that.
     */
    public static final int MAX_INTEGER_DIGITS = 30;

    /**
     * A strictly positive token amount with at most {@code decimals} fractional digits (trailing zeros
     * do not count: "1.50" has 1), at most {@link #MAX_INTEGER_DIGITS} integer digits and {@link #MAX_AMOUNT_TEXT}
     * characters, or an {@link InvalidInputException} INVALID_AMOUNT naming {@code field}.
     */
    public static BigDecimal tokenAmount(String text, int decimals, String field) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(INVALID_AMOUNT, field, "a positive decimal amount is required");
        }
        if (text.length() > MAX_AMOUNT_TEXT) {
            throw new InvalidInputException(INVALID_AMOUNT, field, "at most " + MAX_AMOUNT_TEXT + " characters, got "
                    + text.length());
        }
        BigDecimal value;
        try {
            value = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(INVALID_AMOUNT, field, "not a decimal number: " + WireText.shown(text));
        }
        if (text.trim().toLowerCase().contains("e")) {
            throw new InvalidInputException(INVALID_AMOUNT, field, "exponent notation is not accepted: " + WireText.shown(text));
        }
        if (value.signum() <= 0) {
            throw new InvalidInputException(INVALID_AMOUNT, field, "must be positive, got " + WireText.shown(text));
        }
        BigDecimal normalized = value.stripTrailingZeros();
        if (normalized.scale() > decimals) {
            throw new InvalidInputException(INVALID_AMOUNT, field,
                    "at most " + decimals + " decimals allowed, got " + normalized.scale());
        }
        if (normalized.precision() - normalized.scale() > MAX_INTEGER_DIGITS) {
            throw new InvalidInputException(INVALID_AMOUNT, field, "at most " + MAX_INTEGER_DIGITS
                    + " digits before the decimal point, got " + (normalized.precision() - normalized.scale()));
        }
        return normalized.scale() < 0 ? normalized.setScale(0) : normalized;
    }

    /** Token units for the wire: plain, no exponent, no trailing zeros ("0" for zero). */
    public static String plain(BigDecimal amount) {
        if (amount.signum() == 0) {
            return "0";
        }
        return amount.stripTrailingZeros().toPlainString();
    }

    /** A USD value at scale 8, half-even. */
    public static BigDecimal usd(BigDecimal value) {
        return value.setScale(USD_SCALE, USD_ROUNDING);
    }
}
