package dev.crosschain.margin.domain;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.Month;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A derivative named the Deribit way: {@code ETH-PERPETUAL}, {@code ETH-27DEC26} (future) or
 * {@code ETH-27DEC26-3000-C} (European option, strike in USD, C or P). All are USD-linear: one unit
 * is one unit of the underlying.
 */
public sealed interface Instrument permits Instrument.Perpetual, Instrument.Future, Instrument.Option {

    /** Canonical underlying symbol, e.g. "ETH". */
    String underlying();

    /** The canonical name. */
    String name();

    /** True for perpetuals and futures (margined on notional), false for options. */
    default boolean linear() {
        return !(this instanceof Option);
    }

    record Perpetual(String underlying) implements Instrument {
        public String name() {
            return underlying + "-PERPETUAL";
        }
    }

    record Future(String underlying, LocalDate expiry) implements Instrument {
        public String name() {
            return underlying + "-" + Expiry.format(expiry);
        }
    }

    record Option(String underlying, LocalDate expiry, BigDecimal strike, OptionType type) implements Instrument {
        public String name() {
            return underlying + "-" + Expiry.format(expiry) + "-" + Decimals.plain(strike) + "-" + (type == OptionType.CALL ? "C" : "P");
        }
    }

    Pattern UNDERLYING = Pattern.compile("[A-Z][A-Z0-9]{1,9}");
    Pattern EXPIRY = Pattern.compile("(\\d{1,2})([A-Z]{3})(\\d{2})");
    Pattern STRIKE = Pattern.compile("\\d+(\\.\\d+)?");

    /**
     * Parses a name; an {@link InvalidInputException} UNKNOWN_INSTRUMENT naming {@code field} when it
     * does not parse.
     */
    static Instrument parse(String text, String field) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("MISSING_FIELD", field, "instrument is required");
        }
        String[] parts = text.trim().split("-", -1);
        if (parts.length < 2 || parts.length > 4 || parts.length == 3 || !UNDERLYING.matcher(parts[0]).matches()) {
            throw unknown(text, field, "expected UNDERLYING-PERPETUAL, UNDERLYING-DDMMMYY or UNDERLYING-DDMMMYY-STRIKE-C|P");
        }
        String underlying = parts[0];
        if (parts.length == 2 && parts[1].equals("PERPETUAL")) {
            return new Perpetual(underlying);
        }
        LocalDate expiry = Expiry.parse(parts[1]);
        if (expiry == null) {
            throw unknown(text, field, "bad expiry " + parts[1] + " (e.g. 27DEC26)");
        }
        if (parts.length == 2) {
            return new Future(underlying, expiry);
        }
        if (!STRIKE.matcher(parts[2]).matches() || new BigDecimal(parts[2]).signum() <= 0) {
            throw unknown(text, field, "bad strike " + parts[2]);
        }
        OptionType type;
        if (parts[3].equals("C")) {
            type = OptionType.CALL;
        } else if (parts[3].equals("P")) {
            type = OptionType.PUT;
        } else {
            throw unknown(text, field, "option type must be C or P");
        }
        return new Option(underlying, expiry, new BigDecimal(parts[2]), type);
    }

    private static InvalidInputException unknown(String text, String field, String why) {
        return new InvalidInputException("UNKNOWN_INSTRUMENT", field, "unknown instrument " + text + ": " + why);
    }

    /** Deribit expiry codes, e.g. 27DEC26 = 2026-12-27. */
    final class Expiry {
        private static final Map<String, Month> MONTHS = Map.ofEntries(
                Map.entry("JAN", Month.JANUARY), Map.entry("FEB", Month.FEBRUARY), Map.entry("MAR", Month.MARCH),
                Map.entry("APR", Month.APRIL), Map.entry("MAY", Month.MAY), Map.entry("JUN", Month.JUNE),
                Map.entry("JUL", Month.JULY), Map.entry("AUG", Month.AUGUST), Map.entry("SEP", Month.SEPTEMBER),
                Map.entry("OCT", Month.OCTOBER), Map.entry("NOV", Month.NOVEMBER), Map.entry("DEC", Month.DECEMBER));

        private Expiry() {
        }

        static LocalDate parse(String code) {
            Matcher m = EXPIRY.matcher(code);
            if (!m.matches() || !MONTHS.containsKey(m.group(2))) {
                return null;
            }
            try {
                return LocalDate.of(2000 + Integer.parseInt(m.group(3)), MONTHS.get(m.group(2)), Integer.parseInt(m.group(1)));
            } catch (DateTimeException e) {
                return null;
            }
        }

        static String format(LocalDate date) {
            return date.getDayOfMonth() + date.getMonth().name().substring(0, 3).toUpperCase(Locale.ROOT)
                    + String.format(Locale.ROOT, "%02d", date.getYear() % 100);
        }
    }
}
