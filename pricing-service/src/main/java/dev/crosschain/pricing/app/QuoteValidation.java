package dev.crosschain.pricing.app;

import dev.crosschain.pricing.domain.Decimals;
import dev.crosschain.pricing.domain.IndexLevel;
import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.InvalidInputException;

import java.math.BigDecimal;
import java.time.Instant;

final class QuoteValidation {

    private QuoteValidation() {
    }

    static IndexLevel toLevel(MarketData.Quote q, String at, Instant now) {
        Instrument asset = Instrument.parse(q.asset(), at + ".asset");
        if (!(asset instanceof Instrument.Spot)) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".asset", "must be a spot asset symbol, got " + q.asset());
        }
        if (q.source() == null || q.source().isBlank()) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".source", "source is required");
        }
        BigDecimal price = Decimals.positive(q.price(), at + ".price", "INVALID_QUOTE");
        Instant observed = q.observedAtUnixMs() == 0 ? now : Instant.ofEpochMilli(q.observedAtUnixMs());
        if (observed.isAfter(now.plusSeconds(5))) {
            throw new InvalidInputException("INVALID_QUOTE", at + ".observed_at_unix_ms", "is in the future");
        }
        return new IndexLevel(asset.underlying(), price, observed, q.source());
    }
}
