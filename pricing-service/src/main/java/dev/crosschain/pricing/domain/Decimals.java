package dev.crosschain.pricing.domain;

import java.math.BigDecimal;

/** Parsing of decimal strings from the wire. */
public final class Decimals {

    /**
     * Bounds of a USD price or strike. They are also used as doubles (forwards, strikes in the
     * option model): "1e400" would be infinite and "1e-400" zero there.
     */
    public static final int MAX_INTEGER_DIGITS = 15;
    public static final int MAX_DECIMALS = 18;
    /**
     * Longest decimal string read. BigDecimal parsing time grows faster than the length (300k
     * digits took 1.3 s) and runs on the thread that read the call, possibly the event loop; 40
     * characters hold any value within the bounds above, written out, with a sign and spaces.
     */
    public static final int MAX_TEXT_LENGTH = 40;
    /**
     * Largest quantity of a position: a quantity is used as a double and multiplied by prices, so
     * "1e400" would be infinite there; no book holds a trillion units of one instrument.
     */
    public static final BigDecimal MAX_QUANTITY = BigDecimal.TEN.pow(12);

    private Decimals() {
    }

    /** Whether a price has at most {@link #MAX_INTEGER_DIGITS} digits before the point and {@link #MAX_DECIMALS} after. */
    public static boolean isPriceSized(BigDecimal value) {
        return value.precision() - value.scale() <= MAX_INTEGER_DIGITS && value.scale() <= MAX_DECIMALS;
    }

    /** What {@link #isPriceSized} asks for, to tell the caller. */
    public static String priceSize() {
        return "at most " + MAX_INTEGER_DIGITS + " digits before and " + MAX_DECIMALS + " after the point";
    }

    /** A strictly positive decimal, or an {@link InvalidInputException} naming {@code field}. */
    public static BigDecimal positive(String text, String field, String reason) {
        BigDecimal value = parse(text, field, reason);
        if (value.signum() <= 0) {
            throw new InvalidInputException(reason, field, "must be positive, got " + text);
        }
        return value;
    }

    /**
     * A quantity of at most {@link #MAX_QUANTITY} either way with at most {@link #MAX_DECIMALS}
     * significant decimals, or an {@link InvalidInputException} naming {@code field}.
     */
    public static BigDecimal quantity(String text, String field, String reason) {
        BigDecimal value = parse(text, field, reason);
        if (value.abs().compareTo(MAX_QUANTITY) > 0 || value.stripTrailingZeros().scale() > MAX_DECIMALS) {
            throw new InvalidInputException(reason, field, "must be from -" + MAX_QUANTITY.toPlainString() + " to "
                    + MAX_QUANTITY.toPlainString() + " with at most " + MAX_DECIMALS + " decimals, got " + text);
        }
        return value;
    }

    /**
     * Any decimal of at most {@link #MAX_TEXT_LENGTH} characters whose exponent is within the
     * bounds of a price ({@link #MAX_INTEGER_DIGITS} digits before the point, {@link #MAX_DECIMALS}
     * significant ones after), or an {@link InvalidInputException} naming {@code field}. The
     * exponent is bounded because "1e999999999" is short but a plain string or a double of it is not.
     */
    public static BigDecimal parse(String text, String field, String reason) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(reason, field, "required decimal string is empty");
        }
        // Checked before parsing, and the text is not echoed: both would cost as much as the parse.
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new InvalidInputException(reason, field, "a decimal string has at most " + MAX_TEXT_LENGTH
                    + " characters, got " + text.length());
        }
        BigDecimal value;
        try {
            value = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(reason, field, "not a decimal number: " + text);
        }
        if (value.signum() != 0 && !isPriceSized(value.stripTrailingZeros())) {
            throw new InvalidInputException(reason, field, "out of range: " + priceSize() + ", got " + text);
        }
        return value;
    }
}
