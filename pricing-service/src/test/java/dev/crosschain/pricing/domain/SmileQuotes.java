package dev.crosschain.pricing.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/** Test quotes: a smile given as vol(k), sampled at round strikes around a forward. */
final class SmileQuotes {

    static final Instant NOW = Instant.parse("2026-06-01T08:00:00Z");
    static final LocalDate EXPIRY_30D = LocalDate.of(2026, 7, 1);
    static final LocalDate EXPIRY_60D = LocalDate.of(2026, 7, 31);
    static final double FORWARD = 3000;

    private SmileQuotes() {
    }

    /** Years from {@link #NOW} to an expiry date, as the fitter counts them. */
    static double years(LocalDate expiry) {
        return MarkCalculator.yearsUntil(Instrument.Expiry.instant(expiry), NOW);
    }

    static Instrument.Option option(LocalDate expiry, double strike, double forward) {
        return new Instrument.Option("ETH", expiry, BigDecimal.valueOf(strike).stripTrailingZeros(),
                strike < forward ? OptionType.PUT : OptionType.CALL);
    }

    /** Log-moneyness of a quote as the fitter computes it. */
    static double k(VolQuote quote, double forward) {
        return StrictMath.log(quote.option().strike().doubleValue() / forward);
    }

    /** Quotes with bid = mid - spread/2, ask = mid + spread/2 at strikes from..to by step. */
    static List<VolQuote> quotes(LocalDate expiry, double forward, double fromStrike, double toStrike, double step,
                                 DoubleUnaryOperator volOfK, DoubleUnaryOperator spreadOfK) {
        List<VolQuote> quotes = new ArrayList<>();
        for (double strike = fromStrike; strike <= toStrike + 1e-9; strike += step) {
            double k = StrictMath.log(strike / forward);
            double mid = volOfK.applyAsDouble(k);
            double halfSpread = spreadOfK.applyAsDouble(k) / 2;
            quotes.add(new VolQuote(option(expiry, strike, forward), mid - halfSpread, mid + halfSpread));
        }
        return quotes;
    }

    /**
     * Hagan, Kumar, Lesniewski and Woodward's lognormal SABR vol for beta = 1 ("Managing smile
     * risk", 2002, eq. 2.17b): a smile shaped like a market's that is not SVI.
     */
    static DoubleUnaryOperator sabrVol(double alpha, double rho, double volOfVol, double years) {
        double timeCorrection = 1 + (rho * volOfVol * alpha / 4 + (2 - 3 * rho * rho) * volOfVol * volOfVol / 24) * years;
        return k -> {
            double z = -volOfVol / alpha * k;
            if (Math.abs(z) < 1e-12) {
                return alpha * timeCorrection;
            }
            double x = Math.log((Math.sqrt(1 - 2 * rho * z + z * z) + z - rho) / (1 - rho));
            return alpha * z / x * timeCorrection;
        };
    }

    /** The implied vol smile of SVI parameters for a slice of {@code years}. */
    static DoubleUnaryOperator sviVol(SviParameters params, double years) {
        return k -> Math.sqrt(params.totalVariance(k) / years);
    }
}
