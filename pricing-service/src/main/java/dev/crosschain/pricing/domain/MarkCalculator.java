package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;

/** Marks of instruments from a {@link MarketSnapshot}. Stateless. */
public final class MarkCalculator {

    public static final MarkCalculator DEFAULT = new MarkCalculator(Black76.DEFAULT);
    /** Option marks are doubles; on the wire they carry this many decimals of USD. */
    public static final int OPTION_MARK_SCALE = 8;
    private static final double SECONDS_PER_YEAR = 365.0 * 86_400.0;

    private final Black76 model;

    public MarkCalculator(Black76 model) {
        this.model = model;
    }

    /** Options at their surface vol at strike and expiry with the index as forward; the rest at the index. */
    public Mark mark(Instrument instrument, MarketSnapshot market) {
        IndexLevel index = market.index(instrument.underlying());
        if (instrument instanceof Instrument.Option option) {
            double forward = index.price().doubleValue();
            VolUsed vol = market.surfaceVol(option, forward, market.now());
            OptionGreeks greeks = optionGreeks(option, forward, vol.vol(), market.now(), market.rate());
            BigDecimal price = BigDecimal.valueOf(greeks.price()).setScale(OPTION_MARK_SCALE, RoundingMode.HALF_EVEN);
            return new Mark(instrument, price, index.price(), index.stale(), greeks, vol, index.updatedAt());
        }
        // Spot, perpetual and (with r = 0, no basis yet) futures mark at the index.
        return new Mark(instrument, index.price(), index.price(), index.stale(), null, null, index.updatedAt());
    }

    public OptionGreeks optionGreeks(Instrument.Option option, double forward, double vol, Instant now, double rate) {
        return model.greeks(option.type(), forward, option.strike().doubleValue(), yearsUntil(option.expiry(), now), vol, rate);
    }

    /** ACT/365 year fraction, 0 after expiry. */
    public static double yearsUntil(Instant expiry, Instant now) {
        return Math.max(0.0, Duration.between(now, expiry).toMillis() / 1000.0 / SECONDS_PER_YEAR);
    }
}
