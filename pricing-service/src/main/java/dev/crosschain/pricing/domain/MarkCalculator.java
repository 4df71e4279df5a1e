package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;

/** Marks of instruments from a {@link MarketSnapshot}. Stateless. */
public final class MarkCalculator {

    public static final MarkCalculator DEFAULT = new MarkCalculator(Black76.DEFAULT);
    /** Option marks are doubles; on the wire they carry this many decimals of USD. */
    public static final int OPTION_MARK_SCALE = 8;
    private static final double SECONDS_PER_YEAR = 365.0 * 86_400.0;
    /**
     * A future's mark with a basis is index x basis in double: 12 significant digits keep every
     * digit the inputs support and drop the binary noise (3000 x 1.03 is 3090, not 3090.0000000000005).
     */
    static final MathContext FUTURE_MARK_DIGITS = new MathContext(12, RoundingMode.HALF_EVEN);

    private final Black76 model;

    public MarkCalculator(Black76 model) {
        this.model = model;
    }

    /**
     * Options at their surface vol at strike and expiry with the expiry's forward (index x basis,
     * see {@link MarketSnapshot#forward}); dated futures at that forward; spot and perpetuals at the index.
     */
    public Mark mark(Instrument instrument, MarketSnapshot market) {
        IndexLevel index = market.index(instrument.underlying());
        if (instrument instanceof Instrument.Option option) {
            double forward = market.forward(option.underlying(), option.expiry());
            VolUsed vol = market.surfaceVol(option, forward, market.now());
            OptionGreeks greeks = optionGreeks(option, forward, vol.vol(), market.now(), market.rate());
            BigDecimal price = BigDecimal.valueOf(greeks.price()).setScale(OPTION_MARK_SCALE, RoundingMode.HALF_EVEN);
            return new Mark(instrument, price, index.price(), forward, index.stale(), greeks, vol, index.updatedAt());
        }
        if (instrument instanceof Instrument.Future future) {
            double basis = market.basis(future.underlying(), future.expiry(), market.now());
            double forward = index.price().doubleValue() * basis;
            // Without a basis the mark stays the exact index; with one, the forward is a double product.
            BigDecimal price = basis == 1.0 ? index.price()
                    : BigDecimal.valueOf(forward).round(FUTURE_MARK_DIGITS).stripTrailingZeros();
            return new Mark(instrument, price, index.price(), forward, index.stale(), null, null, index.updatedAt());
        }
        return new Mark(instrument, index.price(), index.price(), index.price().doubleValue(), index.stale(), null, null,
                index.updatedAt());
    }

    public OptionGreeks optionGreeks(Instrument.Option option, double forward, double vol, Instant now, double rate) {
        return model.greeks(option.type(), forward, option.strike().doubleValue(), yearsUntil(option.expiry(), now), vol, rate);
    }

    /** ACT/365 year fraction, 0 after expiry. */
    public static double yearsUntil(Instant expiry, Instant now) {
        return Math.max(0.0, Duration.between(now, expiry).toMillis() / 1000.0 / SECONDS_PER_YEAR);
    }
}
