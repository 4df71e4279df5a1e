package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A priced thing, named the Deribit way: {@code ETH} (spot), {@code ETH-PERPETUAL},
 * {@code ETH-27DEC26} (future), {@code ETH-27DEC26-3000-C} (option). Expiries are at 08:00 UTC.
 */
public sealed interface Instrument {

    /** Canonical symbol of the underlying asset. */
    String underlying();

    /** The name this instrument parses from. */
    String name();

    record Spot(String underlying) implements Instrument {
        public String name() {
            return underlying;
        }
    }

    record Perpetual(String underlying) implements Instrument {
        public String name() {
            return underlying + "-PERPETUAL";
        }
    }

    record Future(String underlying, LocalDate expiryDate) implements Instrument {
        public Instant expiry() {
            return Expiry.instant(expiryDate);
        }

        public String name() {
            return underlying + "-" + Expiry.format(expiryDate);
        }
    }

    record Option(String underlying, LocalDate expiryDate, BigDecimal strike, OptionType type) implements Instrument {
        public Option {
            if (strike.signum() <= 0) {
                throw new IllegalArgumentException("strike must be positive");
            }
            // The option model takes the strike as a double: it must be finite and not round to zero there.
            if (!Decimals.isPriceSized(strike)) {
                throw new IllegalArgumentException("strike must have " + Decimals.priceSize() + ", got " + strike);
            }
        }

        public Instant expiry() {
            return Expiry.instant(expiryDate);
        }

        public String name() {
            return underlying + "-" + Expiry.format(expiryDate) + "-" + strike.toPlainString() + "-"
                    + (type == OptionType.CALL ? "C" : "P");
        }
    }

    /** Parses an asset symbol such as {@code ETH}, or throws {@link InvalidInputException} with reason UNKNOWN_INSTRUMENT. */
    static String parseAsset(String name, String field) {
        Instrument asset = parse(name, field);
        if (!(asset instanceof Spot)) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", field, "must be an asset symbol such as ETH, got " + name);
        }
        return asset.underlying();
    }

    /**
     * Longest name read (the longest valid one, a 10-letter symbol and a strike of 15 + 18 digits,
     * is 55). Names come from clients and are parsed and kept as cache keys on the thread that read
     * the call, so their length is bounded before anything else.
     */
    int MAX_NAME_LENGTH = 64;

    /** Parses a name, or throws {@link InvalidInputException} with reason UNKNOWN_INSTRUMENT. */
    static Instrument parse(String name, String field) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", field, "instrument name is empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", field, "an instrument name has at most "
                    + MAX_NAME_LENGTH + " characters, got " + name.length());
        }
        String[] parts = name.trim().split("-");
        if (!Expiry.SYMBOL.matcher(parts[0]).matches()) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", field, "bad underlying symbol in " + name);
        }
        String underlying = parts[0];
        try {
            switch (parts.length) {
                case 1:
                    return new Spot(underlying);
                case 2:
                    return "PERPETUAL".equals(parts[1]) ? new Perpetual(underlying) : new Future(underlying, Expiry.parse(parts[1]));
                case 4:
                    BigDecimal strike = new BigDecimal(parts[2]);
                    OptionType type = switch (parts[3]) {
                        case "C" -> OptionType.CALL;
                        case "P" -> OptionType.PUT;
                        default -> throw new IllegalArgumentException("option type must be C or P");
                    };
                    return new Option(underlying, Expiry.parse(parts[1]), strike, type);
                default:
                    throw new IllegalArgumentException("expected SYMBOL, SYMBOL-PERPETUAL, SYMBOL-DDMMMYY or SYMBOL-DDMMMYY-STRIKE-C|P");
            }
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new InvalidInputException("UNKNOWN_INSTRUMENT", field, name + ": " + e.getMessage());
        }
    }

    /** Deribit expiry codes. */
    final class Expiry {
        static final Pattern SYMBOL = Pattern.compile("[A-Z][A-Z0-9]{1,9}");
        private static final Pattern CODE = Pattern.compile("(\\d{1,2})([A-Z]{3})(\\d{2})");
        /**
         * Month codes by month number - 1. A list lookup, not a DateTimeFormatter, whose parse builds a parse
         * context and a TemporalAccessor per call: a RevalueBook request parses hundreds of names.
         */
        private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG",
                "SEP", "OCT", "NOV", "DEC");

        private Expiry() {
        }

        static LocalDate parse(String code) {
            Matcher m = CODE.matcher(code);
            if (!m.matches()) {
                throw new IllegalArgumentException("bad expiry " + code + ", expected e.g. 27DEC26");
            }
            int month = MONTHS.indexOf(m.group(2)) + 1;
            if (month == 0) {
                throw new IllegalArgumentException("bad month " + m.group(2) + " in expiry " + code + ", expected JAN to DEC");
            }
            return LocalDate.of(2000 + Integer.parseInt(m.group(3)), month, Integer.parseInt(m.group(1)));
        }

        public static String format(LocalDate date) {
            int year = date.getYear() % 100;
            return date.getDayOfMonth() + MONTHS.get(date.getMonthValue() - 1) + (year < 10 ? "0" : "") + year;
        }

        static Instant instant(LocalDate date) {
            return date.atTime(8, 0).toInstant(ZoneOffset.UTC);
        }
    }
}
