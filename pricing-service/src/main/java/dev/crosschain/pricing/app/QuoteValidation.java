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

    /** Source names travel in lists and logs: a plain name, no separators. */
    static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** How far ahead of our clock a source's own clock may run. */
    static final long CLOCK_SKEW_SECONDS = 5;
    private static final int MAX_SHOWN_SOURCE = 80;

    private QuoteValidation() {
    }

    /** The client's text in an error, unless it is long enough to make the error its echo. */
    private static String shown(String source) {
        if (source == null) {
            return "none";
        }
        return source.length() <= MAX_SHOWN_SOURCE ? "'" + source + "'" : source.length() + " characters";
    }

    static SourceQuote toQuote(MarketData.Quote q, String at, Instant now, Map<String, List<String>> sourcesByAsset) {
        String asset = asset(q.asset(), at + ".asset");
        String source = q.source() == null ? "" : q.source().trim();
        if (!SOURCE.matcher(source).matches()) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".source",
                    "source is required: letters, digits, '_', '.', '-', at most 64, got " + shown(q.source()));
        }
        List<String> accepted = sourcesByAsset.get(asset);
        if (accepted != null && !accepted.contains(source)) {
            throw new InvalidInputException("UNKNOWN_SOURCE", at + ".source",
                    source + " is not a configured source of " + asset + " " + accepted);
        }
        BigDecimal price = Decimals.positive(q.price(), at + ".price", "INVALID_QUOTE");
        if (!Decimals.isPriceSized(price)) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".price", Decimals.priceSize() + ", got " + q.price());
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
