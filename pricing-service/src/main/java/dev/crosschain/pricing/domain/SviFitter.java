package dev.crosschain.pricing.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** Fits SVI per expiry to vol quotes and checks the resulting surface for arbitrage. */
public final class SviFitter {

    public static final SviFitter DEFAULT = new SviFitter();

    /**
     * A surface from quotes of one underlying (validated: unexpired, at least five per expiry).
     *
     * @param forwards forward per expiry date, every quoted expiry present
     * @throws ArbitrageableSurfaceException when the fitted surface has butterfly or calendar arbitrage
     */
    public VolSurface fit(String underlying, List<VolQuote> quotes, Map<LocalDate, Double> forwards, Instant now,
                          long version) {
        throw new UnsupportedOperationException("issue 3: SVI fitting not built yet");
    }
}
