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

    /** Any decimal, or an {@link InvalidInputException} naming {@code field}. */
    public static BigDecimal parse(String text, String field, String reason) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(reason, field, "required decimal string is empty");
        }
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(reason, field, "not a decimal number: " + text);
        }
    }
}
