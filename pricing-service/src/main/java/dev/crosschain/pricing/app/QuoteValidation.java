package dev.crosschain.pricing.app;

import dev.crosschain.pricing.domain.Decimals;
import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.InvalidInputException;
import dev.crosschain.pricing.domain.SourceQuote;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks of one pushed index quote. */
final class QuoteValidation {

    static final int MAX_INTEGER_DIGITS = 15;
    static final int MAX_DECIMALS = 18;
    /** Source names travel in lists and logs: a plain name, no separators. */
    static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** How far ahead of our clock a source's own clock may run. */
    static final long CLOCK_SKEW_SECONDS = 5;

    private QuoteValidation() {
    }

    static SourceQuote toQuote(MarketData.Quote q, String at, Instant now, Map<String, List<String>> sourcesByAsset) {
        String asset = asset(q.asset(), at + ".asset");
        String source = q.source() == null ? "" : q.source().trim();
        if (!SOURCE.matcher(source).matches()) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".source",
                    "source is required: letters, digits, '_', '.', '-', at most 64, got '" + q.source() + "'");
        }
        List<String> accepted = sourcesByAsset.get(asset);
        if (accepted != null && !accepted.contains(source)) {
            throw new InvalidInputException("UNKNOWN_SOURCE", at + ".source",
                    source + " is not a configured source of " + asset + " " + accepted);
        }
        BigDecimal price = Decimals.positive(q.price(), at + ".price", "INVALID_QUOTE");
        // Prices are also used as doubles (option forwards, revaluation): "1e400" would be infinite
        // and "1e-400" zero there, so bound them to what a USD price can be.
        if (price.precision() - price.scale() > MAX_INTEGER_DIGITS || price.scale() > MAX_DECIMALS) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".price",
                    "at most " + MAX_INTEGER_DIGITS + " digits before and " + MAX_DECIMALS + " after the point, got " + q.price());
        }
        Instant observed = q.observedAtUnixMs() == 0 ? now : Instant.ofEpochMilli(q.observedAtUnixMs());
        if (observed.isAfter(now.plusSeconds(CLOCK_SKEW_SECONDS))) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".observed_at_unix_ms", "is in the future");
        }
        return new SourceQuote(asset, source, price, observed);
    }

    private static String asset(String name, String field) {
        try {
            return Instrument.parseAsset(name, field);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("INVALID_QUOTE", e.violations());
        }
    }
}
