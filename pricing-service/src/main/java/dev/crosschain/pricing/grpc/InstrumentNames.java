package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.domain.Decimals;
import dev.crosschain.pricing.domain.Instrument;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Instrument names, asset symbols and quantities as the adapter reads them. A margin grid sends
 * the same few hundred names on every call and parsing one costs about as much as revaluing it,
 * so parsed ones are kept. Parsing depends on nothing but the text (instruments are immutable and
 * the time plays no part), so a kept result is always right; text that does not parse is never
 * kept. Each map is bounded by emptying it when full, which only costs re-parsing. The field path
 * of an error message is built only when the text has to be parsed: building it for every
 * position of every call cost more than the lookup. Text longer than any valid name
 * ({@link Instrument#MAX_NAME_LENGTH}) is neither looked up nor kept: hashing it would cost in
 * proportion to its length, and the parsers refuse it before parsing.
 */
final class InstrumentNames {

    private static final int MAX_KEPT = 100_000;
    private static final Kept<Instrument> INSTRUMENTS = new Kept<>();
    private static final Kept<String> ASSETS = new Kept<>();
    private static final Kept<Double> QUANTITIES = new Kept<>();

    private InstrumentNames() {
    }

    /** {@link Instrument#parse}, remembered. */
    static Instrument parse(String name, String field) {
        return parse(name, () -> field);
    }

    /** {@link Instrument#parse}, remembered; {@code field} is asked for only if {@code name} is new. */
    static Instrument parse(String name, Supplier<String> field) {
        Instrument known = INSTRUMENTS.get(name);
        return known != null ? known : INSTRUMENTS.keep(name, Instrument.parse(name, field.get()));
    }

    /** {@link Instrument#parseAsset}, remembered. */
    static String asset(String name, Supplier<String> field) {
        String known = ASSETS.get(name);
        return known != null ? known : ASSETS.keep(name, Instrument.parseAsset(name, field.get()));
    }

    /** {@link Decimals#quantity} of a position, as a double, remembered. */
    static double quantity(String text, Supplier<String> field, String reason) {
        Double known = QUANTITIES.get(text);
        return known != null ? known : QUANTITIES.keep(text, Decimals.quantity(text, field.get(), reason).doubleValue());
    }

    /** A bounded map of successful parses. */
    private static final class Kept<V> {
        private final ConcurrentHashMap<String, V> parsed = new ConcurrentHashMap<>();

        V get(String text) {
            return text == null || text.length() > Instrument.MAX_NAME_LENGTH ? null : parsed.get(text);
        }

        V keep(String text, V value) {
            if (text.length() > Instrument.MAX_NAME_LENGTH) {
                return value;
            }
            if (parsed.size() >= MAX_KEPT) {
                parsed.clear();
            }
            parsed.put(text, value);
            return value;
        }
    }
}
