package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.domain.Instrument;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Instrument names as the adapter reads them. A margin grid sends the same few hundred names on
 * every call and parsing one costs about as much as revaluing it, so parsed names are kept.
 * Instruments are immutable and parsing does not depend on the time, so a kept one is always
 * right; names that do not parse are never kept. The map is bounded by emptying it when full,
 * which only costs re-parsing.
 */
final class InstrumentNames {

    private static final int MAX_KEPT = 100_000;
    private static final ConcurrentHashMap<String, Instrument> PARSED = new ConcurrentHashMap<>();

    private InstrumentNames() {
    }

    /** {@link Instrument#parse}, remembered. */
    static Instrument parse(String name, String field) {
        Instrument known = name == null ? null : PARSED.get(name);
        if (known != null) {
            return known;
        }
        Instrument parsed = Instrument.parse(name, field);
        if (PARSED.size() >= MAX_KEPT) {
            PARSED.clear();
        }
        PARSED.put(name, parsed);
        return parsed;
    }
}
