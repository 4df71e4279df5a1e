package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;

/** Parsing of decimal strings from the wire. */
public final class Decimals {

    private Decimals() {
    }

    /** A decimal, or null when the text is not one (blank included). */
    public static BigDecimal parseOrNull(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            BigDecimal value = new BigDecimal(text.trim());
            // Refuse absurd exponents ("1E999999999") that would make arithmetic explode.
            if (Math.abs(value.scale()) > 1000 || value.precision() > 1000) {
                return null;
            }
            return value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A decimal the upstream promised, or an IllegalArgumentException naming the field. */
    public static BigDecimal required(String text, String field) {
        BigDecimal value = parseOrNull(text);
        if (value == null) {
            throw new IllegalArgumentException(field + " is not a decimal: '" + text + "'");
        }
        return value;
    }

    /** Null when empty (upstream figures that may be missing), else the decimal. */
    public static BigDecimal optional(String text, String field) {
        if (text == null || text.isBlank()) {
            return null;
        }
        return required(text, field);
    }

    /** Zero when empty (upstream figures that may be left out), else the decimal. */
    public static BigDecimal orZero(String text, String field) {
        if (text == null || text.isBlank()) {
            return BigDecimal.ZERO;
        }
        return required(text, field);
    }
}
