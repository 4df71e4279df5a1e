package dev.crosschain.pricing.app;

import dev.crosschain.pricing.domain.Decimals;
import dev.crosschain.pricing.domain.IndexLevel;
import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.InvalidInputException;

import java.math.BigDecimal;
import java.time.Instant;

final class QuoteValidation {

    static final int MAX_INTEGER_DIGITS = 15;
    static final int MAX_DECIMALS = 18;

    private QuoteValidation() {
    }

    static IndexLevel toLevel(MarketData.Quote q, String at, Instant now) {
        String asset = Instrument.parseAsset(q.asset(), at + ".asset");
        if (q.source() == null || q.source().isBlank()) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".source", "source is required");
        }
        BigDecimal price = Decimals.positive(q.price(), at + ".price", "INVALID_QUOTE");
        // Prices are also used as doubles (option forwards, revaluation): "1e400" would be infinite
        // and "1e-400" zero there, so bound them to what a USD price can be.
        if (price.precision() - price.scale() > MAX_INTEGER_DIGITS || price.scale() > MAX_DECIMALS) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".price",
                    "at most " + MAX_INTEGER_DIGITS + " digits before and " + MAX_DECIMALS + " after the point, got " + q.price());
        }
        Instant observed = q.observedAtUnixMs() == 0 ? now : Instant.ofEpochMilli(q.observedAtUnixMs());
        if (observed.isAfter(now.plusSeconds(5))) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".observed_at_unix_ms", "is in the future");
        }
        return new IndexLevel(asset, price, observed, q.source());
    }
}
