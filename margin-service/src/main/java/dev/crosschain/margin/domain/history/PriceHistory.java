package dev.crosschain.margin.domain.history;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Daily USD closes of one underlying on consecutive calendar days (crypto trades every day, so a
 * missing day is a data error, not a weekend). Immutable.
 *
 * <p>Moves are <em>simple</em> relative returns {@code S(t)/S(t-h) - 1}, not log returns: a margin
 * scenario is a relative spot move that pricing applies as {@code S x (1 + move)}, and for a linear
 * position the simple return times the notional is its exact P&L. Log returns would have to be turned
 * back with {@code exp} at every use, and used raw they overstate falls and understate rises
 * (ln(0.63) = -0.46 against the -0.37 BTC actually fell on 2020-03-12).
 */
public final class PriceHistory {

    /** The header every history file starts with. */
    public static final String HEADER = "date,open,high,low,close,volume";

    private final String underlying;
    private final LocalDate first;
    private final List<BigDecimal> closes;
    private final double[] closeValues;

    /**
     * @param underlying canonical symbol, e.g. "BTC"
     * @param first      date of {@code closes.get(0)}
     * @param closes     strictly positive USD closes, one per calendar day from {@code first}
     */
    public PriceHistory(String underlying, LocalDate first, List<BigDecimal> closes) {
        if (underlying == null || underlying.isBlank()) {
            throw new IllegalArgumentException("underlying is required");
        }
        Objects.requireNonNull(first, "first");
        if (closes == null || closes.isEmpty()) {
            throw new IllegalArgumentException(underlying + ": a history needs at least one close");
        }
        this.underlying = underlying;
        this.first = first;
        this.closes = List.copyOf(closes);
        this.closeValues = new double[closes.size()];
        for (int i = 0; i < closeValues.length; i++) {
            BigDecimal c = this.closes.get(i);
            if (c.signum() <= 0) {
                throw new IllegalArgumentException(underlying + ": close on " + first.plusDays(i) + " is not positive: " + c);
            }
            closeValues[i] = c.doubleValue();
        }
    }

    /**
     * Parses a history file ({@value #HEADER}, one row per calendar day, ascending, no gaps, no
     * duplicates). Only the date and the close are kept; the other columns must still be numbers, so
     * a shifted column is caught. A malformed file is refused whole with the line number at fault.
     */
    public static PriceHistory parse(String underlying, String source, String text) {
        String[] lines = text.split("\r?\n", -1);
        if (lines.length == 0 || !lines[0].trim().equals(HEADER)) {
            throw new MalformedHistoryException(source, 1, "expected header '" + HEADER + "'");
        }
        List<BigDecimal> closes = new ArrayList<>();
        LocalDate first = null;
        LocalDate previous = null;
        for (int i = 1; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i].trim();
            if (line.isEmpty()) {
                if (i == lines.length - 1) {
                    break; // the final newline
                }
                throw new MalformedHistoryException(source, lineNo, "empty line");
            }
            String[] f = line.split(",", -1);
            if (f.length != 6) {
                throw new MalformedHistoryException(source, lineNo, "expected 6 fields, got " + f.length);
            }
            LocalDate date;
            try {
                date = LocalDate.parse(f[0]);
            } catch (DateTimeParseException e) {
                throw new MalformedHistoryException(source, lineNo, "not an ISO date: " + f[0]);
            }
            if (previous != null && !date.equals(previous.plusDays(1))) {
                throw new MalformedHistoryException(source, lineNo, date.isAfter(previous)
                        ? "gap: " + date + " follows " + previous
                        : "not ascending: " + date + " follows " + previous);
            }
            for (int k = 1; k < 6; k++) {
                BigDecimal v = number(f[k], source, lineNo);
                if (k < 5 && v.signum() <= 0) {
                    throw new MalformedHistoryException(source, lineNo, "price is not positive: " + f[k]);
                }
                if (k == 5 && v.signum() < 0) {
                    throw new MalformedHistoryException(source, lineNo, "volume is negative: " + f[k]);
                }
            }
            closes.add(new BigDecimal(f[4].trim()));
            if (first == null) {
                first = date;
            }
            previous = date;
        }
        if (first == null) {
            throw new MalformedHistoryException(source, 0, "no rows");
        }
        return new PriceHistory(underlying, first, closes);
    }

    private static BigDecimal number(String text, String source, int line) {
        String t = text.trim();
        if (!t.matches("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)")) {
            throw new MalformedHistoryException(source, line, "not a plain decimal number: '" + text + "'");
        }
        return new BigDecimal(t);
    }

    public String underlying() {
        return underlying;
    }

    public LocalDate firstDate() {
        return first;
    }

    public LocalDate lastDate() {
        return first.plusDays(closeValues.length - 1L);
    }

    public int size() {
        return closeValues.length;
    }

    /** The exact published closes, in date order. */
    public List<BigDecimal> closes() {
        return Collections.unmodifiableList(closes);
    }

    public boolean covers(LocalDate date) {
        return !date.isBefore(first) && !date.isAfter(lastDate());
    }

    /** USD close on {@code date}; IllegalArgumentException outside the history. */
    public double close(LocalDate date) {
        return closeValues[index(date)];
    }

    /**
     * The simple relative move over {@code h} days ending on {@code end}: {@code S(end)/S(end-h) - 1}.
     * Both days must be in the history.
     */
    public double move(LocalDate end, int h) {
        if (h < 1) {
            throw new IllegalArgumentException("holding period must be at least 1 day, got " + h);
        }
        int i = index(end);
        int j = i - h;
        if (j < 0) {
            throw new IllegalArgumentException(underlying + ": no close " + h + " days before " + end
                    + " (history starts " + first + ")");
        }
        return closeValues[i] / closeValues[j] - 1.0;
    }

    private int index(LocalDate date) {
        if (!covers(date)) {
            throw new IllegalArgumentException(underlying + " history " + first + ".." + lastDate() + " has no " + date);
        }
        return (int) (date.toEpochDay() - first.toEpochDay());
    }

    @Override
    public String toString() {
        return "PriceHistory[" + underlying + " " + first + ".." + lastDate() + ", " + size() + " days]";
    }
}
