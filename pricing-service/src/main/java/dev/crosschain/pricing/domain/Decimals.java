package dev.crosschain.pricing.domain;

import java.math.BigDecimal;

/** Parsing of decimal strings from the wire. */
public final class Decimals {

    private Decimals() {
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
